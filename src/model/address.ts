/**
 * IPv4 and IPv6 addresses, prefixes, ranges and address sets.
 * Addresses are bigints so that one interval arithmetic serves both families.
 */
import {
  type Domain, type Interval, type IntervalSet,
  makeBigDomain, fromIntervals, fullSet, emptySet, contains, union, intersect, complement, isEmpty, isFull,
} from './interval-set.js';

export type Family = 'ipv4' | 'ipv6';

export const IPV4_MAX = (1n << 32n) - 1n;
export const IPV6_MAX = (1n << 128n) - 1n;

export const addressDomain: Readonly<Record<Family, Domain<bigint>>> = {
  ipv4: makeBigDomain(0n, IPV4_MAX),
  ipv6: makeBigDomain(0n, IPV6_MAX),
};

export function bitsOf(family: Family): number {
  return family === 'ipv4' ? 32 : 128;
}

export interface Address {
  readonly family: Family;
  readonly value: bigint;
}

export interface AddressSet {
  readonly family: Family;
  readonly set: IntervalSet<bigint>;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): bigint | undefined {
  const m = IPV4_RE.exec(text);
  if (!m) return undefined;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] as string;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  if (text.includes('.')) {
    // An embedded IPv4 tail (::ffff:198.18.0.1) becomes two hex groups.
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined || lastColon < 0) return undefined;
    head = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  let groups: string[];
  if (dbl >= 0) {
    const left = dbl === 0 ? [] : head.slice(0, dbl).split(':');
    const right = dbl + 2 === head.length ? [] : head.slice(dbl + 2).split(':');
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  } else {
    groups = head.split(':');
  }
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

export function parseAddress(text: string): Address | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 'ipv4', value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 'ipv6', value: v6 };
  return undefined;
}

export function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

/** RFC 5952 text: lower case, longest run (≥ 2) of zero groups as `::`, first run on ties. */
export function formatIpv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatAddress(a: Address): string {
  return a.family === 'ipv4' ? formatIpv4(a.value) : formatIpv6(a.value);
}

export function formatValue(family: Family, v: bigint): string {
  return family === 'ipv4' ? formatIpv4(v) : formatIpv6(v);
}

export function prefixMask(family: Family, len: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = family === 'ipv4' ? IPV4_MAX : IPV6_MAX;
  return len === 0 ? 0n : (all >> (bits - BigInt(len))) << (bits - BigInt(len));
}

/** The interval a prefix covers (host bits of `value` are ignored, as the kernel does). */
export function prefixInterval(family: Family, value: bigint, len: number): Interval<bigint> {
  const mask = prefixMask(family, len);
  const all = family === 'ipv4' ? IPV4_MAX : IPV6_MAX;
  const lo = value & mask;
  return [lo, lo | (all ^ mask)];
}

/** Length of a contiguous netmask (`255.255.255.0` → 24), or undefined when not contiguous. */
export function maskLength(family: Family, mask: bigint): number | undefined {
  const bits = bitsOf(family);
  for (let len = 0; len <= bits; len++) if (prefixMask(family, len) === mask) return len;
  return undefined;
}

export interface Cidr {
  readonly family: Family;
  readonly value: bigint;
  readonly length: number;
}

/**
 * Parses `addr`, `addr/len` or `addr/netmask` (IPv4 dotted mask). Returns undefined on any error;
 * callers produce the diagnostic.
 */
export function parseCidr(text: string, family?: Family): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr || (family && addr.family !== family)) return undefined;
  const bits = bitsOf(addr.family);
  if (slash < 0) return { family: addr.family, value: addr.value, length: bits };
  const suffix = text.slice(slash + 1);
  if (/^\d{1,3}$/.test(suffix)) {
    const len = Number(suffix);
    return len <= bits ? { family: addr.family, value: addr.value, length: len } : undefined;
  }
  const mask = parseAddress(suffix);
  if (!mask || mask.family !== addr.family) return undefined;
  const len = maskLength(addr.family, mask.value);
  return len === undefined ? undefined : { family: addr.family, value: addr.value, length: len };
}

export function cidrSet(c: Cidr): AddressSet {
  return { family: c.family, set: fromIntervals(addressDomain[c.family], [prefixInterval(c.family, c.value, c.length)]) };
}

export function rangeSet(family: Family, lo: bigint, hi: bigint): AddressSet {
  return { family, set: fromIntervals(addressDomain[family], [[lo, hi]]) };
}

export function anyAddress(family: Family): AddressSet {
  return { family, set: fullSet(addressDomain[family]) };
}

export function noAddress(family: Family): AddressSet {
  return { family, set: emptySet() };
}

export function addressSetOf(family: Family, intervals: Iterable<Interval<bigint>>): AddressSet {
  return { family, set: fromIntervals(addressDomain[family], intervals) };
}

export function addressIn(s: AddressSet, a: Address): boolean {
  return s.family === a.family && contains(s.set, a.value);
}

export function unionAddresses(a: AddressSet, b: AddressSet): AddressSet {
  return { family: a.family, set: union(addressDomain[a.family], a.set, b.set) };
}

export function intersectAddresses(a: AddressSet, b: AddressSet): AddressSet {
  return { family: a.family, set: intersect(a.set, b.set) };
}

export function complementAddresses(a: AddressSet): AddressSet {
  return { family: a.family, set: complement(addressDomain[a.family], a.set) };
}

export function isAnyAddress(a: AddressSet): boolean {
  return isFull(addressDomain[a.family], a.set);
}

export function isNoAddress(a: AddressSet): boolean {
  return isEmpty(a.set);
}

/** The fewest CIDR blocks that exactly cover [lo, hi]. */
export function intervalToCidrs(family: Family, lo: bigint, hi: bigint): Cidr[] {
  const bits = bitsOf(family);
  const out: Cidr[] = [];
  let cur = lo;
  while (cur <= hi) {
    let len = bits;
    while (len > 0) {
      const [blo, bhi] = prefixInterval(family, cur, len - 1);
      if (blo !== cur || bhi > hi) break;
      len--;
    }
    out.push({ family, value: cur, length: len });
    const [, end] = prefixInterval(family, cur, len);
    if (end === (family === 'ipv4' ? IPV4_MAX : IPV6_MAX)) break;
    cur = end + 1n;
  }
  return out;
}

export function formatCidr(c: Cidr): string {
  return `${formatValue(c.family, c.value)}/${c.length}`;
}

/** Short human text: CIDRs where that is compact, otherwise `a-b` ranges. */
export function describeAddresses(s: AddressSet): string {
  if (isAnyAddress(s)) return s.family === 'ipv4' ? '0.0.0.0/0' : '::/0';
  if (isNoAddress(s)) return '∅';
  const parts: string[] = [];
  for (const [lo, hi] of s.set.intervals) {
    const cidrs = intervalToCidrs(s.family, lo, hi);
    if (cidrs.length <= 2) {
      for (const c of cidrs) parts.push(c.length === bitsOf(s.family) ? formatValue(s.family, c.value) : formatCidr(c));
    } else {
      parts.push(`${formatValue(s.family, lo)}-${formatValue(s.family, hi)}`);
    }
  }
  return parts.join(',');
}
