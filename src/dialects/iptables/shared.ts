/**
 * Model predicates shared between rules. Matches are immutable data, and a large ruleset repeats
 * the same ones (`-p tcp`, `--dport 22`, `--ctstate RELATED,ESTABLISHED`) thousands of times:
 * building each once keeps converting a 50,000-rule file fast and its model small.
 */
import { addressDomain, type AddressSet, type Family } from '../../model/address.js';
import { fromIntervals } from '../../model/interval-set.js';
import { type BitsField, type CtState, type Match, type NumField, bits, ctstate, not, num } from '../../model/match.js';

const MAX = 100_000;

function memo<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= MAX) cache.clear();
    cache.set(key, v);
  }
  return v;
}

const NUMS = new Map<string, Match>();

/** `field` ∈ [lo, hi]. */
export function numRange(field: NumField, lo: number, hi: number): Match {
  return memo(NUMS, `${field} ${lo} ${hi}`, () => num(field, [lo, hi]));
}

export function numEq(field: NumField, v: number): Match {
  return numRange(field, v, v);
}

const BITS = new Map<string, Match>();

export function bitsShared(field: BitsField, mask: number, value: number): Match {
  return memo(BITS, `${field} ${mask} ${value}`, () => bits(field, mask, value));
}

const STATES = new Map<string, Match>();

export function ctstateShared(states: readonly CtState[]): Match {
  return memo(STATES, states.join(','), () => ctstate(...states));
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

const RANGES: Record<Family, Map<bigint, Map<bigint, AddressSet>>> = { ipv4: new Map(), ipv6: new Map() };

/** The address set [lo, hi], shared by value. */
export function addressRange(family: Family, lo: bigint, hi: bigint): AddressSet {
  const byLo = memo(RANGES[family], lo, () => new Map<bigint, AddressSet>());
  return memo(byLo, hi, () => ({ family, set: fromIntervals(addressDomain[family], [[lo, hi]]) }));
}
