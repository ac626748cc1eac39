/**
 * Header-space figures (issue 6): lint plus the service matrices for ports 22 and 80, on the largest
 * real-world ruleset of ../shared/corpus/net-network, on the TUM chair's FORWARD chain (3,795 rules
 * unfolded; read back from fffuu's golden output, with its interface assignment, because the raw
 * 4,813-rule dump is not in the corpus) and on the synthetic 10k / 50k-rule rulesets, each timed
 * against parsing the same file in the same run (the baseline), with the RSS reached. Then the
 * atomic-predicates prototype against the BDD engine on the accepted set (docs/space.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { lintRuleset } from '../src/analysis/lint/index.js';
import { type Ipassmt, serviceMatrix } from '../src/analysis/query/index.js';
import { ipassmtFromEcho, unfoldedChainToSave } from '../src/analysis/query/testing.js';
import { Space } from '../src/analysis/space/space.js';
import { SymbolicRuleset } from '../src/analysis/space/walk.js';
import type { Hook, Ruleset } from '../src/model/ruleset.js';
import { atomicPredicates } from './atomic-predicates.js';
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

interface Input {
  readonly label: string;
  readonly text: string;
  readonly hook: Hook;
  readonly ipassmt?: Ipassmt;
}

function readText(path: string): string {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
}

function benchFile({ label, text, hook, ipassmt }: Input): Figure[] {
  const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
  const input = `${label} (${rules.toLocaleString('en-US')} rules)`;
  const rs = loadIptables(text, label).ruleset;
  const parse = measure(() => loadIptables(text, label), { minRuns: 3, minMs: 1000 });
  const lint = once(() => lintRuleset(rs));
  const matrices = once(() => [22, 80].map((dport) => serviceMatrix(rs, { dport, hook, ...(ipassmt ? { ipassmt, may: true } : {}) })));
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

/** The accepted set of a hook: BDD engine vs the atomic-predicates prototype (same rules, same manager). */
function benchAtoms({ label, text }: Input, hook: Hook): Figure {
  const rs: Ruleset = loadIptables(text, label).ruleset;
  const bddRun = once(() => {
    const sp = new Space([rs]);
    const accepted = new SymbolicRuleset(sp, rs).hook(hook).accepted;
    return { nodes: sp.bdd.size(accepted), total: sp.bdd.nodeCount };
  });
  const ap = atomicPredicates(rs, hook, 20_000);
  return {
    name: `accepted set (${hook}): BDD engine vs atomic predicates (prototype)`,
    input: `${label}: BDD ${bddRun.value.nodes.toLocaleString('en-US')} nodes (${bddRun.value.total.toLocaleString('en-US')} made); `
      + `${ap.atoms.toLocaleString('en-US')} atoms of ${ap.predicates.toLocaleString('en-US')} predicates${ap.complete ? '' : ' (stopped at the 20 s budget: no walk)'}${ap.complete ? `, ${ap.acceptedAtoms} accepted` : ''}`,
    value: `BDD ${fmtMs(bddRun.ms)}; atoms ${fmtMs(ap.atomsMs)} + bitset walk ${fmtMs(ap.walkMs)}`,
    ratio: `atomic predicates take ${ap.complete ? '' : 'more than '}${((ap.atomsMs + ap.walkMs) / bddRun.ms).toFixed(1)}× the BDD engine's time`,
  };
}

function inputs(corpus: string): Input[] {
  const out: Input[] = [];
  const company = join(corpus, 'net-network', 'configs_medium-sized-company__iptables-save.iptables_mainfw_31.01.2016');
  if (existsSync(company)) out.push({ label: 'net-network medium-sized-company (largest)', text: readText(company), hook: 'input' });
  const i8 = join(corpus, 'fffuu-golden', 'haskell-golden', 'expected', 'i8_iptables-save-2015-05-15_15-23-41_cheating');
  if (existsSync(i8)) {
    const golden = readText(i8);
    out.push({ label: 'TUM i8 FORWARD (fffuu: 4,813 rules, unfolded), --ipassmt', text: unfoldedChainToSave(golden, 'FORWARD'), hook: 'forward', ipassmt: ipassmtFromEcho(golden.split('\n')[1] ?? '') });
  }
  for (const n of ['10000', '50000']) {
    const p = join(corpus, 'synthetic', `iptables-input-${n}.rules.gz`);
    if (existsSync(p)) out.push({ label: `iptables-input-${n}.rules.gz`, text: readText(p), hook: 'input' });
  }
  return out;
}

export function benchSpace(corpus: string): Figure[] {
  const all = inputs(corpus);
  // Atoms on FORWARD for the two real rulesets (the company's INPUT chain has only 13 rules).
  const atoms = all.filter((x) => !x.label.includes('input-')).map((x) => benchAtoms(x, 'forward'));
  return [...all.flatMap(benchFile), ...atoms];
}
