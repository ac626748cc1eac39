/**
 * ipset: `ipset save` files, used to resolve `-m set --match-set NAME` in iptables rules.
 *
 * - `parseIpsetSave(file)`: the sets as written (create/add lines), with diagnostics.
 * - `ipsetAddressSets(save)`: name → AddressSet for the address-only set types.
 * - `loadIpsets(text, fileName)`: both in one call; pass the map as `ipsets` to loadIptables or
 *   to the iptables dialect's convert (ConvertContext.ipsets).
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { sourceFile } from '../../diagnostics/source.js';
import type { AddressSet } from '../../model/address.js';
import { ipsetAddressSets } from './address-sets.js';
import { parseIpsetSave } from './parse.js';

export { parseIpsetSave } from './parse.js';
export type { IpsetSave, IpsetDef, IpsetEntry } from './parse.js';
export { ipsetAddressSets } from './address-sets.js';

/** True when the text looks like `ipset save` output. */
export function isIpsetSave(text: string): boolean {
  return /^create \S+ (hash|bitmap|list):\S+/m.test(text.slice(0, 100_000));
}

export function loadIpsets(text: string, fileName = '-'): { sets: Map<string, AddressSet>; diagnostics: Diagnostic[] } {
  const file = sourceFile(fileName, text);
  const parsed = parseIpsetSave(file);
  const sets = ipsetAddressSets(parsed.value);
  return { sets: sets.value, diagnostics: [...parsed.diagnostics, ...sets.diagnostics] };
}
