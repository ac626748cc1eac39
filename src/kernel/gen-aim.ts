/**
 * Aiming a packet at a rule: change a random packet until it satisfies the rule's matches (and the
 * matches of the jumps into the rule's chain), so that rules deep in a ruleset and in user chains
 * actually match, instead of nearly every packet falling through to the policy. A negated match is
 * aimed at its opposite; a match that already holds is left alone; when two ask for different
 * values of one field, the later one wins.
 */
import type { Family } from '../model/address.js';
import { prefixInterval } from '../model/address.js';
import { type Packet, minimalLength } from '../model/packet.js';
import { MAX_IP_LENGTH } from './frame.js';
import { POOLS, poolBase } from './gen-ruleset.js';
import { makeRandom } from './random.js';
import type { GenMatch, GenRule, GenRuleset } from './gen-syntax.js';

export { makeRandom } from './random.js';

type Draft = { -readonly [K in keyof Packet]: Packet[K] };

interface Aim {
  readonly d: Draft;
  readonly rand: () => number;
  readonly family: Family;
  readonly interfaces: readonly string[];
}

function pick<T>(a: Aim, xs: readonly T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.floor(a.rand() * xs.length)];
}

function intIn(a: Aim, lo: number, hi: number): number {
  return lo + Math.floor(a.rand() * (hi - lo + 1));
}

function bigIn(a: Aim, lo: bigint, hi: bigint): bigint {
  const span = hi - lo + 1n;
  const r = BigInt(Math.floor(a.rand() * 2 ** 32)) * BigInt(Math.floor(a.rand() * 2 ** 32));
  return lo + (r % span);
}

/** An address of `which` pool inside (want) or outside (!want) [lo, hi], if there is one. */
function aimAddress(a: Aim, which: 'src' | 'dst', lo: bigint, hi: bigint, want: boolean): bigint | undefined {
  const plo = poolBase(a.family, which);
  const phi = plo | ((1n << BigInt(POOLS[a.family].hostBits)) - 1n);
  if (want) {
    const l = lo > plo ? lo : plo;
    const h = hi < phi ? hi : phi;
    if (l > h) return undefined;
    return pick(a, [l, h, bigIn(a, l, h)]);
  }
  const outside = [lo - 1n, hi + 1n].filter((v) => v >= plo && v <= phi);
  return pick(a, outside);
}

function aimPort(a: Aim, ranges: readonly (readonly [number, number])[], want: boolean): number | undefined {
  if (want) {
    const r = pick(a, ranges);
    return r === undefined ? undefined : (pick(a, [r[0], r[1], intIn(a, r[0], r[1])]) as number);
  }
  const inside = (p: number): boolean => ranges.some(([lo, hi]) => p >= lo && p <= hi);
  const cands = ranges.flatMap(([lo, hi]) => [lo - 1, hi + 1]).filter((p) => p >= 0 && p <= 65535 && !inside(p));
  return pick(a, cands);
}

function setProtocol(a: Aim, proto: number): void {
  const d = a.d;
  if (d.protocol === proto) return;
  d.protocol = proto;
  if (proto === 6) d.tcpFlags = 0x02;
  d.sport ??= 40000;
  d.dport ??= 80;
}

function inRange(v: number | undefined, lo: number, hi: number): boolean {
  return v !== undefined && v >= lo && v <= hi;
}

/** Whether `m` already holds for the draft, where that is cheap to tell (undefined: not known). */
function holds(m: GenMatch, d: Draft, family: Family): boolean | undefined {
  const neg = (b: boolean, n: boolean): boolean => b !== n;
  switch (m.kind) {
    case 'addr': {
      const [lo, hi] = prefixInterval(family, m.value, m.len);
      const v = m.dir === 's' ? d.src : d.dst;
      return neg(v >= lo && v <= hi, m.neg);
    }
    case 'l4': {
      if (d.protocol !== (m.proto === 'tcp' ? 6 : 17)) return undefined;
      const s = !m.sport || neg(inRange(d.sport, m.sport.lo, m.sport.hi), m.sport.neg);
      const t = !m.dport || neg(inRange(d.dport, m.dport.lo, m.dport.hi), m.dport.neg);
      const f = !m.flags || neg((d.tcpFlags & m.flags.mask) === m.flags.comp, m.flags.neg);
      return s && t && f;
    }
    case 'multiport': {
      const inAny = (v: number | undefined): boolean => m.items.some(([lo, hi]) => inRange(v, lo, hi));
      const hit = m.which === 'sports' ? inAny(d.sport) : m.which === 'dports' ? inAny(d.dport) : inAny(d.sport) || inAny(d.dport);
      return neg(hit, m.neg);
    }
    case 'length': return neg(inRange(d.length, m.lo, m.hi), m.neg);
    case 'ttl': {
      const [lo, hi] = m.op === 'eq' ? [m.value, m.value] : m.op === 'lt' ? [0, m.value - 1] : [m.value + 1, 255];
      return neg(inRange(d.ttl, lo, hi), m.neg);
    }
    case 'tos': return neg((d.tos & m.mask) === m.value, m.neg);
    case 'dscp': return neg(d.tos >> 2 === m.value, m.neg);
    case 'mark': return neg(((d.mark & m.mask) >>> 0) === m.value, m.neg);
    default: return undefined;
  }
}

