/**
 * Values for generated nftables rules: addresses (prefixes, ranges, single addresses) from the test
 * pools, ports and other numbers biased to the values packets carry, disjoint element lists for
 * sets and verdict maps (nft refuses overlapping intervals in a named set).
 */
import fc from 'fast-check';
import { type Family, prefixInterval } from '../model/address.js';
import { POOLS, arbPoolAddress, poolBase } from './gen-ruleset.js';
import type { AddrItem, ConcatItem, NumItem } from './gen-nft-syntax.js';

export const NFT_PORTS = [0, 1, 21, 22, 23, 53, 80, 81, 443, 1023, 1024, 1025, 8080, 32767, 65534, 65535];

export type Pool = 'src' | 'dst';

/** Mostly the pool the field's packets come from; sometimes the other one (then it never matches). */
function arbPool(own: Pool): fc.Arbitrary<Pool> {
  const other: Pool = own === 'src' ? 'dst' : 'src';
  return fc.constantFrom<Pool>(own, own, own, own, own, own, own, own, other);
}

export function arbAddrItem(ip: Family, own: Pool): fc.Arbitrary<AddrItem> {
  const top = (which: Pool): bigint => poolBase(ip, which) | ((1n << BigInt(POOLS[ip].hostBits)) - 1n);
  const prefix = fc.tuple(arbPool(own), fc.constantFrom(...POOLS[ip].lens.filter((l) => l > 0)))
    .chain(([which, len]) => arbPoolAddress(ip, which).map((a): AddrItem => {
      const [lo, hi] = prefixInterval(ip, a, len);
      return len === (ip === 'ipv4' ? 32 : 128) ? { lo, hi } : { lo, hi, len };
    }));
  const range = fc.tuple(arbPool(own), fc.constantFrom(1n, 2n, 7n, 255n, 256n, 4095n, 70000n)).chain(([which, w]) =>
    arbPoolAddress(ip, which).map((lo): AddrItem => ({ lo, hi: lo + w > top(which) ? top(which) : lo + w })));
  const single = arbPool(own).chain((which) => arbPoolAddress(ip, which).map((lo): AddrItem => ({ lo, hi: lo })));
  return fc.oneof({ arbitrary: prefix, weight: 3 }, { arbitrary: range, weight: 2 }, { arbitrary: single, weight: 1 });
}

export const arbPort: fc.Arbitrary<number> = fc.oneof({ arbitrary: fc.constantFrom(...NFT_PORTS), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 65535 }), weight: 1 });

export function arbPortItem(): fc.Arbitrary<NumItem> {
  const range = fc.tuple(arbPort, fc.constantFrom(1, 2, 10, 100, 1000, 30000)).map(([lo, w]): NumItem => [lo, Math.min(65535, lo + w)]);
  return fc.oneof({ arbitrary: arbPort.map((p): NumItem => [p, p]), weight: 2 }, { arbitrary: range, weight: 1 });
}

/** Items of a list with overlapping ones removed (the first kept), sorted. */
export function disjointNums(items: readonly NumItem[]): NumItem[] {
  const out: NumItem[] = [];
  for (const it of items) if (!out.some(([lo, hi]) => it[0] <= hi && lo <= it[1])) out.push(it);
  return out.sort((a, b) => a[0] - b[0]);
}

export function disjointAddrs(items: readonly AddrItem[]): AddrItem[] {
  const out: AddrItem[] = [];
  for (const it of items) if (!out.some((o) => it.lo <= o.hi && o.lo <= it.hi)) out.push(it);
  return out.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
}

/** Concatenated elements whose address parts and port parts do not both overlap. */
export function disjointConcats(items: readonly ConcatItem[]): ConcatItem[] {
  const out: ConcatItem[] = [];
  const overlaps = ([a, n]: ConcatItem, [b, m]: ConcatItem): boolean => a.lo <= b.hi && b.lo <= a.hi && n[0] <= m[1] && m[0] <= n[1];
  for (const it of items) if (!out.some((o) => overlaps(o, it))) out.push(it);
  return out;
}

export function arbConcatItem(ip: Family): fc.Arbitrary<ConcatItem> {
  return fc.tuple(arbAddrItem(ip, 'src'), arbPortItem());
}

/** Protocols rules test: the ones packets carry, and a few they rarely or never do. */
export function protocolsFor(ip: Family): readonly number[] {
  return [6, 6, 17, 17, ip === 'ipv4' ? 1 : 58, ip === 'ipv4' ? 1 : 58, 50, 47, 253, ip === 'ipv4' ? 58 : 1];
}

/** TCP flag bytes rules compare with. */
export const FLAG_VALUES = [0x02, 0x12, 0x10, 0x01, 0x04, 0x14, 0x11, 0x18, 0x03, 0x06, 0x29, 0x00, 0xc2, 0x40, 0x80];
export const FLAG_MASKS = [0x02, 0x12, 0x17, 0x3f, 0x03, 0x06, 0x14, 0x01, 0xff, 0xc0, 0x05];

export const ICMP_TYPES = [0, 3, 4, 5, 8, 11, 12, 13, 14, 17, 18, 40, 255];
export const ICMPV6_TYPES = [1, 2, 3, 4, 128, 129, 130, 131, 133, 134, 135, 136, 137, 139, 151, 200];

/** Interface names rules test: the lab's links, wildcards over them, and names no packet arrives on. */
export function ifaceNames(interfaces: readonly string[]): string[] {
  return [...interfaces, 'fwo*', 'eth*', 'f*', 'fwo1x', 'lo', 'ens3'];
}
