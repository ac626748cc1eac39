/**
 * ipset definitions → address sets, for the set types that hold plain addresses: hash:ip,
 * hash:net, bitmap:ip (with their `netmask` option) and list:set of those. hash:net `nomatch`
 * entries are exceptions: entries apply from the least to the most specific, as the kernel's
 * longest-prefix lookup decides. Other types (ports, interfaces, MACs…) get a diagnostic.
 */
import { type Diagnostic, type Parsed, warning } from '../../diagnostics/diagnostic.js';
import { lineSpan } from '../../diagnostics/source.js';
import { type AddressSet, type Family, addressDomain, noAddress, parseAddress, prefixInterval } from '../../model/address.js';
import { type Interval, difference, fromIntervals, union } from '../../model/interval-set.js';
import type { IpsetDef, IpsetEntry, IpsetSave } from './parse.js';

const ADDRESS_TYPES = new Set(['hash:ip', 'hash:net', 'bitmap:ip']);

interface Piece {
  readonly lo: bigint;
  readonly hi: bigint;
  /** Prefix length (for ordering exceptions); ranges count as their widest block. */
  readonly len: number;
  readonly nomatch: boolean;
}

/** `a`, `a/len` or `a-b` → the interval it covers, with `netmask` widening each address. */
function readEntry(e: IpsetEntry, family: Family, netmask: number | undefined): Piece | string {
  const bits = family === 'ipv4' ? 32 : 128;
  const widen = (lo: bigint, hi: bigint): [bigint, bigint] => {
    if (netmask === undefined) return [lo, hi];
    return [prefixInterval(family, lo, netmask)[0], prefixInterval(family, hi, netmask)[1]];
  };
  const dash = e.text.indexOf('-');
  if (dash > 0 && family === 'ipv4') {
    const a = parseAddress(e.text.slice(0, dash));
    const b = parseAddress(e.text.slice(dash + 1));
    if (a?.family !== family || b?.family !== family || a.value > b.value) return `expected an address range a-b, got '${e.text}'`;
    const [lo, hi] = widen(a.value, b.value);
    return { lo, hi, len: 0, nomatch: e.nomatch };
  }
  const slash = e.text.indexOf('/');
  const addr = parseAddress(slash < 0 ? e.text : e.text.slice(0, slash));
  if (addr?.family !== family) return `expected an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address, got '${e.text}'`;
  const lenText = slash < 0 ? String(bits) : e.text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) return `expected a prefix length in 0-${bits}, got '${lenText}'`;
  const len = Number(lenText);
  const [lo0, hi0] = prefixInterval(family, addr.value, len);
  const [lo, hi] = widen(lo0, hi0);
  return { lo, hi, len: netmask === undefined ? len : Math.min(len, netmask), nomatch: e.nomatch };
}

function ownMembers(def: IpsetDef, out: Diagnostic[], file: string): AddressSet {
  const d = addressDomain[def.family];
  const nm = def.options.get('netmask');
  const netmask = nm === undefined ? undefined : Number(nm);
  const pieces: Piece[] = [];
  for (const e of def.entries) {
    const p = readEntry(e, def.family, netmask);
    if (typeof p === 'string') out.push(warning('ipset/bad-entry', `set '${def.name}': ${p} (entry ignored)`, lineSpan(file, e.line, e.column, e.text.length)));
    else pieces.push(p);
  }
  if (!pieces.some((p) => p.nomatch)) {
    return { family: def.family, set: fromIntervals(d, pieces.map((p): Interval<bigint> => [p.lo, p.hi])) };
  }
  // Longest prefix wins: apply from the least to the most specific entry.
  let set = noAddress(def.family).set;
  for (const p of [...pieces].sort((a, b) => a.len - b.len)) {
    const one = fromIntervals(d, [[p.lo, p.hi]]);
    set = p.nomatch ? difference(d, set, one) : union(d, set, one);
  }
  return { family: def.family, set };
}

/** Address sets by name; diagnostics say which sets could not be used and why. */
export function ipsetAddressSets(save: IpsetSave): Parsed<Map<string, AddressSet>> {
  const diagnostics: Diagnostic[] = [];
  const out = new Map<string, AddressSet>();
  const lists: IpsetDef[] = [];
  for (const def of save.sets.values()) {
    if (def.type === 'list:set') { lists.push(def); continue; }
    if (!ADDRESS_TYPES.has(def.type)) {
      diagnostics.push(warning('ipset/unsupported-type',
        `set '${def.name}' has type ${def.type}: only address sets (hash:ip, hash:net, bitmap:ip and list:set of them) are used, so rules matching it stay unresolved`,
        lineSpan(save.file, def.line, 1, 6)));
      continue;
    }
    out.set(def.name, ownMembers(def, diagnostics, save.file));
  }
  // list:set: the union of its members, once they are all known (nested lists resolve in rounds).
  let pending = lists;
  while (pending.length > 0) {
    const next: IpsetDef[] = [];
    for (const def of pending) {
      const names = def.entries.map((e) => e.text);
      if (names.some((n) => !out.has(n) && pending.some((p) => p.name === n))) { next.push(def); continue; }
      const missing = names.filter((n) => !out.has(n));
      if (missing.length > 0) {
        diagnostics.push(warning('ipset/unsupported-type', `list set '${def.name}' contains ${missing.map((m) => `'${m}'`).join(', ')}, which are not address sets: it stays unresolved`, lineSpan(save.file, def.line, 1, 6)));
        continue;
      }
      const members = names.map((n) => out.get(n) as AddressSet);
      const fam = members[0]?.family ?? def.family;
      if (members.some((m) => m.family !== fam)) {
        diagnostics.push(warning('ipset/family', `list set '${def.name}' mixes IPv4 and IPv6 sets: it stays unresolved`, lineSpan(save.file, def.line, 1, 6)));
        continue;
      }
      let set = noAddress(fam).set;
      for (const m of members) set = union(addressDomain[fam], set, m.set);
      out.set(def.name, { family: fam, set });
    }
    if (next.length === pending.length) {
      for (const def of next) diagnostics.push(warning('ipset/loop', `list set '${def.name}' contains itself (directly or through other lists): it stays unresolved`, lineSpan(save.file, def.line, 1, 6)));
      break;
    }
    pending = next;
  }
  return { value: out, diagnostics };
}
