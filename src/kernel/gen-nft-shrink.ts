/**
 * Shrinking an nftables disagreement: greedily try smaller rulesets (no iptables-nft table, fewer
 * tables, rules, chains, sets, matches, set elements; simpler actions and policies) and plainer
 * packets, keeping each change only while the kernel and the model still disagree (every candidate
 * is checked in the kernel, so the result is a real, reproducible disagreement).
 */
import { type Packet, minimalLength } from '../model/packet.js';
import type { GenRuleset } from './gen-syntax.js';
import type { NftGenAction, NftGenChain, NftGenMatch, NftGenRule, NftGenRuleset, NftGenTable } from './gen-nft-syntax.js';
import { shrinkGreedy } from './shrink.js';

export type NftOracle = (rs: NftGenRuleset, p: Packet) => Promise<boolean>;

type Candidate = { readonly rs: NftGenRuleset; readonly p: Packet };

function withTable(rs: NftGenRuleset, ti: number, t: NftGenTable | undefined): NftGenRuleset {
  const tables = t === undefined ? rs.tables.filter((_, i) => i !== ti) : rs.tables.map((x, i) => (i === ti ? t : x));
  return { ...rs, tables };
}

function withChain(t: NftGenTable, ci: number, c: NftGenChain | undefined): NftGenTable {
  return { ...t, chains: c === undefined ? t.chains.filter((_, i) => i !== ci) : t.chains.map((x, i) => (i === ci ? c : x)) };
}

function withRule(c: NftGenChain, ri: number, r: NftGenRule | undefined): NftGenChain {
  return { ...c, rules: r === undefined ? c.rules.filter((_, i) => i !== ri) : c.rules.map((x, i) => (i === ri ? r : x)) };
}

