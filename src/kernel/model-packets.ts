/**
 * Packets that exercise a user's ruleset, derived from the model (any ruleset the iptables dialect
 * reads): boundary values of every address set, port / length / TTL range and bit test in the rules,
 * and packets aimed at each rule (its match made true, the jumps to its chain too). Addresses stay
 * in the test ranges (sources 198.18.0.0/16 or fd00:f00d:18::/48, destinations 198.19.0.0/16 or
 * fd00:f00d:19::/48): a rule about other addresses is exercised by the packets it does not match.
 */
import type { Family } from '../model/address.js';
import type { Interval } from '../model/interval-set.js';
import type { Match } from '../model/match.js';
import type { Packet } from '../model/packet.js';
import type { Chain, Rule, Ruleset } from '../model/ruleset.js';
import { finish, makeRandom } from './gen-aim.js';
import { POOLS, poolBase } from './gen-ruleset.js';
import { MAX_IP_LENGTH } from './frame.js';

type Draft = { -readonly [K in keyof Packet]: Packet[K] };

interface Ctx {
  readonly family: Family;
  readonly rand: () => number;
  readonly interfaces: readonly string[];
}

function pool(f: Family, which: 'src' | 'dst'): [bigint, bigint] {
  const lo = poolBase(f, which);
  return [lo, lo | ((1n << BigInt(POOLS[f].hostBits)) - 1n)];
}

function pick<T>(c: Ctx, xs: readonly T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.floor(c.rand() * xs.length)];
}

function bigIn(c: Ctx, lo: bigint, hi: bigint): bigint {
  const r = BigInt(Math.floor(c.rand() * 2 ** 32)) * BigInt(Math.floor(c.rand() * 2 ** 32));
  return lo + (r % (hi - lo + 1n));
}

/** A value of [min, max] inside (want) or outside (!want) the union of `ivs`, preferring edges. */
function valueFor<T extends number | bigint>(c: Ctx, ivs: readonly Interval<T>[], min: T, max: T, want: boolean, one: T): T | undefined {
  const inside = (v: T): boolean => ivs.some(([lo, hi]) => v >= lo && v <= hi);
  const cands: T[] = [];
  for (const [lo, hi] of ivs) {
    for (const v of [lo, hi, (lo as number) - (one as number), (hi as number) + (one as number)] as T[]) {
      if (v >= min && v <= max && inside(v) === want) cands.push(v);
    }
  }
  return pick(c, cands);
}

const NUM_TO_FIELD = { sport: 'sport', dport: 'dport', icmpType: 'icmpType', icmpCode: 'icmpCode', length: 'length', ttl: 'ttl' } as const;

