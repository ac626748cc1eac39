/**
 * One fixture per finding code (fixtures/<code>.v4|v6, each the clean ruleset plus one planted
 * anomaly): lint finds the planted finding, and its witness packet, traced by the simulator, shows
 * the claimed behaviour. The clean pair (clean.v4 + clean.v6) gives no finding at all.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { loadIptables } from '../../dialects/iptables/index.js';
import type { Ruleset } from '../../model/ruleset.js';
import { prepare } from '../simulate/index.js';
import { isPolicyRef, type RuleRef } from '../simulate/types.js';
import { type Finding, lintRuleset } from './index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function loadFixtures(...names: string[]): Ruleset {
  const tables = names.flatMap((n) => {
    const loaded = loadIptables(readFileSync(join(dir, n), 'utf8'), n, { family: n.endsWith('.v6') ? 'ipv6' : 'ipv4' });
    if (hasErrors(loaded.diagnostics) && !n.startsWith('jump-loop')) throw new Error(`${n}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
    return loaded.ruleset.tables;
  });
  return { tables };
}

function isRule(ref: RuleRef, f: Finding): boolean {
  return ref.chain === f.rule?.chain && ref.index === f.rule.index;
}

function without(rs: Ruleset, f: Finding): Ruleset {
  return {
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => (c.name !== f.rule?.chain || t.name !== f.rule.table || t.family !== f.rule.family ? c
        : { ...c, rules: c.rules.filter((_, i) => i + 1 !== f.rule?.index) })),
    })),
  };
}

type Claim = 'blocked' | 'accepted' | 'not-by-rule' | 'decided-by-related' | 'same-without' | 'policy' | 'none';

const PLANTED: readonly [code: string, files: string[], claim: Claim][] = [
  ['shadowed-rule', ['shadowed-rule.v4', 'clean.v6'], 'not-by-rule'],
  ['redundant-rule', ['redundant-rule.v4', 'clean.v6'], 'same-without'],
  ['conflicting-rules', ['conflicting-rules.v4', 'clean.v6'], 'decided-by-related'],
  ['never-matches', ['never-matches.v4', 'clean.v6'], 'none'],
  ['unreachable-after-terminal', ['unreachable-after-terminal.v4', 'clean.v6'], 'not-by-rule'],
  ['unused-chain', ['unused-chain.v4', 'clean.v6'], 'none'],
  ['jump-loop', ['jump-loop.v4', 'clean.v6'], 'none'],
  ['log-never-fires', ['log-never-fires.v4', 'clean.v6'], 'not-by-rule'],
  ['no-established-accept', ['no-established-accept.v4', 'clean.v6'], 'blocked'],
  ['loopback-not-accepted', ['loopback-not-accepted.v4', 'clean.v6'], 'blocked'],
  ['icmp-pmtu-blocked', ['icmp-pmtu-blocked.v4', 'clean.v6'], 'blocked'],
  ['icmpv6-nd-blocked', ['clean.v4', 'icmpv6-nd-blocked.v6'], 'blocked'],
  ['ipv6-unfiltered', ['clean.v4', 'open.v6'], 'accepted'],
  ['ipv4-unfiltered', ['open.v4', 'clean.v6'], 'accepted'],
  ['admin-port-open', ['admin-port-open.v4', 'clean.v6'], 'accepted'],
  ['invalid-not-dropped', ['invalid-not-dropped.v4', 'clean.v6'], 'accepted'],
  ['ssh-no-rate-limit', ['ssh-no-rate-limit.v4', 'clean.v6'], 'accepted'],
  ['undocumented-rule', ['undocumented-rule.v4', 'clean.v6'], 'none'],
  ['default-accept-input', ['default-accept-input.v4', 'clean.v6'], 'policy'],
];

describe('lint fixtures', () => {
  it('finds nothing in the clean ruleset', () => {
    const r = lintRuleset(loadFixtures('clean.v4', 'clean.v6'));
    expect(r.findings.map((f) => `${f.code} ${f.message}`)).toEqual([]);
  });

  for (const [code, files, claim] of PLANTED) {
    it(`finds lint/${code} and its witness shows it`, () => {
      const rs = loadFixtures(...files);
      const found = lintRuleset(rs).findings.filter((f) => f.code === `lint/${code}`);
      expect(found.length).toBeGreaterThan(0);
      const sim = prepare(rs);
      for (const f of found) {
        expect(f.location?.line ?? 0).toBeGreaterThan(0);
        if (claim === 'none') continue;
        const w = f.witness;
        if (w === undefined) throw new Error(`${code}: no witness`);
        const r = sim.simulate(w);
        switch (claim) {
          case 'blocked': expect(r.verdict).not.toBe('accept'); break;
          case 'accepted': expect(r.verdict).toBe('accept'); break;
          case 'policy': expect(isPolicyRef(r.decidedBy) && r.verdict === 'accept').toBe(true); break;
          case 'not-by-rule': {
            expect(r.matched.some((m) => isRule(m, f))).toBe(false);
            const related = f.related[0]?.rule;
            if (related?.index !== undefined) expect(r.matched.some((m) => m.index === related.index && m.chain === related.chain)).toBe(true);
            break;
          }
          case 'decided-by-related': {
            const d = r.decidedBy;
            expect(!isPolicyRef(d) && d.index === f.related[0]?.rule.index).toBe(true);
            break;
          }
          case 'same-without': {
            expect(r.matched.some((m) => isRule(m, f))).toBe(true);
            expect(prepare(without(rs, f)).simulate(w).verdict).toBe(r.verdict);
            break;
          }
        }
      }
    });
  }

  it('names every covering rule of a union-shadowed rule, and flags the different action', () => {
    const f = lintRuleset(loadFixtures('shadowed-rule.v4', 'clean.v6')).findings.find((x) => x.code === 'lint/shadowed-rule');
    expect(f?.severity).toBe('error');
    expect(f?.related.map((r) => r.rule.index)).toEqual([4, 5]);
  });

  it('--disable drops a code', () => {
    const rs = loadFixtures('undocumented-rule.v4', 'clean.v6');
    expect(lintRuleset(rs, { disable: ['undocumented-rule'] }).findings.some((f) => f.code === 'lint/undocumented-rule')).toBe(false);
  });
});
