/**
 * The vendor-neutral match language: a closed union of predicates over packet fields,
 * combined with and / or / not. Dialects build matches only through the constructors below.
 */
import type { AddressSet, Family } from './address.js';
import { type IntervalSet, makeDomain, fromIntervals, type Domain } from './interval-set.js';

/** Numeric packet fields a `num` match can test, with their domains. */
export const NUM_FIELDS = {
  protocol: makeDomain(0, 255),
  sport: makeDomain(0, 65535),
  dport: makeDomain(0, 65535),
  icmpType: makeDomain(0, 255),
  icmpCode: makeDomain(0, 255),
  /** Whole IP packet length in bytes (IPv6: payload length + 40). */
  length: makeDomain(0, 65535),
  /** TTL, or the hop limit for IPv6. */
  ttl: makeDomain(0, 255),
  /** DSCP, the upper six bits of the TOS / traffic class byte. */
  dscp: makeDomain(0, 63),
  /** Conntrack's layer-4 protocol and original/reply ports. */
  ctProto: makeDomain(0, 255),
  ctOrigSport: makeDomain(0, 65535),
  ctOrigDport: makeDomain(0, 65535),
  ctReplSport: makeDomain(0, 65535),
  ctReplDport: makeDomain(0, 65535),
  /** Socket owner of locally generated packets. */
  uid: makeDomain(0, 0xffffffff),
  gid: makeDomain(0, 0xffffffff),
} as const satisfies Record<string, Domain<number>>;

export type NumField = keyof typeof NUM_FIELDS;

/** Fields tested as `(field & mask) === value`. All are 32-bit unsigned or smaller. */
export type BitsField = 'tcpFlags' | 'mark' | 'connmark' | 'tos';

/** Address fields: the packet's own, and conntrack's original / reply tuple. */
export type AddrField = 'src' | 'dst' | 'ctOrigSrc' | 'ctOrigDst' | 'ctReplSrc' | 'ctReplDst';

export const CT_STATES = ['new', 'established', 'related', 'invalid', 'untracked', 'snat', 'dnat'] as const;
export type CtState = (typeof CT_STATES)[number];

export const CT_STATUSES = ['expected', 'seen-reply', 'assured', 'confirmed', 'snat', 'dnat'] as const;
export type CtStatus = (typeof CT_STATUSES)[number];

export const ADDR_TYPES = [
  'unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable',
  'prohibit', 'throw', 'nat', 'xresolve',
] as const;
export type AddrType = (typeof ADDR_TYPES)[number];

export type PktType = 'unicast' | 'broadcast' | 'multicast' | 'host' | 'other';

export type Match =
  | { readonly kind: 'any' }
  | { readonly kind: 'none' }
  | { readonly kind: 'and'; readonly items: readonly Match[] }
  | { readonly kind: 'or'; readonly items: readonly Match[] }
  | { readonly kind: 'not'; readonly item: Match }
  | { readonly kind: 'family'; readonly family: Family }
  | { readonly kind: 'addr'; readonly field: AddrField; readonly set: AddressSet }
  | { readonly kind: 'num'; readonly field: NumField; readonly set: IntervalSet<number> }
  | { readonly kind: 'bits'; readonly field: BitsField; readonly mask: number; readonly value: number }
  /** Interface name; `wildcard` means `name` is a prefix (iptables `eth+`, nft `"eth*"`). */
  | { readonly kind: 'iface'; readonly dir: 'in' | 'out'; readonly name: string; readonly wildcard: boolean }
  | { readonly kind: 'ctstate'; readonly states: readonly CtState[] }
  | { readonly kind: 'ctstatus'; readonly statuses: readonly CtStatus[] }
  | { readonly kind: 'ctdir'; readonly dir: 'original' | 'reply' }
  /** IPv4 non-first fragment (iptables `-f`). */
  | { readonly kind: 'fragment' }
  | { readonly kind: 'tcpOption'; readonly option: number }
  | { readonly kind: 'addrtype'; readonly field: 'src' | 'dst'; readonly types: readonly AddrType[] }
  | { readonly kind: 'pkttype'; readonly type: PktType }
  /** Source MAC address as a 48-bit number. */
  | { readonly kind: 'mac'; readonly value: number }
  /** ipset membership; `members` is known when an `ipset save` file was given. */
  | { readonly kind: 'ipset'; readonly name: string; readonly fields: readonly AddrField[]; readonly members?: AddressSet }
  /** Anything that cannot be modelled exactly: analyses treat it as "may match" and say so. */
  | { readonly kind: 'opaque'; readonly reason: string; readonly text: string };