/** Makes the packet's own match `m` come out as `want` (left alone when it already does). */
function aimMatch(a: Aim, m: GenMatch, want: boolean): void {
  const d = a.d;
  if (holds(m, d, a.family) === want) return;
  const w = (neg: boolean): boolean => want !== neg;
  switch (m.kind) {
    case 'addr': {
      const [lo, hi] = prefixInterval(a.family, m.value, m.len);
      const which = m.dir === 's' ? 'src' : 'dst';
      const v = aimAddress(a, which, lo, hi, w(m.neg));
      if (v !== undefined) d[which] = v;
      return;
    }
    case 'iface': {
      const prefix = m.name.endsWith('+') ? m.name.slice(0, -1) : undefined;
      const hit = (i: string): boolean => (prefix !== undefined ? i.startsWith(prefix) : i === m.name);
      const i = pick(a, a.interfaces.filter((x) => hit(x) === w(m.neg)));
      if (i !== undefined) d.iif = i;
      return;
    }
    case 'proto': {
      const n = m.proto === 'tcp' ? 6 : m.proto === 'udp' ? 17 : m.proto === 'icmp' ? 1 : m.proto === 'ipv6-icmp' ? 58 : m.proto === 'esp' ? 50 : m.proto;
      if (w(m.neg)) setProtocol(a, n);
      else if (d.protocol === n) setProtocol(a, pick(a, [6, 17, a.family === 'ipv4' ? 1 : 58].filter((x) => x !== n)) as number);
      return;
    }
    case 'l4': {
      if (m.sport) { const p = aimPort(a, [[m.sport.lo, m.sport.hi]], w(m.sport.neg)); if (p !== undefined) d.sport = p; }
      if (m.dport) { const p = aimPort(a, [[m.dport.lo, m.dport.hi]], w(m.dport.neg)); if (p !== undefined) d.dport = p; }
      if (m.flags) {
        const { mask, comp } = m.flags;
        const free = intIn(a, 0, 255) & ~mask;
        d.tcpFlags = w(m.flags.neg) ? (comp | free) & 0xff : ((comp ^ (mask & -mask)) | free) & 0xff;
      }
      return;
    }
    case 'multiport': {
      const p = aimPort(a, m.items, w(m.neg));
      if (p === undefined) return;
      const field = m.which === 'sports' ? 'sport' : m.which === 'dports' ? 'dport' : (pick(a, ['sport', 'dport'] as const) as 'sport' | 'dport');
      d[field] = p;
      if (m.which === 'ports' && !w(m.neg)) { const q = aimPort(a, m.items, false); if (q !== undefined) d[field === 'sport' ? 'dport' : 'sport'] = q; }
      return;
    }
    case 'iprange': {
      for (const [r, which] of [[m.src, 'src'], [m.dst, 'dst']] as const) {
        if (!r) continue;
        const v = aimAddress(a, which, r.lo, r.hi, w(r.neg));
        if (v !== undefined) d[which] = v;
      }
      return;
    }
    case 'ctstate': {
      const reachable = ['NEW', 'INVALID', ...(a.family === 'ipv6' ? ['UNTRACKED'] : [])];
      const target = pick(a, reachable.filter((s) => m.states.includes(s as never) === w(m.neg)));
      const icmp = a.family === 'ipv4' ? 1 : 58;
      if (target === 'NEW') {
        if (d.protocol === 6) d.tcpFlags = 0x02;
        if (d.protocol === icmp) { d.icmpType = a.family === 'ipv4' ? 8 : 128; d.icmpCode = 0; }
      } else if (target === 'INVALID') {
        if (d.protocol === 6) d.tcpFlags = 0x01;
        if (d.protocol === icmp) { d.icmpType = a.family === 'ipv4' ? 0 : 129; d.icmpCode = 0; }
      } else if (target === 'UNTRACKED' && d.protocol === 58) {
        d.icmpType = 135;
        d.icmpCode = 0;
      }
      return;
    }
    case 'icmp': {
      if (m.type === undefined) return;
      d.icmpType = w(m.neg) ? m.type : (m.type + 1) & 0xff;
      d.icmpCode = m.code !== undefined ? (w(m.neg) ? m.code : m.code + 1) : intIn(a, 0, 3);
      return;
    }
    case 'length': {
      const min = minimalLength(a.family, d.protocol);
      const lo = Math.max(m.lo, min);
      const hi = Math.min(m.hi, MAX_IP_LENGTH);
      if (w(m.neg)) { if (lo <= hi) d.length = pick(a, [lo, hi, intIn(a, lo, hi)]) as number; } else {
        const out = [m.lo - 1, m.hi + 1].filter((x) => x >= min && x <= MAX_IP_LENGTH);
        const v = pick(a, out);
        if (v !== undefined) d.length = v;
      }
      return;
    }
    case 'ttl': {
      const [lo, hi] = m.op === 'eq' ? [m.value, m.value] : m.op === 'lt' ? [0, m.value - 1] : [m.value + 1, 255];
      if (w(m.neg)) { if (lo <= hi) d.ttl = pick(a, [lo, hi]) as number; } else {
        const v = pick(a, [lo - 1, hi + 1].filter((x) => x >= 0 && x <= 255));
        if (v !== undefined) d.ttl = v;
      }
      return;
    }
    case 'tos': {
      const free = intIn(a, 0, 255) & ~m.mask;
      d.tos = (w(m.neg) ? m.value | free : (m.value ^ (m.mask & -m.mask)) | free) & 0xff;
      return;
    }
    case 'dscp': d.tos = ((w(m.neg) ? m.value : (m.value + 1) & 0x3f) << 2) | intIn(a, 0, 3); return;
    case 'mark': {
      const free = Math.floor(a.rand() * 2 ** 32) & ~m.mask;
      d.mark = (w(m.neg) ? (m.value | free) : ((m.value ^ (m.mask & -m.mask)) | free)) >>> 0;
      return;
    }
    case 'comment': return;
  }
}

