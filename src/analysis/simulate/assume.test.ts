import { describe, expect, it } from 'vitest';
import { ANY } from '../../model/match.js';
import { parseAssumptions } from './assume.js';
import type { RuleRef } from './types.js';

const ref = (table: string, chain: string, index: number, family: RuleRef['family'] = 'ip'): RuleRef => ({ family, table, chain, index });

describe('parseAssumptions', () => {
  it('fixes named rules and leaves the rest open', () => {
    const { assume, errors } = parseAssumptions(['filter/INPUT/5=match', 'filter/INPUT/7=nomatch']);
    expect(errors).toEqual([]);
    expect(assume?.(ref('filter', 'INPUT', 5), ANY)).toBe(true);
    expect(assume?.(ref('filter', 'INPUT', 7), ANY)).toBe(false);
    expect(assume?.(ref('filter', 'INPUT', 6), ANY)).toBeUndefined();
  });

  it('takes a global default and a table family', () => {
    const { assume } = parseAssumptions(['opaque=nomatch', 'inet/filter/input/3=accept']);
    expect(assume?.(ref('filter', 'input', 3, 'inet'), ANY)).toBe(true);
    expect(assume?.(ref('filter', 'input', 3, 'ip'), ANY)).toBe(false);
    expect(assume?.(ref('x', 'y', 1), ANY)).toBe(false);
  });

  it('later entries win', () => {
    const { assume } = parseAssumptions(['filter/INPUT/1=match', 'filter/INPUT/1=drop']);
    expect(assume?.(ref('filter', 'INPUT', 1), ANY)).toBe(false);
  });

  it('returns errors for malformed entries, never throws', () => {
    const { assume, errors } = parseAssumptions(['filter/INPUT=match', 'filter/INPUT/0=match', 'filter/INPUT/2=maybe', 'nope', 'foo/filter/INPUT/1=match']);
    expect(assume).toBeUndefined();
    expect(errors).toEqual([
      "--assume 'filter/INPUT=match': expected TABLE/CHAIN/INDEX or FAMILY/TABLE/CHAIN/INDEX, got 'filter/INPUT'",
      "--assume 'filter/INPUT/0=match': expected a 1-based rule index, got '0'",
      "--assume 'filter/INPUT/2=maybe': expected KEY=match|nomatch|accept|drop, got 'maybe'",
      "--assume 'nope': expected KEY=match|nomatch|accept|drop, got 'nope'",
      "--assume 'foo/filter/INPUT/1=match': expected a table family (ip, ip6, inet, arp, bridge, netdev), got 'foo'",
    ]);
  });
});
