/** Match builders shared by the cloud converters: address lists, port ranges, protocol sets. */
import { type Address, type AddressSet, type Cidr, type Family, addressSetOf, prefixInterval } from '../../model/address.js';
import { type AddrField, type Match, NONE, addr, num, or } from '../../model/match.js';

/** An address set per family from CIDRs (families kept apart: an IPv4 range never matches IPv6). */
export function cidrSets(cidrs: readonly Cidr[]): AddressSet[] {
  const out: AddressSet[] = [];
  for (const f of ['ipv4', 'ipv6'] as const) {
    const mine = cidrs.filter((c) => c.family === f);
    if (mine.length > 0) out.push(addressSetOf(f, mine.map((c) => prefixInterval(f, c.value, c.length))));
  }
  return out;
}

/** `field` ∈ any of the CIDRs; no CIDR: matches nothing. */
export function inCidrs(field: AddrField, cidrs: readonly Cidr[]): Match {
  const sets = cidrSets(cidrs);
  return sets.length === 0 ? NONE : or(...sets.map((s) => addr(field, s)));
}

export function hostCidr(a: Address): Cidr {
  return { family: a.family, value: a.value, length: a.family === 'ipv4' ? 32 : 128 };
}

/** `field` ∈ the addresses given; none: matches nothing. */
export function inAddresses(field: AddrField, as: readonly Address[]): Match {
  return inCidrs(field, as.map(hostCidr));
}

export function anyOfFamily(f: Family): Cidr {
  return { family: f, value: 0n, length: 0 };
}

/** Destination (or source) port ranges; an empty list matches nothing. */
export function portRanges(field: 'sport' | 'dport', ranges: readonly (readonly [number, number])[]): Match {
  return ranges.length === 0 ? NONE : num(field, ...ranges);
}

/** `80`, `8000-8080`, `*` (all) → a range; undefined when malformed. */
export function parsePortRange(text: string): readonly [number, number] | undefined {
  const t = text.trim();
  if (t === '*' || t.toLowerCase() === 'any') return [0, 65535];
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? [lo, hi] : undefined;
}
