/**
 * Model predicates shared between rules. Matches are immutable data, and a large ruleset repeats
 * the same ones (`-p tcp`, `--dport 22`, `--ctstate RELATED,ESTABLISHED`) thousands of times:
 * building each once keeps converting a 50,000-rule file fast and its model small.
 */
import { addressDomain, type AddressSet, type Family } from '../../model/address.js';
import { fromIntervals } from '../../model/interval-set.js';
import { type BitsField, type CtState, type Match, type NumField, bits, ctstate, not, num } from '../../model/match.js';

const MAX = 100_000;

/** Remembers `v` under `key` (the caches are emptied when they grow too large). */
function remember<K, V>(cache: Map<K, V>, key: K, v: V): V {
  if (cache.size >= MAX) cache.clear();
  cache.set(key, v);
  return v;
}

/** Narrow ranges by field, keyed by lo and hi in one signed 32-bit number (a small integer). */
const NUMS = new Map<NumField, Map<number, Match>>();
const WIDE_NUMS = new Map<string, Match>();
/** Single values (lo = hi ≤ 0xffff) by field, indexed by the value: the most frequent case, no hashing. */
const SINGLES = new Map<NumField, (Match | undefined)[]>();

/** `field` ∈ [lo, hi]. */
export function numRange(field: NumField, lo: number, hi: number): Match {
  if (lo === hi && lo >= 0 && lo <= 0xffff) {
    let byValue = SINGLES.get(field);
    if (byValue === undefined) {
      byValue = new Array<Match | undefined>(0x10000).fill(undefined);
      SINGLES.set(field, byValue);
    }
    return byValue[lo] ??= num(field, [lo, lo]);
  }
  if (lo < 0 || hi > 0xffff) {
    const key = `${field} ${lo} ${hi}`;
    return WIDE_NUMS.get(key) ?? remember(WIDE_NUMS, key, num(field, [lo, hi]));
  }
  let byRange = NUMS.get(field);
  if (byRange === undefined) {
    byRange = new Map();
    NUMS.set(field, byRange);
  }
  const key = (lo * 0x10000 + hi) | 0;
  return byRange.get(key) ?? remember(byRange, key, num(field, [lo, hi]));
}

export function numEq(field: NumField, v: number): Match {
  return numRange(field, v, v);
}

const BITS = new Map<string, Match>();

export function bitsShared(field: BitsField, mask: number, value: number): Match {
  const key = `${field} ${mask} ${value}`;
  return BITS.get(key) ?? remember(BITS, key, bits(field, mask, value));
}

const STATES = new Map<string, Match>();

export function ctstateShared(states: readonly CtState[]): Match {
  const key = states.join(',');
  return STATES.get(key) ?? remember(STATES, key, ctstate(...states));
}

const NOTS = new WeakMap<Match, Match>();

/** `invert ? not(m) : m`, with one `not` per shared predicate. */
export function negateShared(invert: boolean, m: Match): Match {
  if (!invert) return m;
  let n = NOTS.get(m);
  if (n === undefined) {
    n = not(m);
    NOTS.set(m, n);
  }
  return n;
}

/** The address set [lo, hi] (lo ≤ hi): one interval is already in the set's normal form. */
export function addressRange(family: Family, lo: bigint, hi: bigint): AddressSet {
  return lo <= hi ? { family, set: { intervals: [[lo, hi]] } } : { family, set: fromIntervals(addressDomain[family], []) };
}

const HOST_MASKS: Record<Family, bigint[]> = { ipv4: [], ipv6: [] };
for (const [family, bits] of [['ipv4', 32], ['ipv6', 128]] as const) {
  for (let len = 0; len <= bits; len++) HOST_MASKS[family].push((1n << BigInt(bits - len)) - 1n);
}

/** The host part of a prefix: 2^(bits − len) − 1. */
export function hostMask(family: Family, len: number): bigint {
  return HOST_MASKS[family][len] as bigint;
}
