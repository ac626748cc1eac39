/**
 * `ipset save` output, as far as the host snapshot needs it: the members of address sets
 * (`hash:ip`, `hash:net`, `bitmap:ip`, with their `create … family inet|inet6`), for `-m set` /
 * `@set` matches. Sets keyed by more than an address (hash:ip,port …) are left unresolved: the
 * rules that use them stay "may match", with an info saying why.
 */
import { type Diagnostic, type Parsed, error, info } from '../../diagnostics/diagnostic.js';
import { type SourceFile, lineSpan, lineText } from '../../diagnostics/source.js';
import { type AddressSet, type Family, cidrSet, noAddress, parseAddress, parseCidr, rangeSet, unionAddresses } from '../../model/address.js';

const CODE = 'host/ipset';
const ADDRESS_TYPES = new Set(['hash:ip', 'hash:net', 'bitmap:ip']);

function member(text: string, family: Family): AddressSet | undefined {
  const dash = text.indexOf('-');
  if (dash > 0) {
    const a = parseAddress(text.slice(0, dash));
    const b = parseAddress(text.slice(dash + 1));
    if (a && b && a.family === family && b.family === family && a.value <= b.value) return rangeSet(family, a.value, b.value);
    return undefined;
  }
  const c = parseCidr(text, family);
  return c === undefined ? undefined : cidrSet(c);
}

export function parseIpsetSave(file: SourceFile): Parsed<Map<string, AddressSet>> {
  const sets = new Map<string, AddressSet>();
  const families = new Map<string, Family | undefined>();
  const diags: Diagnostic[] = [];
  for (let n = 1; n <= file.lineStarts.length; n++) {
    const line = lineText(file, n);
    const w = line.trim().split(/\s+/);
    if (w[0] === undefined || w[0] === '' || w[0].startsWith('#')) continue;
    const name = w[1];
    if ((w[0] === 'create' || w[0] === '-N') && name !== undefined) {
      const type = w[2] ?? '';
      const famAt = w.indexOf('family');
      const family: Family = w[famAt + 1] === 'inet6' && famAt > 0 ? 'ipv6' : 'ipv4';
      if (!ADDRESS_TYPES.has(type)) {
        families.set(name, undefined);
        diags.push(info(CODE, `set '${name}' has type ${type}: only address sets (${[...ADDRESS_TYPES].join(', ')}) are resolved; rules using it stay undecided`, lineSpan(file.name, n, 1, line.length)));
        continue;
      }
      families.set(name, family);
      sets.set(name, noAddress(family));
    } else if ((w[0] === 'add' || w[0] === '-A') && name !== undefined && w[2] !== undefined) {
      if (!families.has(name)) {
        diags.push(error(CODE, `'add' to set '${name}' before its 'create' line`, lineSpan(file.name, n, line.indexOf(name) + 1, name.length)));
        continue;
      }
      const family = families.get(name);
      if (family === undefined) continue;
      const m = member(w[2], family);
      if (m === undefined) {
        diags.push(error(CODE, `expected an ${family} address, prefix or range as member of '${name}', got '${w[2]}'`, lineSpan(file.name, n, line.indexOf(w[2], line.indexOf(name) + name.length) + 1, w[2].length)));
        continue;
      }
      sets.set(name, unionAddresses(sets.get(name) ?? noAddress(family), m));
    } else if (w[0] !== 'flush' && w[0] !== 'destroy') {
      diags.push(error(CODE, `expected 'create' or 'add', got '${w[0]}'`, lineSpan(file.name, n, line.indexOf(w[0]) + 1, w[0].length)));
    }
  }
  return { value: sets, diagnostics: diags };
}
