/**
 * iptables figures (issue 2): loading the 50k-rule synthetic ruleset next to `iptables-restore --test`
 * on the same file in the same run, and tracing one packet through it.
 *
 * Two load figures share one baseline measurement. The like-for-like one is "parse + convert"
 * (`loadIptables`): `iptables-restore --test` parses every line AND builds the kernel's rule
 * structures (it only skips the commit), just as loadIptables parses and builds the model Ruleset.
 * "parse only" (`parseIptablesSave`: syntax tree, line checks, chain resolution) stops before the
 * model and is shown to tell the two stages apart; it is not the figure the target refers to.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { prepare } from '../src/analysis/simulate/index.js';
import { findUnreachedAccepts } from '../src/analysis/why/unreached.js';
import { loadIptables, parseIptablesSave } from '../src/dialects/iptables/index.js';
import { CONTINUE } from '../src/model/action.js';
import { packetFromText } from '../src/model/packet-input.js';
import type { Ruleset } from '../src/model/ruleset.js';
import { type Figure, fmtMs, isRoot, measure, measureCommand, speedRatio, inNetns } from './timing.js';

export function benchIptables(corpusFile: string, label: string): Figure[] {
  const text = gunzipSync(readFileSync(corpusFile)).toString('utf8');
  const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
  const input = `${label} (${rules.toLocaleString('en-US')} rules)`;
  const figures: Figure[] = [];

  let loaded = loadIptables(text, label);
  const parse = measure(() => { loaded = loadIptables(text, label); }, { minRuns: 5, minMs: 3000 });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) throw new Error(`${label}: ${errors} parse errors, first: ${loaded.diagnostics[0]?.message ?? ''}`);

  parseIptablesSave(text, label);
  const parseOnly = measure(() => parseIptablesSave(text, label), { minRuns: 5, minMs: 3000 });

  let ratio = (_ms: number): string => 'baseline skipped: not root (iptables-restore --test needs CAP_NET_ADMIN)';
  if (isRoot()) {
    const base = inNetns(`fwdb-${process.pid}`, (ns) => measureCommand(['ip', 'netns', 'exec', ns, 'iptables-restore', '--test'], text, { runs: 5 }));
    ratio = (ms) => ('error' in base ? `baseline failed: ${base.error}` : speedRatio(ms, base.ms, 'iptables-restore --test'));
  }
  figures.push({ name: 'parse + convert iptables-save (loadIptables; like-for-like with iptables-restore --test)', input, value: fmtMs(parse.ms), ratio: ratio(parse.ms) });
  figures.push({ name: 'parse only (parseIptablesSave: syntax tree and checks, no model)', input, value: fmtMs(parseOnly.ms), ratio: ratio(parseOnly.ms) });

  const sim = prepare(loaded.ruleset);
  const prepareTime = measure(() => prepare(loaded.ruleset), { minRuns: 5, minMs: 1000 });
  // A packet that no rule matches walks the whole chain: the worst case for a trace.
  const packet = packetFromText('udp 203.0.113.9:1 -> 203.0.113.10:9 in fwo2').packet;
  if (packet === undefined) throw new Error('bench packet does not parse');
  const trace = measure(() => sim.simulate(packet), { minRuns: 20, minMs: 2000 });
  const result = sim.simulate(packet);
  figures.push({
    name: 'trace one packet (prepared ruleset)',
    input: `${input}, ${result.steps.length.toLocaleString('en-US')} rules visited, verdict ${result.verdict}`,
    value: fmtMs(trace.ms),
    ratio: `${(parse.ms / trace.ms).toFixed(0)}× less than parsing the file`,
  });
  const unreached = measure(() => findUnreachedAccepts(sim.prepared, packet, result), { minRuns: 5, minMs: 1000 });
  figures.push({
    name: 'scan for never-reached ACCEPTs after a drop (every later rule evaluated)',
    input,
    value: fmtMs(unreached.ms),
    ratio: `${(unreached.ms / parse.ms).toFixed(3)}× the parse time`,
  });
  // Worst case: the same 50k rules with every action made non-terminal, so one packet visits them all.
  const walkAll: Ruleset = {
    tables: loaded.ruleset.tables.map((t) => ({ ...t, chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => ({ ...r, action: CONTINUE })) })) })),
  };
  const simAll = prepare(walkAll);
  const allResult = simAll.simulate(packet);
  const traceAll = measure(() => simAll.simulate(packet), { minRuns: 5, minMs: 2000 });
  figures.push({
    name: 'trace one packet through every rule (worst case: all actions made non-terminal)',
    input: `${input}, ${allResult.steps.length.toLocaleString('en-US')} steps`,
    value: fmtMs(traceAll.ms),
    ratio: `${(traceAll.ms / parse.ms).toFixed(3)}× the parse time`,
  });
  figures.push({ name: 'index a ruleset for tracing (once per ruleset)', input, value: fmtMs(prepareTime.ms), ratio: `${(prepareTime.ms / parse.ms).toFixed(2)}× the parse time` });
  return figures;
}
