/**
 * Packets for a generated nftables ruleset, biased to its boundaries (every interval's ends ±1,
 * the flag bytes and ICMP types rules test), and aimed: a random rule's matches made true, with the
 * jump, goto or verdict-map entry that leads into its chain — then, for some, one field moved back
 * to a boundary value. Addresses stay in the test pools (198.18.0.0/15, fd00:f00d::/32).
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import type { Packet } from '../model/packet.js';
import { MAX_IP_LENGTH } from './frame.js';
import { finish, makeRandom } from './gen-aim.js';
import { POOLS, arbPoolAddress, poolBase } from './gen-ruleset.js';
import { arbPacketFor as arbIptablesPacket } from './gen-packet.js';
import { addrMeaning, concatItems, ctHolds, flagsHold, ifaceHolds, nftMatchHolds, numMeaning, selInfo } from './gen-nft-eval.js';
import {
  type CtName, type NftGenMatch, type NftGenRule, type NftGenRuleset, type NftGenTable, type NumItem, type SetElem, type VmapKey, allRules,
} from './gen-nft-syntax.js';
import { NFT_PORTS } from './gen-nft-values.js';

type Draft = { -readonly [K in keyof Packet]: Packet[K] };

interface Aim {
  readonly d: Draft;
  readonly rand: () => number;
  readonly ip: Family;
  readonly interfaces: readonly string[];
  readonly table: NftGenTable;
}

function pick<T>(a: Aim, xs: readonly T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.floor(a.rand() * xs.length)];
}

function poolOf(ip: Family, which: 'src' | 'dst'): [bigint, bigint] {
  const lo = poolBase(ip, which);
  return [lo, lo | ((1n << BigInt(POOLS[ip].hostBits)) - 1n)];
}

function aimNum(a: Aim, ivs: readonly NumItem[], inside: boolean, min: number, max: number): number | undefined {
  if (inside) {
    const r = pick(a, ivs.filter(([lo, hi]) => hi >= min && lo <= max));
    if (!r) return undefined;
    const lo = Math.max(r[0], min);
    const hi = Math.min(r[1], max);
    return pick(a, [lo, hi, lo + Math.floor(a.rand() * (hi - lo + 1))]);
  }
  const inAny = (v: number): boolean => ivs.some(([lo, hi]) => v >= lo && v <= hi);
  return pick(a, [...ivs.flatMap(([lo, hi]) => [lo - 1, hi + 1]), min, max].filter((v) => v >= min && v <= max && !inAny(v)));
}

function aimAddr(a: Aim, which: 'src' | 'dst', ivs: readonly (readonly [bigint, bigint])[], inside: boolean): void {
  const [plo, phi] = poolOf(a.ip, which);
  if (inside) {
    const r = pick(a, ivs.filter(([lo, hi]) => hi >= plo && lo <= phi));
    if (r) a.d[which] = pick(a, [r[0] > plo ? r[0] : plo, r[1] < phi ? r[1] : phi]) as bigint;
    return;
  }
  const inAny = (v: bigint): boolean => ivs.some(([lo, hi]) => v >= lo && v <= hi);
  const v = pick(a, ivs.flatMap(([lo, hi]) => [lo - 1n, hi + 1n]).filter((x) => x >= plo && x <= phi && !inAny(x)));
  if (v !== undefined) a.d[which] = v;
}

function setProtocol(a: Aim, proto: number): void {
  if (a.d.protocol === proto) return;
  a.d.protocol = proto;
  if (proto === 6) a.d.tcpFlags = 0x02;
  a.d.sport ??= 40000;
  a.d.dport ??= 80;
}

/** Packet fields that make the first packet of a flow get conntrack state `s` (see ctstate in the simulator's notes). */
function aimCt(a: Aim, s: CtName): void {
  const icmp = a.ip === 'ipv4' ? 1 : 58;
  if (s === 'new') {
    if (a.d.protocol === 6) a.d.tcpFlags = 0x02;
    if (a.d.protocol === icmp) { a.d.icmpType = a.ip === 'ipv4' ? 8 : 128; a.d.icmpCode = 0; }
  } else if (s === 'invalid') {
    if (a.d.protocol !== 6 && a.d.protocol !== icmp) setProtocol(a, 6);
    if (a.d.protocol === 6) a.d.tcpFlags = 0x01;
    else { a.d.icmpType = a.ip === 'ipv4' ? 0 : 129; a.d.icmpCode = 0; }
  } else if (s === 'untracked' && a.ip === 'ipv6') {
    setProtocol(a, 58);
    a.d.icmpType = 135;
    a.d.icmpCode = 0;
  }
}

