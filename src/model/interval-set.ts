/**
 * Sets of integers as sorted, disjoint, non-adjacent closed intervals.
 * One implementation serves ports, protocol numbers, lengths (number) and addresses (bigint).
 */

export type Interval<T> = readonly [lo: T, hi: T];

/** A normalised interval list: sorted by `lo`, disjoint, and no two intervals adjacent. */
export interface IntervalSet<T> {
  readonly intervals: readonly Interval<T>[];
}

/** The arithmetic an interval set needs over its element type. */
export interface Domain<T> {
  readonly min: T;
  readonly max: T;
  /** x + 1; only called when x < max. */
  succ(x: T): T;
  /** x - 1; only called when x > min. */
  pred(x: T): T;
}

export function makeDomain(min: number, max: number): Domain<number> {
  return { min, max, succ: (x) => x + 1, pred: (x) => x - 1 };
}

export function makeBigDomain(min: bigint, max: bigint): Domain<bigint> {
  return { min, max, succ: (x) => x + 1n, pred: (x) => x - 1n };
}

/** Builds a normalised set from any intervals (unsorted, overlapping, reversed ones are ignored). */
export function fromIntervals<T extends number | bigint>(d: Domain<T>, input: Iterable<Interval<T>>): IntervalSet<T> {
  const list = [...input].filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [T, T][] = [];
  for (const [lo, hi] of list) {
    const last = out[out.length - 1];
    if (last !== undefined && (last[1] >= lo || (last[1] < d.max && d.succ(last[1]) === lo))) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return { intervals: out };
}

export function emptySet<T>(): IntervalSet<T> {
  return { intervals: [] };
}

export function fullSet<T>(d: Domain<T>): IntervalSet<T> {
  return { intervals: [[d.min, d.max]] };
}

export function single<T>(x: T): IntervalSet<T> {
  return { intervals: [[x, x]] };
}

export function isEmpty<T>(s: IntervalSet<T>): boolean {
  return s.intervals.length === 0;
}

export function isFull<T>(d: Domain<T>, s: IntervalSet<T>): boolean {
  const only = s.intervals[0];
  return s.intervals.length === 1 && only !== undefined && only[0] === d.min && only[1] === d.max;
}

/** Membership by binary search. */
export function contains<T extends number | bigint>(s: IntervalSet<T>, x: T): boolean {
  const iv = s.intervals;
  let lo = 0;
  let hi = iv.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const cur = iv[mid] as Interval<T>;
    if (x < cur[0]) hi = mid - 1;
    else if (x > cur[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

export function union<T extends number | bigint>(d: Domain<T>, a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> {
  return fromIntervals(d, [...a.intervals, ...b.intervals]);
}

export function complement<T extends number | bigint>(d: Domain<T>, s: IntervalSet<T>): IntervalSet<T> {
  const out: Interval<T>[] = [];
  let next: T | undefined = d.min;
  for (const [lo, hi] of s.intervals) {
    if (next !== undefined && lo > next) out.push([next, d.pred(lo)]);
    next = hi < d.max ? d.succ(hi) : undefined;
  }
  if (next !== undefined) out.push([next, d.max]);
  return { intervals: out };
}

export function intersect<T extends number | bigint>(a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> {
  const out: Interval<T>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.intervals.length && j < b.intervals.length) {
    const x = a.intervals[i] as Interval<T>;
    const y = b.intervals[j] as Interval<T>;
    const lo = x[0] > y[0] ? x[0] : y[0];
    const hi = x[1] < y[1] ? x[1] : y[1];
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return { intervals: out };
}

export function difference<T extends number | bigint>(d: Domain<T>, a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> {
  return intersect(a, complement(d, b));
}

export function equals<T>(a: IntervalSet<T>, b: IntervalSet<T>): boolean {
  if (a.intervals.length !== b.intervals.length) return false;
  return a.intervals.every((x, i) => {
    const y = b.intervals[i] as Interval<T>;
    return x[0] === y[0] && x[1] === y[1];
  });
}

export function isSubset<T extends number | bigint>(a: IntervalSet<T>, b: IntervalSet<T>): boolean {
  return equals(intersect(a, b), a);
}

/** Number of elements (as bigint so that IPv6 sizes fit). */
export function size<T extends number | bigint>(s: IntervalSet<T>): bigint {
  let n = 0n;
  for (const [lo, hi] of s.intervals) n += BigInt(hi) - BigInt(lo) + 1n;
  return n;
}

/** The smallest element, for witnesses. */
export function first<T>(s: IntervalSet<T>): T | undefined {
  return s.intervals[0]?.[0];
}
