/**
 * `npm run bench`: every figure printed with a ratio against a baseline measured in the same run,
 * because the machines are shared and noisy. Record the output in bench/RESULTS.md.
 * `npm run bench -- iptables nft space verify` runs only the groups named.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchIptables } from './iptables.js';
import { benchNftParse } from './nft-parse.js';
import { benchSpace } from './space.js';
import type { Figure } from './timing.js';
import { benchVerifyKernel } from './verify-kernel.js';

const root = resolve(import.meta.dirname ?? '.', '..', '..');
const corpus = join(root, '..', 'shared', 'corpus');

function print(f: Figure): void {
  process.stdout.write(`- ${f.name}\n    input: ${f.input}\n    value: ${f.value}\n    ratio: ${f.ratio}\n`);
}

async function main(groups: readonly string[]): Promise<void> {
  const want = (g: string): boolean => groups.length === 0 || groups.includes(g);
  process.stdout.write(`fwdoctor bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}\n\n`);
  if (want('nft')) for (const f of await benchNftParse()) print(f);
  if (!existsSync(corpus)) {
    process.stdout.write(`skipped the corpus benchmarks: ${corpus} is absent (the shared corpus sits beside the clone)\n`);
    return;
  }
  const synthetic = (n: number): string => join(corpus, 'synthetic', `iptables-input-${n}.rules.gz`);
  if (want('iptables')) for (const f of benchIptables(synthetic(50000), 'iptables-input-50000.rules.gz')) print(f);
  if (want('space')) for (const f of benchSpace(corpus)) print(f);
  if (want('verify')) for (const f of await benchVerifyKernel(synthetic(10000), 'iptables-input-10000.rules.gz')) print(f);
}

await main(process.argv.slice(2));