function mentions(t: NftGenTable, name: string): boolean {
  // Rules and map entries name chains (`"chain"`), sets (`"set"`) and maps (`"name"`); chain objects are left out.
  const text = JSON.stringify({ rules: t.chains.map((c) => c.rules), maps: t.maps.map((m) => m.entries) }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.includes(`"chain":"${name}"`) || text.includes(`"set":"${name}"`) || text.includes(`"name":"${name}"`);
}

/** Smaller forms of a match (fewer set elements, no negation). */
function smaller(m: NftGenMatch): NftGenMatch[] {
  const out: NftGenMatch[] = [];
  switch (m.kind) {
    case 'num':
      if (m.form.kind === 'set' && m.form.items.length > 1) for (const [i] of m.form.items.entries()) out.push({ ...m, form: { ...m.form, items: m.form.items.filter((_, j) => j !== i) } });
      if ((m.form.kind === 'set' || m.form.kind === 'range' || m.form.kind === 'ref') && m.form.neg) out.push({ ...m, form: { ...m.form, neg: false } });
      return out;
    case 'addr':
      if (m.form.kind === 'set' && m.form.items.length > 1) for (const [i] of m.form.items.entries()) out.push({ ...m, form: { ...m.form, items: m.form.items.filter((_, j) => j !== i) } });
      if (m.form.neg) out.push({ ...m, form: { ...m.form, neg: false } });
      return out;
    case 'iif':
      if (m.names.length > 1) for (const [i] of m.names.entries()) out.push({ ...m, names: m.names.filter((_, j) => j !== i) });
      if (m.neg) out.push({ ...m, neg: false });
      return out;
    case 'concat':
      if (m.form.kind === 'set' && m.form.items.length > 1) for (const [i] of m.form.items.entries()) out.push({ ...m, form: { kind: 'set', items: m.form.items.filter((_, j) => j !== i) } });
      if (m.neg) out.push({ ...m, neg: false });
      return out;
    case 'flags': case 'ct': return out;
  }
}

function simplerActions(a: NftGenAction): NftGenAction[] {
  switch (a.kind) {
    case 'reject': return [{ kind: 'drop' }, ...(a.with !== '' ? [{ kind: 'reject', with: '' } as const] : [])];
    case 'vmap': {
      const out: NftGenAction[] = [{ kind: 'accept' }, { kind: 'drop' }];
      if (a.map.kind === 'anon' && a.map.entries.length > 1) for (const [i] of a.map.entries.entries()) out.push({ ...a, map: { kind: 'anon', entries: a.map.entries.filter((_, j) => j !== i) } });
      return out;
    }
    case 'goto': return [{ kind: 'jump', chain: a.chain }, { kind: 'accept' }, { kind: 'drop' }];
    case 'jump': return [{ kind: 'accept' }, { kind: 'drop' }];
    case 'return': case 'drop': return [{ kind: 'accept' }];
    case 'accept': case 'none': return [];
  }
}

function* companionCandidates(rs: NftGenRuleset, ipt: GenRuleset, p: Packet): Generator<Candidate> {
  const { iptables: _drop, ...without } = rs;
  yield { rs: without, p };
  for (const [ci, c] of ipt.chains.entries()) {
    for (let ri = c.rules.length - 1; ri >= 0; ri--) {
      const chains = ipt.chains.map((x, i) => (i === ci ? { ...x, rules: x.rules.filter((_, j) => j !== ri) } : x));
      yield { rs: { ...rs, iptables: { ...ipt, chains } }, p };
    }
  }
  if (ipt.policy === 'DROP') yield { rs: { ...rs, iptables: { ...ipt, policy: 'ACCEPT' } }, p };
}

function* candidates(rs: NftGenRuleset, p: Packet, interfaces: readonly string[]): Generator<Candidate> {
  if (rs.iptables) yield* companionCandidates(rs, rs.iptables, p);
  for (let ti = rs.tables.length - 1; ti >= 0; ti--) if (rs.tables.length > 1) yield { rs: withTable(rs, ti, undefined), p };
  for (const [ti, t] of rs.tables.entries()) {
    for (let ci = t.chains.length - 1; ci >= 0; ci--) {
      const c = t.chains[ci] as NftGenChain;
      for (let ri = c.rules.length - 1; ri >= 0; ri--) yield { rs: withTable(rs, ti, withChain(t, ci, withRule(c, ri, undefined))), p };
      if (c.base || !mentions(t, c.name)) yield { rs: withTable(rs, ti, withChain(t, ci, undefined)), p };
    }
    for (const [si, s] of t.sets.entries()) if (!mentions(t, s.name)) yield { rs: withTable(rs, ti, { ...t, sets: t.sets.filter((_, i) => i !== si) }), p };
    if (t.maps.length > 0 && !mentions({ ...t, maps: [] }, 'vm')) yield { rs: withTable(rs, ti, { ...t, maps: [] }), p };
    for (const [ci, c] of t.chains.entries()) {
      const put = (ri: number, r: NftGenRule): Candidate => ({ rs: withTable(rs, ti, withChain(t, ci, withRule(c, ri, r))), p });
      for (const [ri, r] of c.rules.entries()) {
        for (const [mi] of r.matches.entries()) yield put(ri, { ...r, matches: r.matches.filter((_, j) => j !== mi) });
        for (const [mi, m] of r.matches.entries()) for (const s of smaller(m)) yield put(ri, { ...r, matches: r.matches.map((x, j) => (j === mi ? s : x)) });
        for (const a of simplerActions(r.action)) yield put(ri, { ...r, action: a });
        if (r.log !== undefined) { const { log: _l, ...rest } = r; yield put(ri, rest); }
        if (r.counter) yield put(ri, { ...r, counter: false });
      }
      if (c.base?.policy === 'drop') yield { rs: withTable(rs, ti, withChain(t, ci, { ...c, base: { ...c.base, policy: 'accept' } })), p };
    }
  }
  const plain: Partial<Packet>[] = [
    { ttl: 64 },
    { length: minimalLength(p.family, p.protocol) + (p.protocol === 6 || p.protocol === 17 || p.protocol === 1 || p.protocol === 58 ? 0 : 8) },
    ...(interfaces[0] !== undefined ? [{ iif: interfaces[0] }] : []),
    ...(p.protocol === 6 ? [{ tcpFlags: 0x02 }] : []),
    ...(p.sport !== undefined ? [{ sport: 40000 }] : []),
  ];
  for (const change of plain) {
    if (Object.entries(change).some(([k, v]) => (p as unknown as Record<string, unknown>)[k] !== v)) yield { rs, p: { ...p, ...change } };
  }
}

export async function shrinkNftCase(
  rs: NftGenRuleset, p: Packet, disagrees: NftOracle, interfaces: readonly string[], maxChecks = 300,
): Promise<{ readonly ruleset: NftGenRuleset; readonly packet: Packet; readonly checks: number; readonly steps: number }> {
  return shrinkGreedy({ rs, p }, (r, q) => candidates(r, q, interfaces), disagrees, maxChecks);
}
