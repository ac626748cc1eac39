/**
 * The engine against verdicts recorded from the Linux kernel (../shared/corpus/kernel/*.jsonl):
 * a recorded packet is in the engine's accepted set exactly when the kernel accepted it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { loadIptables } from '../../dialects/iptables/index.js';
import { loadNftables } from '../../dialects/nftables/index.js';
import { packetFromJson } from '../../model/packet-input.js';
import type { Ruleset } from '../../model/ruleset.js';
import { deriveCtState } from '../simulate/ctstate.js';
import { Space } from './space.js';
import { SymbolicRuleset } from './walk.js';

interface Case {
  readonly id: string;
  readonly ruleset: string;
  readonly packet: Record<string, unknown>;
  readonly kernel: { readonly verdict: string };
}

function check(file: string, load: (text: string, name: string) => Ruleset): { compared: number; wrong: string[] } {
  const path = corpusPath(`kernel/${file}`);
  if (path === undefined) return { compared: 0, wrong: [] };
  const cases = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Case);
  const byRuleset = new Map<string, { sp: Space; accepted: number }>();
  const wrong: string[] = [];
  for (const c of cases) {
    let e = byRuleset.get(c.ruleset);
    if (e === undefined) {
      const rs = load(c.ruleset, `${c.id}.rules`);
      const sp = new Space([rs]);
      e = { sp, accepted: new SymbolicRuleset(sp, rs).hook('input').accepted };
      byRuleset.set(c.ruleset, e);
    }
    const p = packetFromJson({ ...c.packet, hook: 'input' }).packet;
    if (p === undefined) {
      wrong.push(`${c.id}: packet does not parse`);
      continue;
    }
    const inSet = e.sp.contains(e.accepted, p, p.ctstate ?? deriveCtState(p));
    if (inSet !== (c.kernel.verdict === 'accept')) wrong.push(`${c.id}: kernel ${c.kernel.verdict}, engine ${inSet ? 'accepted' : 'not accepted'}`);
  }
  return { compared: cases.length, wrong };
}

describe.skipIf(!hasCorpus)('engine against the kernel corpus', () => {
  it('iptables', () => {
    const r = check('iptables-filter-sample.jsonl', (t, n) => loadIptables(t, n, { family: 'ipv4' }).ruleset);
    expect(r.compared).toBeGreaterThan(1000);
    expect(r.wrong.slice(0, 5)).toEqual([]);
  });

  it('ip6tables', () => {
    const r = check('ip6tables-filter-sample.jsonl', (t, n) => loadIptables(t, n, { family: 'ipv6' }).ruleset);
    expect(r.compared).toBeGreaterThan(700);
    expect(r.wrong.slice(0, 5)).toEqual([]);
  });

  it('nftables', () => {
    const r = check('nftables-input-sample.jsonl', (t, n) => loadNftables(t, n).ruleset);
    expect(r.compared).toBeGreaterThan(800);
    expect(r.wrong.slice(0, 5)).toEqual([]);
  });
});
