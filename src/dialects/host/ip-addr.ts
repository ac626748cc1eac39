/** `ip -j addr` (or `ip -j address show`): interfaces, their state and addresses. */
import { type Diagnostic, type Parsed, warning } from '../../diagnostics/diagnostic.js';
import type { SourceFile } from '../../diagnostics/source.js';
import { parseAddress } from '../../model/address.js';
import type { HostInterface, InterfaceAddress } from '../../model/host.js';
import { isRecord, readJsonItems } from './json-items.js';

const CODE = 'host/ip-addr';

export function parseIpAddr(file: SourceFile): Parsed<HostInterface[]> {
  const { items, diagnostics } = readJsonItems(file, CODE, '`ip -j addr`');
  const out: HostInterface[] = [];
  const diags: Diagnostic[] = [...diagnostics];
  for (const item of items) {
    const o = item.value;
    if (!isRecord(o) || typeof o.ifname !== 'string') {
      diags.push(warning(CODE, `expected an interface object with "ifname", got ${JSON.stringify(o)?.slice(0, 60)}; skipped`, item.span));
      continue;
    }
    const flags = Array.isArray(o.flags) ? o.flags.filter((f): f is string => typeof f === 'string') : [];
    const addresses: InterfaceAddress[] = [];
    for (const a of Array.isArray(o.addr_info) ? o.addr_info : []) {
      if (!isRecord(a) || typeof a.local !== 'string') continue;
      const parsed = parseAddress(a.local);
      const len = typeof a.prefixlen === 'number' ? a.prefixlen : undefined;
      if (parsed === undefined || len === undefined) {
        diags.push(warning(CODE, `${o.ifname}: expected "local" to be an IP address with a "prefixlen", got ${JSON.stringify(a.local)}; skipped`, item.span));
        continue;
      }
      addresses.push({ family: parsed.family, address: parsed.value, prefixLength: len });
    }
    const up = flags.includes('UP') || o.operstate === 'UP';
    out.push({ name: o.ifname, up, addresses });
  }
  return { value: out, diagnostics: diags };
}
