/**
 * The harness checks itself: plant a bug in the model (here: destination port ranges treated as
 * exclusive, `--dport 1:10` matching only 2-9) and the differential run must catch it and shrink
 * it to a tiny ruleset. The bug lives only in this test, as a transformation of the model Ruleset.
 */
import { expect, it } from 'vitest';
import { describeKernel, suiteSession } from './kernel-env.js';
import { formatDisagreement, runDifferential } from '../../src/kernel/differential.js';
import { fromGenerated, simulatorModel } from '../../src/kernel/model.js';
import { fromIntervals } from '../../src/model/interval-set.js';
import { NUM_FIELDS, type Match } from '../../src/model/match.js';
import type { Ruleset } from '../../src/model/ruleset.js';

function mapMatch(m: Match, f: (m: Match) => Match): Match {
  switch (m.kind) {
    case 'and': case 'or': return f({ ...m, items: m.items.map((x) => mapMatch(x, f)) });
    case 'not': return f({ ...m, item: mapMatch(m.item, f) });
    default: return f(m);
  }
}

/** The planted bug: every destination-port range loses its two ends. */
function exclusiveDportRanges(rs: Ruleset): Ruleset {
  const bug = (m: Match): Match => {
    if (m.kind !== 'num' || m.field !== 'dport') return m;
    const shrunk = m.set.intervals.map(([lo, hi]) => (lo < hi ? [lo + 1, hi - 1] as const : [lo, hi] as const));
    return { ...m, set: fromIntervals(NUM_FIELDS.dport, shrunk) };
  };
  return {
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => ({ ...r, match: mapMatch(r.match, bug) })) })),
    })),
  };
}

describeKernel('mutation check: the harness catches a planted simulator bug', () => {
  const session = suiteSession({ interfaces: ['fwo1', 'fwo2', 'eth0'] });

  it('finds "--dport lo:hi treated as exclusive" and shrinks it to a small case', async () => {
    const buggy = simulatorModel('simulator with exclusive dport ranges (planted bug)', fromGenerated, {}, exclusiveDportRanges);
    const clean = simulatorModel('simulator', fromGenerated);
    const report = await runDifferential({ session: session(), models: [buggy], baseline: clean, cases: 3000, seed: 1000, maxDisagreements: 1 });
    expect(report.harnessProblems).toEqual([]);
    expect(report.disagreements.length).toBe(1);
    const d = report.disagreements[0];
    if (!d) return;
    console.log(formatDisagreement(d, 'npx vitest run test/kernel/mutation.test.ts'));
    const s = d.shrunk;
    expect(s, 'the disagreement was shrunk').toBeDefined();
    if (!s) return;
    expect(s.rules).toBeLessThanOrEqual(2);
    // The minimal case is about a destination port range, and the packet sits on one of its ends.
    const range = /(--dport|--dports|--ports) (?:[\d,:]*,)?(\d+):(\d+)/.exec(s.ruleset);
    expect(range, `minimal ruleset uses a dport range:\n${s.ruleset}`).not.toBeNull();
    const lo = Number(range?.[2]);
    const hi = Number(range?.[3]);
    expect([lo, hi]).toContain(s.packet.dport);
    expect(s.differences.length).toBeGreaterThan(0);
  }, 300_000);
});
