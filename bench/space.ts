/**
 * Header-space figures (issue 6): lint plus the service matrices for ports 22 and 80, on the largest
 * real-world ruleset of ../shared/corpus/net-network and on the synthetic 10k / 50k-rule rulesets,
 * each timed against parsing the same file in the same run (the baseline), with the RSS reached.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { lintRuleset } from '../src/analysis/lint/index.js';
import { serviceMatrix } from '../src/analysis/query/index.js';
import { loadIptables } from '../src/dialects/iptables/index.js';
import { type Figure, fmtMs, measure } from './timing.js';

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}

function once<T>(fn: () => T): { ms: number; value: T } {
  const s = performance.now();
  const value = fn();
  return { ms: performance.now() - s, value };
}

function benchFile(path: string, label: string): Figure[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
  const input = `${label} (${rules.toLocaleString('en-US')} rules)`;
  const rs = loadIptables(text, label).ruleset;
  const parse = measure(() => loadIptables(text, label), { minRuns: 3, minMs: 1000 });
  const lint = once(() => lintRuleset(rs));
  const matrices = once(() => [22, 80].map((dport) => serviceMatrix(rs, { dport })));
  const rss = process.memoryUsage().rss;
  const total = lint.ms + matrices.ms;
  return [
    {
      name: 'lint (every finding code)', input: `${input}, ${lint.value.findings.length} findings`, value: fmtMs(lint.ms),
      ratio: `${(lint.ms / parse.ms).toFixed(2)}× the parse time (${fmtMs(parse.ms)})`,
    },
    {
      name: 'service matrices tcp/22 and tcp/80', input: `${input}, ${matrices.value.map((m) => `${m.classes.length} classes`).join(' / ')}`,
      value: fmtMs(matrices.ms), ratio: `${(matrices.ms / parse.ms).toFixed(2)}× the parse time`,
    },
    {
      name: 'lint + both matrices, and RSS after', input, value: `${fmtMs(total)}, RSS ${mib(rss)}`,
      ratio: `${(total / parse.ms).toFixed(2)}× the parse time; fffuu needs 40-130 s for 2.8k-5.5k rules`,
    },
  ];
}

export function benchSpace(corpus: string): Figure[] {
  const files: [string, string][] = [
    [join(corpus, 'net-network', 'configs_medium-sized-company__iptables-save.iptables_mainfw_31.01.2016'), 'net-network medium-sized-company (largest)'],
    [join(corpus, 'synthetic', 'iptables-input-10000.rules.gz'), 'iptables-input-10000.rules.gz'],
    [join(corpus, 'synthetic', 'iptables-input-50000.rules.gz'), 'iptables-input-50000.rules.gz'],
  ];
  return files.filter(([p]) => existsSync(p)).flatMap(([p, label]) => benchFile(p, label));
}