function aimMatch(a: Aim, m: NftGenMatch, want: boolean): void {
  const d = a.d;
  if (nftMatchHolds(m, d, a.table) === want) return;
  switch (m.kind) {
    case 'num': {
      const info = selInfo(m.sel);
      if (info.ip !== undefined && info.ip !== a.ip) return;
      if (info.protos !== undefined && !info.protos.includes(d.protocol)) {
        if (!want) return;
        setProtocol(a, pick(a, info.protos) as number);
      }
      const { neg, ivs } = numMeaning(m.sel, m.form, a.table);
      if (info.field === 'protocol') {
        // Only protocols the injector sends as plain payloads (no extension headers, tunnels or IGMP).
        const p = pick(a, SAFE_PROTOCOLS.filter((x) => x !== (a.ip === 'ipv4' ? 58 : 1) && ivs.some(([lo, hi]) => x >= lo && x <= hi) === (want !== neg)));
        if (p !== undefined) setProtocol(a, p);
        return;
      }
      const max = info.field === 'length' ? MAX_IP_LENGTH - info.offset : info.field === 'sport' || info.field === 'dport' ? 65535 : 255;
      const v = aimNum(a, ivs, want !== neg, 0, max);
      if (v === undefined) return;
      d[info.field] = v + info.offset;
      return;
    }
    case 'addr': {
      if (m.ip !== a.ip) return;
      const { neg, ivs } = addrMeaning(m.form, a.table);
      aimAddr(a, m.dir === 'saddr' ? 'src' : 'dst', ivs, want !== neg);
      return;
    }
    case 'flags': {
      if (d.protocol !== 6) { if (!want) return; setProtocol(a, 6); }
      const cands = Array.from({ length: 256 }, (_, i) => i).filter((f) => flagsHold(m.form, f) === want);
      const f = pick(a, cands);
      if (f !== undefined) d.tcpFlags = f;
      return;
    }
    case 'ct': {
      const reachable: CtName[] = a.ip === 'ipv6' ? ['new', 'invalid', 'untracked'] : ['new', 'invalid'];
      const s = pick(a, reachable.filter((x) => ctHolds(m, x) === want));
      if (s) aimCt(a, s);
      return;
    }
    case 'iif': {
      const i = pick(a, a.interfaces.filter((x) => ifaceHolds(m, x) === want));
      if (i !== undefined) d.iif = i;
      return;
    }
    case 'concat': {
      if (m.ip !== a.ip) return;
      const items = concatItems(m, a.table);
      if (want !== m.neg) {
        const it = pick(a, items);
        if (!it) return;
        setProtocol(a, m.proto === 'tcp' ? 6 : 17);
        aimAddr(a, 'src', [[it[0].lo, it[0].hi]], true);
        const v = aimNum(a, [it[1]], true, 0, 65535);
        if (v !== undefined) d.dport = v;
      } else {
        const v = aimNum(a, items.map(([, n]) => n), false, 0, 65535);
        if (v !== undefined) d.dport = v;
      }
    }
  }
}

/** Makes a verdict map's key fall on `e`. */
function aimKey(a: Aim, key: VmapKey, e: SetElem): void {
  switch (key.kind) {
    case 'num': {
      if (e.kind !== 'num') return;
      aimMatch(a, { kind: 'num', sel: key.sel, form: { kind: 'set', neg: false, items: [e.item] } }, true);
      return;
    }
    case 'addr': {
      if (e.kind !== 'addr' || key.ip !== a.ip) return;
      aimAddr(a, key.dir === 'saddr' ? 'src' : 'dst', [[e.item.lo, e.item.hi]], true);
      return;
    }
    case 'concat': {
      if (e.kind !== 'concat') return;
      aimMatch(a, { kind: 'concat', ip: key.ip, proto: key.proto, neg: false, form: { kind: 'set', items: [e.item] } }, true);
    }
  }
}