/** Makes `m` come out as `want` for the draft, as far as the packet's fields allow. */
export function aimModelMatch(c: Ctx, d: Draft, m: Match, want: boolean): void {
  switch (m.kind) {
    case 'and':
      if (want) for (const x of m.items) aimModelMatch(c, d, x, true);
      else { const x = pick(c, m.items); if (x) aimModelMatch(c, d, x, false); }
      return;
    case 'or':
      if (want) { const x = pick(c, m.items); if (x) aimModelMatch(c, d, x, true); } else for (const x of m.items) aimModelMatch(c, d, x, false);
      return;
    case 'not': aimModelMatch(c, d, m.item, !want); return;
    case 'addr': {
      if (m.field !== 'src' && m.field !== 'dst') return;
      if (m.set.family !== c.family) return;
      const [plo, phi] = pool(c.family, m.field);
      const v = valueFor(c, m.set.set.intervals, plo, phi, want, 1n);
      if (v !== undefined) d[m.field] = v;
      else if (want) {
        const inPool = m.set.set.intervals.map(([lo, hi]) => [lo > plo ? lo : plo, hi < phi ? hi : phi] as const).filter(([lo, hi]) => lo <= hi);
        const iv = pick(c, inPool);
        if (iv) d[m.field] = bigIn(c, iv[0], iv[1]);
      }
      return;
    }
    case 'num': {
      if (m.field === 'protocol') {
        const v = valueFor(c, m.set.intervals, 0, 255, want, 1);
        const ok = [6, 17, c.family === 'ipv4' ? 1 : 58, 50];
        const p = want ? pick(c, ok.filter((x) => m.set.intervals.some(([lo, hi]) => x >= lo && x <= hi))) ?? v
          : pick(c, ok.filter((x) => !m.set.intervals.some(([lo, hi]) => x >= lo && x <= hi)));
        if (p !== undefined && p !== d.protocol) {
          d.protocol = p;
          if (p === 6) d.tcpFlags = 0x02;
          d.sport ??= 40000;
          d.dport ??= 80;
        }
        return;
      }
      if (m.field === 'dscp') {
        const v = valueFor(c, m.set.intervals, 0, 63, want, 1);
        if (v !== undefined) d.tos = (v << 2) | (d.tos & 3);
        return;
      }
      const field = NUM_TO_FIELD[m.field as keyof typeof NUM_TO_FIELD];
      if (field === undefined) return;
      const max = field === 'length' ? MAX_IP_LENGTH : field === 'ttl' || field === 'icmpType' || field === 'icmpCode' ? 255 : 65535;
      const v = valueFor(c, m.set.intervals, 0, max, want, 1);
      if (v !== undefined) d[field] = v;
      return;
    }
    case 'bits': {
      if (m.field === 'connmark') return;
      const free = Math.floor(c.rand() * 2 ** 32) & ~m.mask;
      const low = m.mask & -m.mask;
      const v = (want ? m.value | free : (m.value ^ low) | free) >>> 0;
      if (m.field === 'tcpFlags' || m.field === 'tos') d[m.field] = v & 0xff;
      else d.mark = v;
      return;
    }
    case 'iface': {
      if (m.dir !== 'in') return;
      const hit = (i: string): boolean => (m.wildcard ? i.startsWith(m.name) : i === m.name);
      const i = pick(c, c.interfaces.filter((x) => hit(x) === want));
      if (i !== undefined) d.iif = i;
      return;
    }
    case 'ctstate': {
      const reachable = ['new', 'invalid', ...(c.family === 'ipv6' ? ['untracked'] : [])];
      const target = pick(c, reachable.filter((s) => m.states.includes(s as never) === want));
      const icmp = c.family === 'ipv4' ? 1 : 58;
      if (target === 'new') {
        if (d.protocol === 6) d.tcpFlags = 0x02;
        if (d.protocol === icmp) { d.icmpType = c.family === 'ipv4' ? 8 : 128; d.icmpCode = 0; }
      } else if (target === 'invalid') {
        if (d.protocol === 6) d.tcpFlags = 0x01;
        if (d.protocol === icmp) { d.icmpType = c.family === 'ipv4' ? 0 : 129; d.icmpCode = 0; }
      } else if (target === 'untracked' && d.protocol === 58) {
        d.icmpType = 135;
      }
      return;
    }
    default:
      return;
  }
}

function chainsOf(rs: Ruleset): { table: string; chain: Chain }[] {
  return rs.tables.flatMap((t) => t.chains.map((chain) => ({ table: t.name, chain })));
}

