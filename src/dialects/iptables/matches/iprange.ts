/** `-m iprange --src-range a-b --dst-range a-b` (a single address is a range of one). */
import { addressDomain } from '../../../model/address.js';
import { fromIntervals } from '../../../model/interval-set.js';
import { type Match, addr, andOf, negateIf } from '../../../model/match.js';
import { type ArgContext, type ArgResult, type MatchSpec, bad, get, ok, option } from '../extension.js';
import { requireSome } from '../ext-helpers.js';
import type { IpFamily } from '../syntax.js';
import { readAddress } from '../values.js';
import { formatIpv4, formatIpv6 } from '../../../model/address.js';

export interface AddrRange {
  readonly family: IpFamily;
  readonly lo: bigint;
  readonly hi: bigint;
}

export function readAddrRange(text: string, ctx: ArgContext): ArgResult<AddrRange> {
  const dash = text.indexOf('-');
  const a = dash < 0 ? text : text.slice(0, dash);
  const b = dash < 0 ? text : text.slice(dash + 1);
  const lo = readAddress(a, ctx.family);
  const hi = readAddress(b, ctx.family);
  const fam = ctx.family === 'ipv4' ? 'IPv4' : 'IPv6';
  if (lo === undefined) return bad(`expected an ${fam} address range (a-b), got '${text}'`);
  if (hi === undefined) return bad(`expected an ${fam} address after '-', got '${b}'`);
  return ok({ family: ctx.family, lo, hi });
}

export function showAddrRange(r: AddrRange): string {
  const f = r.family === 'ipv4' ? formatIpv4 : formatIpv6;
  return `${f(r.lo)}-${f(r.hi)}`;
}

const RANGES = ['src-range', 'dst-range'] as const;

export const iprange: MatchSpec = {
  kind: 'match',
  name: 'iprange',
  options: [
    option<AddrRange>({ name: 'src-range', args: 1, invert: true, parse: (a, ctx) => readAddrRange(a[0] ?? '', ctx), show: showAddrRange }),
    option<AddrRange>({ name: 'dst-range', args: 1, invert: true, parse: (a, ctx) => readAddrRange(a[0] ?? '', ctx), show: showAddrRange }),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['src-range', 'dst-range']);
    for (const n of ['src-range', 'dst-range']) {
      const r = get<AddrRange>(inst, n);
      if (r && r.value.lo > r.value.hi) ctx.warning('iptables/empty-range', `iprange: --${n} ${showAddrRange(r.value)} is reversed and never matches`, r.span);
    }
  },
  toMatch(inst) {
    const parts: Match[] = [];
    for (const n of RANGES) {
      const r = get<AddrRange>(inst, n);
      if (!r) continue;
      const fam = r.value.family;
      const set = { family: fam, set: fromIntervals(addressDomain[fam], [[r.value.lo, r.value.hi]]) };
      parts.push(negateIf(r.invert, addr(n === 'src-range' ? 'src' : 'dst', set)));
    }
    return andOf(parts);
  },
};
