import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  complement, contains, difference, equals, fromIntervals, fullSet, intersect, isEmpty, isFull, isSubset,
  makeBigDomain, makeDomain, size, union, type IntervalSet,
} from './interval-set.js';

const d = makeDomain(0, 63);
const interval = fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 }));
const set = fc.array(interval, { maxLength: 6 }).map((xs) => fromIntervals(d, xs));
const point = fc.integer({ min: 0, max: 63 });

function members(s: IntervalSet<number>): number[] {
  const out: number[] = [];
  for (let i = d.min; i <= d.max; i++) if (contains(s, i)) out.push(i);
  return out;
}

describe('interval sets', () => {
  it('normalise: sorted, disjoint, non-adjacent', () => {
    fc.assert(fc.property(set, (s) => {
      for (let i = 1; i < s.intervals.length; i++) {
        const prev = s.intervals[i - 1] as readonly [number, number];
        const cur = s.intervals[i] as readonly [number, number];
        expect(prev[1] + 1).toBeLessThan(cur[0]);
      }
    }));
  });

  it('membership agrees with the intervals given, reversed ones ignored', () => {
    fc.assert(fc.property(fc.array(interval, { maxLength: 6 }), point, (xs, p) => {
      const expected = xs.some(([lo, hi]) => lo <= hi && lo <= p && p <= hi);
      expect(contains(fromIntervals(d, xs), p)).toBe(expected);
    }));
  });

  it('union, intersection, complement and difference are the set operations', () => {
    fc.assert(fc.property(set, set, point, (a, b, p) => {
      expect(contains(union(d, a, b), p)).toBe(contains(a, p) || contains(b, p));
      expect(contains(intersect(a, b), p)).toBe(contains(a, p) && contains(b, p));
      expect(contains(complement(d, a), p)).toBe(!contains(a, p));
      expect(contains(difference(d, a, b), p)).toBe(contains(a, p) && !contains(b, p));
    }));
  });

  it('is canonical: equal membership means equal representation', () => {
    fc.assert(fc.property(set, set, (a, b) => {
      expect(equals(a, b)).toBe(JSON.stringify(members(a)) === JSON.stringify(members(b)));
    }));
  });

  it('complement is an involution and De Morgan holds', () => {
    fc.assert(fc.property(set, set, (a, b) => {
      expect(equals(complement(d, complement(d, a)), a)).toBe(true);
      expect(equals(complement(d, union(d, a, b)), intersect(complement(d, a), complement(d, b)))).toBe(true);
    }));
  });

  it('size and subset', () => {
    fc.assert(fc.property(set, set, (a, b) => {
      expect(size(a)).toBe(BigInt(members(a).length));
      expect(isSubset(a, b)).toBe(members(a).every((x) => contains(b, x)));
    }));
  });

  it('handles the domain edges', () => {
    const full = fullSet(d);
    expect(isFull(d, full)).toBe(true);
    expect(isEmpty(complement(d, full))).toBe(true);
    expect(complement(d, fromIntervals(d, [[0, 0]])).intervals).toEqual([[1, 63]]);
    expect(complement(d, fromIntervals(d, [[63, 63]])).intervals).toEqual([[0, 62]]);
    expect(fromIntervals(d, [[0, 10], [11, 20]]).intervals).toEqual([[0, 20]]);
    const big = makeBigDomain(0n, (1n << 128n) - 1n);
    const top = fromIntervals(big, [[(1n << 128n) - 1n, (1n << 128n) - 1n]]);
    expect(complement(big, top).intervals).toEqual([[0n, (1n << 128n) - 2n]]);
    expect(size(fullSet(big))).toBe(1n << 128n);
  });
});