/** The jump / goto rules leading to `chain` (outermost last). */
function callersOf(rs: Ruleset, table: string, chain: string, c: Ctx, depth = 0): Rule[] {
  if (depth > 6) return [];
  const here = chainsOf(rs).filter((x) => x.table === table);
  const callers = here.flatMap((x) => x.chain.rules.filter((r) => (r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === chain).map((r) => ({ x, r })));
  const hit = pick(c, callers);
  return hit ? [hit.r, ...callersOf(rs, table, hit.x.chain.name, c, depth + 1)] : [];
}

/** The rules of base chains on the input hook and every user chain (the ones input packets can meet). */
export function inputRules(rs: Ruleset): { table: string; chain: string; rule: Rule }[] {
  return chainsOf(rs)
    .filter((x) => x.chain.base === undefined || (x.chain.base.hook === 'input' && x.chain.base.type !== 'nat'))
    .flatMap((x) => x.chain.rules.map((rule) => ({ table: x.table, chain: x.chain.name, rule })));
}

/** A random packet of the test ranges with boundary-ish defaults. */
function randomDraft(c: Ctx): Draft {
  const [slo, shi] = pool(c.family, 'src');
  const [dlo, dhi] = pool(c.family, 'dst');
  const proto = pick(c, [6, 6, 17, 17, c.family === 'ipv4' ? 1 : 58]) as number;
  return {
    family: c.family, protocol: proto, src: bigIn(c, slo, shi), dst: bigIn(c, dlo, dhi),
    sport: Math.floor(c.rand() * 65536), dport: Math.floor(c.rand() * 65536),
    icmpType: c.family === 'ipv4' ? 8 : 128, icmpCode: 0,
    tcpFlags: pick(c, [0x02, 0x02, 0x10, 0x12, 0x11, 0x04, 0x01]) as number,
    iif: pick(c, c.interfaces) as string, ttl: pick(c, [64, 64, 1, 128, 255]) as number,
    length: 0, tos: 0, mark: 0, connmark: 0, hook: 'input', fragment: false,
  };
}

/** What the packet-picker may ask: which rules a packet matches (the simulator; the kernel still judges). */
export type MatchedRules = (p: Packet) => readonly { readonly table: string; readonly chain: string; readonly index: number }[];

/**
 * `count` packets for `rs`: one aimed at each rule in turn (its match true, plus the jumps into its
 * chain), every third then moved off on one field the rule tests; the rest random. With `guide`,
 * a packet caught by an earlier rule is re-aimed to miss that rule (a few rounds), so rules behind
 * broad earlier ones are reached too. Deterministic for `seed`.
 */
export function packetsForRuleset(
  rs: Ruleset, family: Family, interfaces: readonly string[], count: number, seed: number, guide?: MatchedRules,
): Packet[] {
  const rules = inputRules(rs);
  const ix = indexRules(rules);
  const out: Packet[] = [];
  for (let i = 0; i < count; i++) {
    const c: Ctx = { family, rand: makeRandom(seed * 7919 + i), interfaces };
    const d = randomDraft(c);
    const target = rules.length > 0 ? rules[i % rules.length] : undefined;
    if (target && i % 5 !== 4) {
      const path = callersOf(rs, target.table, target.chain, c);
      const aim = (): void => {
        aimModelMatch(c, d, target.rule.match, true);
        for (const r of path) aimModelMatch(c, d, r.match, true);
      };
      aim();
      if (guide) steer(c, d, family, rules, ix, target, guide, aim);
      if (i % 3 === 1) aimModelMatch(c, d, target.rule.match, false);
    }
    out.push(finish(d, family));
  }
  return out;
}

interface RuleIndex {
  readonly keyOf: Map<Rule, string>;
  readonly position: Map<string, number>;
}

function key(t: string, ch: string, i: number): string {
  return `${t} ${ch} ${i}`;
}

function indexRules(rules: readonly { table: string; chain: string; rule: Rule }[]): RuleIndex {
  const keyOf = new Map<Rule, string>();
  const position = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const [n, r] of rules.entries()) {
    const idx = (seen.get(`${r.table} ${r.chain}`) ?? 0) + 1;
    seen.set(`${r.table} ${r.chain}`, idx);
    keyOf.set(r.rule, key(r.table, r.chain, idx));
    position.set(key(r.table, r.chain, idx), n);
  }
  return { keyOf, position };
}

/** Re-aims `d` away from earlier rules that catch it before `target`, for a few rounds. */
function steer(
  c: Ctx, d: Draft, family: Family, rules: readonly { table: string; chain: string; rule: Rule }[], ix: RuleIndex,
  target: { table: string; chain: string; rule: Rule }, guide: MatchedRules, aim: () => void,
): void {
  const want = ix.keyOf.get(target.rule);
  for (let round = 0; round < 4; round++) {
    const matched = guide(finish({ ...d }, family));
    if (matched.some((m) => key(m.table, m.chain, m.index) === want)) return;
    const blocker = matched.map((m) => ix.position.get(key(m.table, m.chain, m.index))).find((n) => n !== undefined && rules[n]?.rule.action.kind !== 'jump' && rules[n]?.rule.action.kind !== 'goto');
    const b = blocker === undefined ? undefined : rules[blocker];
    if (!b) return;
    aimModelMatch(c, d, b.rule.match, false);
    aim();
  }
}
