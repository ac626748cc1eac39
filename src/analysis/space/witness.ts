/**
 * A witness: one concrete packet of a set, chosen to look ordinary. The set is first narrowed to
 * packets whose conntrack state is the one the kernel derives for the first packet of a flow (so
 * the witness needs no explicit state) when that leaves anything, then one member is read off the
 * BDD preferring, bit by bit in variable order, the bits of a template packet (IPv4, TCP SYN,
 * port 40000 → 80, TTL 64, documentation addresses): the witness is the member "closest" to it.
 */
import { type Packet, minimalLength } from '../../model/packet.js';
import type { CtState } from '../../model/match.js';
import type { Hook } from '../../model/ruleset.js';
import { deriveCtState } from '../simulate/ctstate.js';
import { deriveIcmpState, deriveIcmpv6State, deriveTcpState } from '../simulate/ctstate.js';
import { FALSE, TRUE } from './bdd.js';
import { PORTED, STATES } from './layout.js';
import type { Space } from './space.js';

const firstCache = new WeakMap<Space, number>();

/** Packets whose state is the one derived for the first packet of a flow. */
export function firstPackets(sp: Space): number {
  const hit = firstCache.get(sp);
  if (hit !== undefined) return hit;
  const { bdd, enc } = sp;
  const st = (s: CtState): number => enc.eq('ctstate', STATES.indexOf(s));
  const byState = (values: number[], derive: (v: number) => CtState, field: 'tcpFlags' | 'icmpType'): number => {
    let r = FALSE;
    for (const v of values) r = bdd.or(r, bdd.and(enc.eq(field, v), st(derive(v))));
    return r;
  };
  const all = Array.from({ length: 256 }, (_, i) => i);
  const tcp = bdd.and(sp.tcp, byState(all, (f) => deriveTcpState(f).state, 'tcpFlags'));
  const icmp4 = bdd.andAll([enc.eq('protocol', 1), sp.v4, byState(all, (t) => deriveIcmpState(t).state, 'icmpType')]);
  const icmp6 = bdd.andAll([enc.eq('protocol', 58), sp.v6, byState(all, (t) => deriveIcmpv6State(t).state, 'icmpType')]);
  const crossed = bdd.or(bdd.and(enc.eq('protocol', 1), sp.v6), bdd.and(enc.eq('protocol', 58), sp.v4));
  const other = bdd.and(bdd.not(bdd.orAll([sp.tcp, sp.icmpish])), st('new'));
  const r = bdd.orAll([tcp, icmp4, icmp6, bdd.and(crossed, st('new')), other]);
  firstCache.set(sp, r);
  return r;
}

export interface WitnessTemplate {
  readonly iif?: string;
  readonly oif?: string;
  readonly dport?: number;
}

const templates = new WeakMap<Space, Map<string, Uint8Array>>();

/** The template's bits (memoised per space: a lint run asks for a witness per finding). */
function template(sp: Space, t: WitnessTemplate): Uint8Array {
  let bySpace = templates.get(sp);
  if (bySpace === undefined) templates.set(sp, (bySpace = new Map()));
  const key = `${t.iif ?? ''}/${t.oif ?? ''}/${t.dport ?? ''}`;
  let bits = bySpace.get(key);
  if (bits === undefined) bySpace.set(key, (bits = templateBits(sp, t)));
  return bits;
}

function templateBits(sp: Space, t: WitnessTemplate): Uint8Array {
  const p: Packet = {
    family: 'ipv4', protocol: 6, src: 0xcb007105n, dst: 0xc633640an, sport: 40000, dport: t.dport ?? 80,
    icmpType: 8, icmpCode: 0, tcpFlags: 0x02, ttl: 64, length: 60, tos: 0, mark: 0, connmark: 0,
    hook: 'input', fragment: false, iif: t.iif ?? 'eth0', ...(t.oif !== undefined ? { oif: t.oif } : {}),
  };
  const bits = sp.bitsOf(p, 'new');
  // IPv6 documentation-style addresses in the unique-local range, used when the family must be IPv6.
  const put = (name: 'src6' | 'dst6', v: bigint): void => {
    const f = sp.layout.fields[name];
    for (let i = 0; i < f.width; i++) bits[f.start + i] = Number((v >> BigInt(f.width - 1 - i)) & 1n);
  };
  put('src6', 0xfd00f00d001800000000000000000005n);
  put('dst6', 0xfd00f00d001900000000000000000002n);
  return bits;
}

/** A member of `set` near the template, as bits. */
export function pickNear(sp: Space, set: number, prefs: Uint8Array): Uint8Array | undefined {
  if (set === FALSE) return undefined;
  const { bdd } = sp;
  const bits = prefs.slice();
  let x = set;
  while (x > TRUE) {
    const v = bdd.varOf(x);
    const want = prefs[v] === 1;
    let next = want ? bdd.high(x) : bdd.low(x);
    let bit = want ? 1 : 0;
    if (next === FALSE) {
      next = want ? bdd.low(x) : bdd.high(x);
      bit = 1 - bit;
    }
    bits[v] = bit;
    x = next;
  }
  return bits;
}

