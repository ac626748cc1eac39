#!/usr/bin/env node
/** The `fwdoctor` command line: thin commands over the library. */
import { Command } from 'commander';
import { registerDemo } from './demo.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { InputError } from './read-input.js';
import { registerTrace } from './trace.js';
import { registerCollect } from './collect.js';
import { registerDiagnose } from './diagnose.js';
import { registerLint } from './lint.js';
import { registerQuery } from './query.js';
import { registerDiff } from './diff.js';
import { registerVerifyKernel } from './verify-kernel.js';
import { VERSION } from '../version.js';

export function buildProgram(): Command {
  const program = new Command('fwdoctor')
    .description('Which firewall layer blocked the packet, which rule, and why.\n'
      + 'Reads firewall configuration (iptables-save, ip6tables-save, …) and simulates packets through it rule by rule.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    // Usage errors exit 2 like other bad input; inherited by the commands registered below.
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.badInput);
    })
    .addHelpText('after', `
Start with:
  fwdoctor demo
  fwdoctor trace rules.v4 --packet 'tcp 198.18.0.5:40000 -> 198.19.0.2:22' --in eth0
${EXIT_CODES_HELP}`);
  registerTrace(program);
  registerDiagnose(program);
  registerCollect(program);
  registerLint(program);
  registerQuery(program);
  registerDiff(program);
  registerVerifyKernel(program);
  registerDemo(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`fwdoctor: ${e.message}\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    throw e;
  }
}

await main(process.argv);