export type MatchKind = Match['kind'];

export const ANY: Match = { kind: 'any' };
export const NONE: Match = { kind: 'none' };

/** Conjunction, flattened; `any` items dropped, `none` absorbs. */
export function and(...items: Match[]): Match {
  return andOf(items);
}

/** `and` of a list (no spread: dialects call it once per rule). */
export function andOf(items: readonly Match[]): Match {
  const out: Match[] = [];
  for (const m of items) {
    if (m.kind === 'any') continue;
    if (m.kind === 'none') return NONE;
    if (m.kind === 'and') out.push(...m.items);
    else out.push(m);
  }
  if (out.length === 0) return ANY;
  return out.length === 1 ? (out[0] as Match) : { kind: 'and', items: out };
}

/** Disjunction, flattened; `none` items dropped, `any` absorbs. */
export function or(...items: Match[]): Match {
  const out: Match[] = [];
  for (const m of items) {
    if (m.kind === 'none') continue;
    if (m.kind === 'any') return ANY;
    if (m.kind === 'or') out.push(...m.items);
    else out.push(m);
  }
  if (out.length === 0) return NONE;
  return out.length === 1 ? (out[0] as Match) : { kind: 'or', items: out };
}

export function not(item: Match): Match {
  if (item.kind === 'any') return NONE;
  if (item.kind === 'none') return ANY;
  if (item.kind === 'not') return item.item;
  return { kind: 'not', item };
}

/** `invert ? not(m) : m`, the shape of every `! --option` in iptables. */
export function negateIf(invert: boolean, m: Match): Match {
  return invert ? not(m) : m;
}

export function family(f: Family): Match {
  return { kind: 'family', family: f };
}

export function addr(field: AddrField, set: AddressSet): Match {
  return { kind: 'addr', field, set };
}

export function src(set: AddressSet): Match {
  return addr('src', set);
}

export function dst(set: AddressSet): Match {
  return addr('dst', set);
}

/** `field` ∈ the union of the inclusive ranges given. */
export function num(field: NumField, ...ranges: (readonly [number, number])[]): Match {
  return { kind: 'num', field, set: fromIntervals(NUM_FIELDS[field], ranges) };
}

export function numSet(field: NumField, set: IntervalSet<number>): Match {
  return { kind: 'num', field, set };
}

export function eq(field: NumField, value: number): Match {
  return num(field, [value, value]);
}

export function protocol(n: number): Match {
  return eq('protocol', n);
}

export function bits(field: BitsField, mask: number, value: number): Match {
  return { kind: 'bits', field, mask: mask >>> 0, value: value >>> 0 };
}

export function iface(dir: 'in' | 'out', name: string, wildcard = false): Match {
  return { kind: 'iface', dir, name, wildcard };
}

export function ctstate(...states: CtState[]): Match {
  return { kind: 'ctstate', states };
}

export function ctstatus(...statuses: CtStatus[]): Match {
  return { kind: 'ctstatus', statuses };
}

export function opaque(reason: string, text: string): Match {
  return { kind: 'opaque', reason, text };
}

/** True when the match tree contains an opaque predicate. */
export function hasOpaque(m: Match): boolean {
  switch (m.kind) {
    case 'opaque': return true;
    case 'ipset': return m.members === undefined;
    case 'and': case 'or': return m.items.some(hasOpaque);
    case 'not': return hasOpaque(m.item);
    default: return false;
  }
}