/** The packet of a point of the space. */
export function packetOfBits(sp: Space, bits: Uint8Array, hook: Hook): Packet {
  const val = (n: Parameters<Space['valueOf']>[1]): number => Number(sp.valueOf(bits, n));
  const v4 = val('family') === 0;
  const protocol = val('protocol');
  const ported = (PORTED as readonly number[]).includes(protocol);
  const icmp = protocol === 1 || protocol === 58;
  // The class of names no rule mentions is shown as '' (no interface); a witness arriving on a hook
  // with an input interface reads better as eth0 when eth0 is in that class.
  const iifClass = val('iif');
  const rep = sp.layout.iif.names[iifClass] ?? '';
  const iif = rep === '' && hook !== 'output' && sp.layout.iif.classOf('eth0') === iifClass ? 'eth0' : rep;
  const oif = sp.layout.oif.names[val('oif')] ?? '';
  const opts: number[] = [];
  const optBits = val('tcpOpts');
  sp.layout.tcpOptions.forEach((o, i) => {
    if (((optBits >> (sp.layout.tcpOptions.length - 1 - i)) & 1) === 1) opts.push(o);
  });
  const family = v4 ? 'ipv4' : 'ipv6';
  const base: Packet = {
    family,
    protocol,
    src: sp.valueOf(bits, v4 ? 'src4' : 'src6'),
    dst: sp.valueOf(bits, v4 ? 'dst4' : 'dst6'),
    ...(ported ? { sport: val('sport'), dport: val('dport') } : {}),
    ...(icmp ? { icmpType: val('icmpType'), icmpCode: val('icmpCode') } : {}),
    tcpFlags: protocol === 6 ? val('tcpFlags') : 0,
    ...(opts.length > 0 ? { tcpOptions: opts } : {}),
    ...(iif !== '' ? { iif } : {}),
    ...(oif !== '' ? { oif } : {}),
    ttl: val('ttl'),
    length: Math.max(val('length'), 0),
    tos: val('tos'),
    mark: val('mark'),
    connmark: val('connmark'),
    hook,
    fragment: v4 && val('fragment') === 1,
  };
  const state = STATES[val('ctstate')] ?? 'new';
  return deriveCtState(base) === state ? base : { ...base, ctstate: state };
}

/** One ordinary-looking packet of `set`, or undefined when it is empty. */
export function witness(sp: Space, set: number, hook: Hook, t: WitnessTemplate = {}): Packet | undefined {
  const { bdd } = sp;
  const inDomain = bdd.and(set, sp.valid);
  if (inDomain === FALSE) return undefined;
  const first = bdd.and(inDomain, firstPackets(sp));
  const prefs = template(sp, t);
  const bits = pickNear(sp, first !== FALSE ? first : inDomain, prefs);
  if (bits === undefined) return undefined;
  const p = packetOfBits(sp, bits, hook);
  // Prefer the usual minimal length when the set allows it.
  const len = minimalLength(p.family, p.protocol);
  if (len !== p.length) {
    const alt = { ...p, length: len };
    if (sp.contains(inDomain, alt, p.ctstate ?? deriveCtState(alt))) return alt;
  }
  return p;
}

const domains = new WeakMap<Space, number>();

/** Well-formed first packets of a flow (memoised per space). */
function firstDomain(sp: Space): number {
  let d = domains.get(sp);
  if (d === undefined) domains.set(sp, (d = sp.bdd.and(sp.valid, firstPackets(sp))));
  return d;
}

/** pickNear on a ∩ b ∩ c without building it: the same member (the greedy choice, bit by bit). */
function pickNearAll(sp: Space, a: number, b: number, c: number, prefs: Uint8Array): Uint8Array {
  const { bdd } = sp;
  const bits = prefs.slice();
  while (a > TRUE || b > TRUE || c > TRUE) {
    const v = Math.min(bdd.varOf(a), bdd.varOf(b), bdd.varOf(c));
    const co = (y: number, bit: number): number => (bdd.varOf(y) !== v ? y : bit === 1 ? bdd.high(y) : bdd.low(y));
    let bit = prefs[v] === 1 ? 1 : 0;
    if (!bdd.intersectsAll(co(a, bit), co(b, bit), co(c, bit))) bit = 1 - bit;
    bits[v] = bit;
    a = co(a, bit);
    b = co(b, bit);
    c = co(c, bit);
  }
  return bits;
}

/**
 * witness(sp, x ∩ base, …), the same packet, found without building the intersection: x small,
 * base large (what reaches a rule, see lint's LintContext.reachParts).
 */
export function witnessIn(sp: Space, x: number, base: number, hook: Hook, t: WitnessTemplate = {}): Packet | undefined {
  const { bdd } = sp;
  if (!bdd.intersectsAll(x, base, sp.valid)) return undefined;
  const first = firstDomain(sp);
  const bits = pickNearAll(sp, x, base, bdd.intersectsAll(x, base, first) ? first : sp.valid, template(sp, t));
  const p = packetOfBits(sp, bits, hook);
  const len = minimalLength(p.family, p.protocol);
  if (len !== p.length) {
    const alt = { ...p, length: len };
    const at = sp.bitsOf(alt, p.ctstate ?? deriveCtState(alt));
    if (bdd.evaluate(x, at) && bdd.evaluate(base, at) && bdd.evaluate(sp.valid, at)) return alt;
  }
  return p;
}