function entriesOf(r: NftGenRule, t: NftGenTable): readonly { key: SetElem; verdict: { kind: string; chain?: string } }[] {
  if (r.action.kind !== 'vmap') return [];
  if (r.action.map.kind === 'anon') return r.action.map.entries;
  const name = r.action.map.name;
  return t.maps.find((m) => m.name === name)?.entries ?? [];
}

/** Aims `a` so that `r` matches, and, when it has a verdict map, so that its key hits an entry (one leading to `into` if given). */
function aimRule(a: Aim, r: NftGenRule, into?: string): void {
  if (r.action.kind === 'vmap') {
    const es = entriesOf(r, a.table);
    const e = pick(a, into === undefined ? es : es.filter((x) => x.verdict.chain === into));
    if (e) aimKey(a, r.action.key, e.key);
  }
  for (const m of r.matches) aimMatch(a, m, true);
}

/** The rules that lead into `chain` (one caller per level, outermost first). */
function pathTo(t: NftGenTable, chain: string, rand: () => number, depth = 0): { rule: NftGenRule; into: string }[] {
  if (depth > 4) return [];
  const callers = t.chains.flatMap((c) => c.rules.filter((r) => ((r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === chain)
    || entriesOf(r, t).some((e) => e.verdict.chain === chain)).map((r) => ({ c, r })));
  const hit = callers[Math.floor(rand() * callers.length)];
  if (!hit) return [];
  return [...(hit.c.base ? [] : pathTo(t, hit.c.name, rand, depth + 1)), { rule: hit.r, into: chain }];
}

export function aimAtNftRule(base: Packet, rs: NftGenRuleset, index: number, seed: number, interfaces: readonly string[]): Packet {
  const all = allRules(rs);
  const target = all[index % Math.max(1, all.length)];
  if (!target) return base;
  const a: Aim = { d: { ...base }, rand: makeRandom(seed), ip: rs.ip, interfaces, table: target.table };
  aimRule(a, target.rule);
  // The calls into the chain last, outermost last: the packet at least enters the chain.
  for (const step of (target.chain.base ? [] : pathTo(target.table, target.chain.name, a.rand)).reverse()) aimRule(a, step.rule, step.into);
  return finish(a.d, rs.ip);
}

interface Hints { src: bigint[]; dst: bigint[]; ports: number[]; lengths: number[]; ttls: number[]; icmp: number[]; flags: number[]; protos: number[] }

/** Layer-4 protocols packets carry (ESP, GRE and 253 with an 8-byte zero header; ICMP of the other family is never sent). */
const SAFE_PROTOCOLS = [6, 17, 1, 58, 50, 47, 253];

function numHints(h: Hints, field: string, ivs: readonly NumItem[], offset: number): void {
  if (field === 'protocol') {
    h.protos.push(...SAFE_PROTOCOLS.filter((x) => ivs.some(([lo, hi]) => x >= lo && x <= hi)));
    return;
  }
  const out = field === 'sport' || field === 'dport' ? h.ports : field === 'length' ? h.lengths : field === 'ttl' ? h.ttls
    : field === 'icmpType' ? h.icmp : field === 'protocol' ? h.protos : undefined;
  if (!out) return;
  const max = out === h.ports ? 65535 : out === h.lengths ? MAX_IP_LENGTH : 255;
  for (const [lo, hi] of ivs) for (const v of [lo - 1, lo, hi, hi + 1]) if (v >= 0 && v + offset <= max) out.push(v + offset);
}

function hintsOf(rs: NftGenRuleset): Hints {
  const h: Hints = { src: [], dst: [], ports: [], lengths: [], ttls: [], icmp: [], flags: [], protos: [] };
  const addr = (which: 'src' | 'dst', ivs: readonly (readonly [bigint, bigint])[]): void => {
    const [plo, phi] = poolOf(rs.ip, which);
    for (const [lo, hi] of ivs) for (const v of [lo - 1n, lo, hi, hi + 1n]) if (v >= plo && v <= phi) h[which].push(v);
  };
  for (const { table, rule } of allRules(rs)) {
    for (const m of rule.matches) {
      if (m.kind === 'num') { const i = selInfo(m.sel); numHints(h, i.field, numMeaning(m.sel, m.form, table).ivs, i.offset); }
      if (m.kind === 'addr' && m.ip === rs.ip) addr(m.dir === 'saddr' ? 'src' : 'dst', addrMeaning(m.form, table).ivs);
      if (m.kind === 'flags') h.flags.push(...Array.from({ length: 256 }, (_, i) => i).filter((f) => flagsHold(m.form, f)).slice(0, 3));
      if (m.kind === 'concat' && m.ip === rs.ip) for (const [a, n] of concatItems(m, table)) { addr('src', [[a.lo, a.hi]]); numHints(h, 'dport', [n], 0); }
    }
  }
  return h;
}

function biased<T>(hints: readonly T[], random: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return hints.length === 0 ? random : fc.oneof({ arbitrary: fc.constantFrom(...hints), weight: 2 }, { arbitrary: random, weight: 1 });
}

function arbRandomNftPacket(rs: NftGenRuleset, interfaces: readonly string[]): fc.Arbitrary<Packet> {
  const ip = rs.ip;
  const h = hintsOf(rs);
  const icmpProto = ip === 'ipv4' ? 1 : 58;
  return fc.record({
    protocol: fc.oneof({ arbitrary: fc.constantFrom(6, 6, 17, 17, icmpProto, icmpProto, ...h.protos.filter((p) => p !== (ip === 'ipv4' ? 58 : 1))), weight: 9 }, { arbitrary: fc.constantFrom(50, 47, 253), weight: 1 }),
    src: biased(h.src, arbPoolAddress(ip, 'src')),
    dst: biased(h.dst, arbPoolAddress(ip, 'dst')),
    sport: biased(h.ports, fc.oneof(fc.constantFrom(...NFT_PORTS), fc.integer({ min: 0, max: 65535 }))),
    dport: biased(h.ports, fc.oneof(fc.constantFrom(...NFT_PORTS), fc.integer({ min: 0, max: 65535 }))),
    flags: biased(h.flags, fc.oneof(fc.constantFrom(0x02, 0x12, 0x10, 0x01, 0x04, 0x11, 0x00, 0xff, 0xc2), fc.integer({ min: 0, max: 255 }))),
    icmpType: biased(h.icmp, fc.integer({ min: 0, max: 255 })),
    icmpCode: fc.constantFrom(0, 0, 1, 3, 4, 13),
    length: fc.option(biased(h.lengths, fc.integer({ min: 0, max: MAX_IP_LENGTH })), { freq: 3 }),
    ttl: biased(h.ttls, fc.constantFrom(64, 64, 1, 0, 128, 255, 63, 65)),
    iif: fc.constantFrom(...interfaces),
  }).map((r): Packet => finish({
    family: ip, protocol: r.protocol, src: r.src, dst: r.dst, sport: r.sport, dport: r.dport, icmpType: r.icmpType, icmpCode: r.icmpCode,
    tcpFlags: r.flags, iif: r.iif, ttl: r.ttl, length: r.length ?? 0, tos: 0, mark: 0, connmark: 0, hook: 'input', fragment: false,
  }, ip));
}

const EDGE_FIELDS = ['src', 'dst', 'sport', 'dport', 'length', 'ttl', 'tcpFlags', 'icmpType', 'iif', 'protocol'] as const;

/** One packet for `rs`: random (boundary-biased), aimed at a rule, or aimed and then moved off on one field. */
export function arbNftPacketFor(rs: NftGenRuleset, interfaces: readonly string[]): fc.Arbitrary<Packet> {
  const random = arbRandomNftPacket(rs, interfaces);
  const total = allRules(rs).length;
  const arbs: fc.WeightedArbitrary<Packet>[] = [{ arbitrary: random, weight: 2 }];
  if (total > 0) {
    arbs.push({ arbitrary: fc.tuple(random, fc.nat(total - 1), fc.integer()).map(([p, i, seed]) => aimAtNftRule(p, rs, i, seed, interfaces)), weight: 4 });
    arbs.push({
      arbitrary: fc.tuple(random, fc.nat(total - 1), fc.integer(), fc.constantFrom(...EDGE_FIELDS)).map(([p, i, seed, field]) => {
        const a = aimAtNftRule(p, rs, i, seed, interfaces);
        return finish({ ...a, [field]: p[field] ?? a[field] } as Packet, rs.ip);
      }),
      weight: 2,
    });
  }
  // Packets aimed at the iptables-nft table's rules.
  if (rs.iptables) arbs.push({ arbitrary: arbIptablesPacket(rs.iptables, interfaces), weight: 2 });
  return fc.oneof(...arbs);
}
