/**
 * `npm run bench`: every figure printed with a ratio against a baseline measured in the same run,
 * because the machines are shared and noisy. Record the output in bench/RESULTS.md.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchIptables } from './iptables.js';
import { benchSpace } from './space.js';
import type { Figure } from './timing.js';

const root = resolve(import.meta.dirname ?? '.', '..', '..');
const corpus = join(root, '..', 'shared', 'corpus');

function print(f: Figure): void {
  process.stdout.write(`- ${f.name}\n    input: ${f.input}\n    value: ${f.value}\n    ratio: ${f.ratio}\n`);
}

function main(): void {
  process.stdout.write(`fwdoctor bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}\n\n`);
  const big = join(corpus, 'synthetic', 'iptables-input-50000.rules.gz');
  if (!existsSync(big)) {
    process.stdout.write(`skipped: ${big} is absent (the shared corpus sits beside the clone)\n`);
    return;
  }
  for (const f of benchIptables(big, 'iptables-input-50000.rules.gz')) print(f);
  for (const f of benchSpace(corpus)) print(f);
}

main();
