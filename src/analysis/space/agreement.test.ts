/**
 * The agreement property: for any ruleset and packet, `simulate` says accept exactly when the
 * packet is in the engine's accepted set; and the engine's "may accept" / "may block" sets contain
 * the packet exactly when some branch of the simulation accepts / blocks it. Rulesets and packets
 * come from the kernel harness's generators (src/kernel/), through the model directly and through
 * the iptables parser; a variant adds undecided rules (opaque matches and targets).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../model/action.js';
import { type Match, and, opaque } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import type { Ruleset } from '../../model/ruleset.js';
import { arbCase, printRuleset } from '../../kernel/generate.js';
import { genToModel } from '../../kernel/gen-to-model.js';
import { loadIptables } from '../../dialects/iptables/index.js';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { prepare } from '../simulate/index.js';
import { Space } from './space.js';
import { SymbolicRuleset } from './walk.js';
import { witness } from './witness.js';

const IFACES = ['fwo1', 'eth0', 'lo'];

/** Checks every packet; returns a description of the first disagreement. */
export function disagreement(rs: Ruleset, packets: readonly Packet[]): string | undefined {
  const sp = new Space([rs]);
  const sym = new SymbolicRuleset(sp, rs);
  const sets = sym.hook('input');
  const sim = prepare(rs);
  for (const p of packets) {
    const r = sim.simulate(p, { maxBranches: 1024 });
    const verdicts = new Set([r.verdict, ...r.alternatives.map((a) => a.verdict)]);
    const inAccepted = sp.contains(sets.accepted, p, r.ctstate);
    const mayAccept = sp.contains(sets.mayAccept, p, r.ctstate);
    const mayBlock = sp.contains(sets.mayBlock, p, r.ctstate);
    const ok = inAccepted === (r.verdict === 'accept') && mayAccept === verdicts.has('accept')
      && mayBlock === (verdicts.has('drop') || verdicts.has('reject'));
    if (!ok) {
      return `packet ${JSON.stringify(p, (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))} ctstate ${r.ctstate}: `
        + `simulate ${[...verdicts].join('/')} (primary ${r.verdict}), engine accepted=${inAccepted} mayAccept=${mayAccept} mayBlock=${mayBlock}`;
    }
  }
  return undefined;
}

/** Makes some rules undecided: an opaque conjunct, or an opaque terminal target. */
function withOpaque(rs: Ruleset, picks: readonly number[]): Ruleset {
  let k = 0;
  return {
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({
        ...c,
        rules: c.rules.map((r) => {
          const pick = picks[k++ % Math.max(1, picks.length)] ?? 0;
          if (pick === 1) return { ...r, match: and(r.match, opaque('limit', '-m limit --limit 1/s')) as Match };
          if (pick === 2) return { ...r, action: { kind: 'queue', text: 'NFQUEUE', bypass: false } as Action };
          if (pick === 3) return { ...r, match: and(r.match, { kind: 'not', item: opaque('recent', '-m recent') }) as Match };
          return r;
        }),
      })),
    })),
  };
}

describe('engine agrees with the simulator', () => {
  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`${family}: generated rulesets, through the model`, () => {
      fc.assert(fc.property(arbCase(family, { interfaces: IFACES, packets: 40 }), ({ ruleset, packets }) => {
        const d = disagreement(genToModel(ruleset), packets);
        if (d !== undefined) throw new Error(`${printRuleset(ruleset)}\n${d}`);
      }), { numRuns: 80, seed: family === 'ipv4' ? 42 : 43 });
    });

    it(`${family}: generated rulesets, through the iptables parser`, () => {
      fc.assert(fc.property(arbCase(family, { interfaces: IFACES, packets: 25 }), ({ ruleset, packets }) => {
        const loaded = loadIptables(printRuleset(ruleset), 'gen.rules', { family });
        expect(hasErrors(loaded.diagnostics)).toBe(false);
        const d = disagreement(loaded.ruleset, packets);
        if (d !== undefined) throw new Error(`${printRuleset(ruleset)}\n${d}`);
      }), { numRuns: 60, seed: family === 'ipv4' ? 7 : 8 });
    });

    it(`${family}: with undecided rules (opaque matches, user-space verdicts)`, () => {
      const arb = fc.tuple(arbCase(family, { interfaces: IFACES, packets: 25, maxInputRules: 8 }), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 12 }));
      fc.assert(fc.property(arb, ([{ ruleset, packets }, picks]) => {
        const d = disagreement(withOpaque(genToModel(ruleset), picks), packets);
        if (d !== undefined) throw new Error(`${printRuleset(ruleset)}\npicks ${picks.join(',')}\n${d}`);
      }), { numRuns: 80, seed: family === 'ipv4' ? 11 : 12 });
    });
  }

  it('packets with an explicit conntrack state', () => {
    const states = fc.constantFrom('new', 'established', 'related', 'invalid', 'untracked') as fc.Arbitrary<Packet['ctstate']>;
    const arb = fc.tuple(arbCase('ipv4', { interfaces: IFACES, packets: 20 }), fc.array(states, { minLength: 20, maxLength: 20 }));
    fc.assert(fc.property(arb, ([{ ruleset, packets }, st]) => {
      const withState = packets.map((p, i) => ({ ...p, ctstate: st[i] ?? 'new' }) as Packet);
      const d = disagreement(genToModel(ruleset), withState);
      if (d !== undefined) throw new Error(`${printRuleset(ruleset)}\n${d}`);
    }), { numRuns: 60, seed: 5 });
  });

  it('witnesses of the accepted and blocked sets get that verdict from the simulator', () => {
    fc.assert(fc.property(arbCase('ipv4', { interfaces: IFACES, packets: 1 }), ({ ruleset }) => {
      const rs = genToModel(ruleset);
      const sp = new Space([rs]);
      const sets = new SymbolicRuleset(sp, rs).hook('input');
      const sim = prepare(rs);
      const acc = witness(sp, sets.accepted, 'input');
      if (acc !== undefined) expect(sim.simulate(acc).verdict).toBe('accept');
      const blk = witness(sp, sets.mayBlock, 'input');
      if (blk !== undefined) expect(sim.simulate(blk).verdict).not.toBe('accept');
      expect(acc !== undefined || blk !== undefined).toBe(true);
    }), { numRuns: 100, seed: 9 });
  });
});
