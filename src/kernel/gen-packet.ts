/**
 * Packets for a generated ruleset, biased to its boundaries: the first and last address of every
 * prefix and range and their neighbours, port range ends ±1, length / ttl ends ±1, the TCP flag
 * combinations rules compare with (and one bit off), ICMP types and codes ±1, tos / dscp / mark
 * values rules test. About a third of each field is drawn at random instead. Every packet is the
 * first of its flow (no ctstate given: the kernel and the simulator both derive it).
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import { prefixInterval } from '../model/address.js';
import { type Packet, minimalLength } from '../model/packet.js';
import { MAX_IP_LENGTH } from './frame.js';
import { aimAtRule, finish } from './gen-aim.js';
import { POOLS, arbPoolAddress, poolBase } from './gen-ruleset.js';
import type { GenMatch, GenRuleset } from './gen-syntax.js';

export interface PacketHints {
  readonly src: bigint[];
  readonly dst: bigint[];
  readonly ports: number[];
  readonly protocols: number[];
  readonly flags: number[];
  readonly icmp: [number, number][];
  readonly lengths: number[];
  readonly ttls: number[];
  readonly tos: number[];
  readonly marks: number[];
}

const COMMON_FLAGS = [0x02, 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01, 0x00, 0x03, 0x29, 0xff, 0xc2];

function poolRange(family: Family, which: 'src' | 'dst'): [bigint, bigint] {
  const lo = poolBase(family, which);
  return [lo, lo | ((1n << BigInt(POOLS[family].hostBits)) - 1n)];
}

function addBoundary(out: bigint[], family: Family, which: 'src' | 'dst', lo: bigint, hi: bigint): void {
  const [plo, phi] = poolRange(family, which);
  for (const v of [lo - 1n, lo, lo + 1n, hi - 1n, hi, hi + 1n]) if (v >= plo && v <= phi) out.push(v);
}

function addNum(out: number[], lo: number, hi: number, min: number, max: number): void {
  for (const v of [lo - 1, lo, lo + 1, hi - 1, hi, hi + 1]) if (v >= min && v <= max) out.push(v);
}

function collect(m: GenMatch, family: Family, h: PacketHints): void {
  switch (m.kind) {
    case 'addr': {
      const [lo, hi] = prefixInterval(family, m.value, m.len);
      for (const which of ['src', 'dst'] as const) addBoundary(which === 'src' ? h.src : h.dst, family, which, lo, hi);
      return;
    }
    case 'iprange':
      if (m.src) addBoundary(h.src, family, 'src', m.src.lo, m.src.hi);
      if (m.dst) addBoundary(h.dst, family, 'dst', m.dst.lo, m.dst.hi);
      return;
    case 'proto': {
      const n = m.proto === 'tcp' ? 6 : m.proto === 'udp' ? 17 : m.proto === 'icmp' ? 1 : m.proto === 'ipv6-icmp' ? 58 : m.proto === 'esp' ? 50 : m.proto;
      h.protocols.push(n);
      return;
    }
    case 'l4':
      for (const r of [m.sport, m.dport]) if (r) addNum(h.ports, r.lo, r.hi, 0, 65535);
      if (m.flags) {
        h.flags.push(m.flags.comp, m.flags.comp ^ (m.flags.mask & -m.flags.mask), (m.flags.comp | 0x10) & 0xff);
      }
      return;
    case 'multiport':
      for (const [lo, hi] of m.items) addNum(h.ports, lo, hi, 0, 65535);
      return;
    case 'icmp':
      if (m.type !== undefined) {
        for (const t of [m.type - 1, m.type, m.type + 1]) if (t >= 0 && t <= 255) h.icmp.push([t, m.code ?? 0]);
        if (m.code !== undefined) for (const c of [m.code - 1, m.code + 1]) if (c >= 0) h.icmp.push([m.type, c]);
      }
      return;
    case 'length': addNum(h.lengths, m.lo, m.hi, 0, MAX_IP_LENGTH); return;
    case 'ttl': addNum(h.ttls, m.value, m.value, 0, 255); return;
    case 'tos': h.tos.push(m.value, m.value ^ (m.mask & -m.mask), m.value | (~m.mask & 0xff)); return;
    case 'dscp': h.tos.push(m.value << 2, (m.value << 2) | 1, ((m.value ^ 1) << 2) & 0xff); return;
    case 'mark': h.marks.push(m.value, (m.value ^ (m.mask & -m.mask)) >>> 0, (m.value | ~m.mask) >>> 0); return;
    case 'iface': case 'ctstate': case 'comment': return;
  }
}

export function packetHints(rs: GenRuleset): PacketHints {
  const h: PacketHints = { src: [], dst: [], ports: [], protocols: [], flags: [], icmp: [], lengths: [], ttls: [], tos: [], marks: [] };
  for (const c of rs.chains) for (const r of c.rules) for (const m of r.matches) collect(m, rs.family, h);
  return h;
}

/** `hints` when there are any, mixed with `random`; otherwise `random`. */
function biased<T>(hints: readonly T[], random: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return hints.length === 0 ? random : fc.oneof({ arbitrary: fc.constantFrom(...hints), weight: 2 }, { arbitrary: random, weight: 1 });
}

