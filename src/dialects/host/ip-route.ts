/** `ip -j route show table all` and `ip -6 -j route show table all`: every route of every table. */
import { type Diagnostic, type Parsed, warning } from '../../diagnostics/diagnostic.js';
import type { SourceFile } from '../../diagnostics/source.js';
import { type Cidr, type Family, parseAddress, parseCidr } from '../../model/address.js';
import type { Route, RouteType } from '../../model/host.js';
import { isRecord, readJsonItems } from './json-items.js';

const CODE = 'host/ip-route';

const TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'];

function readDst(text: string, family: Family | undefined): Cidr | undefined {
  if (text === 'default') return undefined;
  return parseCidr(text, family);
}

/** `family` is the file's family (`ip -6`); when absent it is read from each route's addresses. */
export function parseIpRoute(file: SourceFile, family?: Family): Parsed<Route[]> {
  const { items, diagnostics } = readJsonItems(file, CODE, '`ip -j route show table all`');
  const out: Route[] = [];
  const diags: Diagnostic[] = [...diagnostics];
  for (const item of items) {
    const o = item.value;
    if (!isRecord(o) || typeof o.dst !== 'string') {
      diags.push(warning(CODE, `expected a route object with "dst", got ${JSON.stringify(o)?.slice(0, 60)}; skipped`, item.span));
      continue;
    }
    const type = (typeof o.type === 'string' ? o.type : 'unicast') as RouteType;
    if (!TYPES.includes(type)) {
      diags.push(warning(CODE, `unknown route type ${JSON.stringify(o.type)} (expected one of ${TYPES.join(', ')}); skipped`, item.span));
      continue;
    }
    const gw = typeof o.gateway === 'string' ? parseAddress(o.gateway) : undefined;
    const fam: Family | undefined = family ?? (o.dst === 'default' ? gw?.family : parseCidr(o.dst)?.family);
    if (fam === undefined) {
      diags.push(warning(CODE, `cannot tell the address family of route ${JSON.stringify(o.dst)}; skipped`, item.span));
      continue;
    }
    const parsedDst = readDst(o.dst, fam);
    if (o.dst !== 'default' && parsedDst === undefined) {
      diags.push(warning(CODE, `expected "dst" to be "default" or an ${fam} prefix, got ${JSON.stringify(o.dst)}; skipped`, item.span));
      continue;
    }
    if (parsedDst !== undefined && parsedDst.family !== fam) continue;
    const dst: Cidr = parsedDst ?? { family: fam, value: 0n, length: 0 };
    const prefsrc = typeof o.prefsrc === 'string' ? parseAddress(o.prefsrc) : undefined;
    out.push({
      family: fam,
      table: typeof o.table === 'string' || typeof o.table === 'number' ? String(o.table) : 'main',
      type, dst,
      ...(typeof o.dev === 'string' ? { dev: o.dev } : {}),
      ...(gw !== undefined && gw.family === fam ? { gateway: gw.value } : {}),
      ...(prefsrc !== undefined ? { prefsrc: prefsrc.value } : {}),
      metric: typeof o.metric === 'number' ? o.metric : 0,
      origin: { dialect: 'ip-route', file: file.name, line: item.span.start.line, column: item.span.start.column, text: JSON.stringify(o), native: {} },
    });
  }
  return { value: out, diagnostics: diags };
}
