import { it } from 'vitest';
import { Command } from 'commander';
import { registerVerifyKernel } from '../../src/cli/verify-kernel.js';

it('10k', async () => {
  const program = new Command('fwdoctor');
  registerVerifyKernel(program);
  const t = Date.now();
  await program.parseAsync(['node', 'fwdoctor', 'verify-kernel', '/work/shared/corpus/synthetic/iptables-input-10000.rules.gz', '--no-color', '--show', '3']);
  console.log('exit', process.exitCode, 'ms', Date.now() - t);
}, 600_000);