/** The rules on the way to (chain, rule): one jump or goto per user chain, outermost first. */
function pathTo(rs: GenRuleset, chain: string, rand: () => number, depth = 0): GenRule[] {
  if (chain === 'INPUT' || depth > 4) return [];
  const callers = rs.chains.flatMap((c) => c.rules.filter((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === chain).map((r) => ({ c, r })));
  const hit = callers[Math.floor(rand() * callers.length)];
  return hit ? [...pathTo(rs, hit.c.name, rand, depth + 1), hit.r] : [];
}

/** `base` changed so that rule `index` (over all chains, in order) matches, as far as the fields allow. */
export function aimAtRule(base: Packet, rs: GenRuleset, index: number, seed: number, interfaces: readonly string[]): Packet {
  const all = rs.chains.flatMap((c) => c.rules.map((r) => ({ chain: c.name, r })));
  const target = all[index % Math.max(1, all.length)];
  if (!target) return base;
  const a: Aim = { d: { ...base }, rand: makeRandom(seed), family: rs.family, interfaces };
  // The rule itself first, then the jumps leading to it, outermost last: when they conflict, the
  // packet at least enters the chain (and walks its rules) rather than missing the jump.
  for (const r of [target.r, ...pathTo(rs, target.chain, a.rand).reverse()]) for (const m of r.matches) aimMatch(a, m, true);
  return finish(a.d, rs.family);
}

/** Drops fields the protocol does not have and keeps the length possible. */
export function finish(d: Draft, family: Family): Packet {
  const ported = d.protocol === 6 || d.protocol === 17;
  const icmp = d.protocol === (family === 'ipv4' ? 1 : 58);
  const min = minimalLength(family, d.protocol) + (ported || icmp ? 0 : 8);
  const { sport, dport, icmpType, icmpCode, ...rest } = d;
  return {
    ...rest,
    ...(ported ? { sport: sport ?? 40000, dport: dport ?? 80 } : {}),
    ...(icmp ? { icmpType: icmpType ?? (family === 'ipv4' ? 8 : 128), icmpCode: icmpCode ?? 0 } : {}),
    tcpFlags: d.protocol === 6 ? d.tcpFlags & 0xff : 0,
    length: Math.min(MAX_IP_LENGTH, Math.max(min, d.length)),
  };
}