/** Every type conntrack treats specially (requests, replies, errors, router / node-info / MLD / ND / MRD messages) and some it does not know. */
const ICMP4 = [
  [8, 0], [0, 0], [3, 0], [3, 3], [3, 4], [11, 0], [13, 0], [14, 0], [15, 0], [16, 0], [17, 0], [18, 0], [19, 0], [5, 1], [4, 0],
  [9, 0], [10, 0], [12, 0], [40, 0], [255, 0],
] as const;
const ICMP6 = [
  [128, 0], [129, 0], [1, 0], [1, 3], [1, 4], [2, 0], [3, 0], [4, 0], [130, 0], [131, 0], [132, 0], [133, 0], [134, 0], [135, 0],
  [136, 0], [137, 0], [139, 0], [140, 0], [141, 0], [142, 0], [143, 0], [144, 0], [145, 0], [151, 0], [152, 0], [153, 0], [200, 0], [255, 0],
] as const;

/**
 * One packet for `rs`, arriving on one of `interfaces`: a boundary-biased random packet, or one
 * aimed at a random rule (gen-aim.ts), or one aimed and then moved off on one field to the
 * boundary-biased value, which probes the edges of the rule it was aimed at.
 */
export function arbPacketFor(rs: GenRuleset, interfaces: readonly string[]): fc.Arbitrary<Packet> {
  const random = arbRandomPacket(rs, interfaces);
  const total = rs.chains.reduce((n, c) => n + c.rules.length, 0);
  if (total === 0) return random;
  const aimed = fc.tuple(random, fc.nat(total - 1), fc.integer()).map(([p, i, seed]) => aimAtRule(p, rs, i, seed, interfaces));
  const edged = fc.tuple(random, fc.nat(total - 1), fc.integer(), fc.constantFrom(...EDGE_FIELDS)).map(([p, i, seed, field]) => {
    const a = aimAtRule(p, rs, i, seed, interfaces);
    return finish({ ...a, [field]: p[field] ?? a[field] } as Packet, rs.family);
  });
  return fc.oneof({ arbitrary: random, weight: 2 }, { arbitrary: aimed, weight: 3 }, { arbitrary: edged, weight: 2 });
}

const EDGE_FIELDS = ['src', 'dst', 'sport', 'dport', 'length', 'ttl', 'tos', 'tcpFlags', 'icmpType', 'mark', 'iif'] as const;

/** A packet with every field drawn from the ruleset's boundary values or at random. */
function arbRandomPacket(rs: GenRuleset, interfaces: readonly string[]): fc.Arbitrary<Packet> {
  const f = rs.family;
  const h = packetHints(rs);
  const icmpProto = f === 'ipv4' ? 1 : 58;
  const protocols = [6, 6, 17, 17, icmpProto, ...h.protocols];
  return fc.record({
    protocol: fc.oneof({ arbitrary: fc.constantFrom(...protocols), weight: 9 }, { arbitrary: fc.constantFrom(50, 47, 253), weight: 1 }),
    src: biased(h.src, arbPoolAddress(f, 'src')),
    dst: biased(h.dst, arbPoolAddress(f, 'dst')),
    sport: biased(h.ports, fc.integer({ min: 0, max: 65535 })),
    dport: biased(h.ports, fc.integer({ min: 0, max: 65535 })),
    flags: biased(h.flags, fc.oneof(fc.constantFrom(...COMMON_FLAGS), fc.integer({ min: 0, max: 255 }))),
    icmp: biased(h.icmp, fc.oneof(fc.constantFrom(...(f === 'ipv4' ? ICMP4 : ICMP6)), fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 16 })))),
    length: fc.option(biased(h.lengths, fc.integer({ min: 0, max: MAX_IP_LENGTH })), { freq: 3 }),
    ttl: biased(h.ttls, fc.constantFrom(64, 64, 1, 0, 128, 255, 63, 65)),
    tos: fc.option(biased(h.tos, fc.integer({ min: 0, max: 255 })), { freq: 3 }),
    mark: fc.option(biased(h.marks, fc.integer({ min: 0, max: 0xffffffff })), { freq: h.marks.length > 0 ? 2 : 8 }),
    iif: fc.constantFrom(...interfaces),
  }).map((r): Packet => {
    const ported = r.protocol === 6 || r.protocol === 17;
    const isIcmp = r.protocol === icmpProto;
    // Other protocols get 8 bytes of (zero) header, as a real ESP or GRE packet would have.
    const min = minimalLength(f, r.protocol) + (ported || isIcmp ? 0 : 8);
    const length = r.length === null ? min : Math.min(MAX_IP_LENGTH, Math.max(min, r.length));
    return {
      family: f,
      protocol: r.protocol,
      src: r.src,
      dst: r.dst,
      ...(ported ? { sport: r.sport, dport: r.dport } : {}),
      ...(isIcmp ? { icmpType: r.icmp[0], icmpCode: r.icmp[1] } : {}),
      tcpFlags: r.protocol === 6 ? r.flags & 0xff : 0,
      iif: r.iif,
      ttl: r.ttl,
      length,
      tos: r.tos ?? 0,
      mark: r.mark ?? 0,
      connmark: 0,
      hook: 'input',
      fragment: false,
    };
  });
}
