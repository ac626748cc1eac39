/**
 * The routing decision from a host's addresses, routes and policy rules, as `ip route get` would
 * answer it: policy rules in priority order pick tables; in a table the longest matching prefix
 * wins (lowest metric on ties); `throw` goes on to the next rule. Without routes in the snapshot,
 * the interfaces' own addresses decide what is local and everything else is taken as routable.
 */
import { type Family, prefixInterval } from '../../model/address.js';
import type { Host, PolicyRule, Route } from '../../model/host.js';

export type RouteDecision =
  | { readonly kind: 'local'; readonly route?: Route; readonly table: string; readonly dev?: string }
  | { readonly kind: 'unicast'; readonly route?: Route; readonly table: string; readonly dev?: string; readonly gateway?: bigint }
  | { readonly kind: 'blackhole' | 'unreachable' | 'prohibit'; readonly route?: Route; readonly rule?: PolicyRule; readonly table: string }
  | { readonly kind: 'none'; readonly table?: string }
  /** Nothing known about routes: assumed routable, unknown interface. */
  | { readonly kind: 'unknown' };

export interface RouteQuery {
  readonly family: Family;
  readonly dst: bigint;
  readonly src?: bigint;
  readonly iif?: string;
  readonly mark?: number;
}

function inCidr(c: { family: Family; value: bigint; length: number }, family: Family, a: bigint): boolean {
  if (c.family !== family) return false;
  const [lo, hi] = prefixInterval(family, c.value, c.length);
  return a >= lo && a <= hi;
}

function defaultRules(family: Family): PolicyRule[] {
  const mk = (priority: number, table: string): PolicyRule => ({ family, priority, not: false, action: 'lookup', table });
  return [mk(0, 'local'), mk(32766, 'main'), mk(32767, 'default')];
}

function ruleSelects(r: PolicyRule, q: RouteQuery): boolean {
  let ok = true;
  if (r.from !== undefined && (q.src === undefined || !inCidr(r.from, q.family, q.src))) ok = false;
  if (r.to !== undefined && !inCidr(r.to, q.family, q.dst)) ok = false;
  if (r.iif !== undefined && r.iif !== (q.iif ?? 'lo')) ok = false;
  if (r.fwmark !== undefined && ((q.mark ?? 0) & r.fwmark.mask) !== (r.fwmark.value & r.fwmark.mask)) ok = false;
  return r.not ? !ok : ok;
}

function lookupTable(routes: readonly Route[], table: string, q: RouteQuery): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (r.family !== q.family || r.table !== table || r.type === 'broadcast' || r.type === 'multicast') continue;
    if (!inCidr(r.dst, q.family, q.dst)) continue;
    if (best === undefined || r.dst.length > best.dst.length || (r.dst.length === best.dst.length && r.metric < best.metric)) best = r;
  }
  return best;
}

/** Is `a` one of the host's own addresses? undefined when the snapshot says nothing about it. */
export function isLocalAddress(host: Host, family: Family, a: bigint): boolean | undefined {
  if (host.routes !== undefined && host.routes.some((r) => r.table === 'local' && r.type === 'local')) {
    return host.routes.some((r) => r.table === 'local' && r.type === 'local' && inCidr(r.dst, family, a));
  }
  if (host.interfaces !== undefined) {
    if (family === 'ipv4' && (a >> 24n) === 127n) return true;
    if (family === 'ipv6' && a === 1n) return true;
    return host.interfaces.some((i) => i.addresses.some((x) => x.family === family && x.address === a));
  }
  return undefined;
}

export function routeLookup(host: Host, q: RouteQuery): RouteDecision {
  const routes = host.routes;
  if (routes === undefined) {
    const local = isLocalAddress(host, q.family, q.dst);
    if (local === true) return { kind: 'local', table: 'local', dev: 'lo' };
    return { kind: 'unknown' };
  }
  const hasLocalTable = routes.some((r) => r.table === 'local');
  if (!hasLocalTable && isLocalAddress(host, q.family, q.dst) === true) return { kind: 'local', table: 'local', dev: 'lo' };
  const rules = (host.policyRules?.filter((r) => r.family === q.family) ?? []);
  const ordered = rules.length > 0 ? rules : defaultRules(q.family);
  for (const rule of ordered) {
    if (!ruleSelects(rule, q)) continue;
    if (rule.action === 'blackhole' || rule.action === 'unreachable' || rule.action === 'prohibit') {
      return { kind: rule.action, rule, table: rule.table ?? '' };
    }
    if (rule.action !== 'lookup' || rule.table === undefined) continue;
    const r = lookupTable(routes, rule.table, q);
    if (r === undefined || r.type === 'throw') continue;
    switch (r.type) {
      case 'local': return { kind: 'local', route: r, table: rule.table, dev: r.dev ?? 'lo' };
      case 'blackhole': case 'unreachable': case 'prohibit': return { kind: r.type, route: r, table: rule.table };
      default:
        return { kind: 'unicast', route: r, table: rule.table, ...(r.dev !== undefined ? { dev: r.dev } : {}), ...(r.gateway !== undefined ? { gateway: r.gateway } : {}) };
    }
  }
  return { kind: 'none' };
}

/** The address the host uses as source towards `dst` (masquerade, locally generated packets). */
export function sourceAddressFor(host: Host, family: Family, dst: bigint, dev: string | undefined): bigint | undefined {
  const d = routeLookup(host, { family, dst });
  if ((d.kind === 'unicast' || d.kind === 'local') && d.route?.prefsrc !== undefined) return d.route.prefsrc;
  const name = dev ?? (d.kind === 'unicast' ? d.dev : undefined);
  const iface = host.interfaces?.find((i) => i.name === name);
  const addr = iface?.addresses.find((a) => a.family === family && (family === 'ipv4' || (a.address >> 118n) !== 0x3fan));
  return addr?.address;
}

/** The first address of an interface (REDIRECT's new destination). */
export function primaryAddress(host: Host, family: Family, dev: string | undefined): bigint | undefined {
  if (dev === undefined) return undefined;
  return host.interfaces?.find((i) => i.name === dev)?.addresses.find((a) => a.family === family)?.address;
}

/**
 * Reverse-path filter (IPv4 only): strict (1) needs the route back to the source to leave by the
 * interface the packet came in on; loose (2) needs any route back. The effective mode is the
 * maximum of `all` and the interface's value.
 */
export function rpFilterMode(host: Host, iif: string | undefined): number {
  const rp = host.sysctls?.rpFilter;
  if (rp === undefined || iif === undefined) return 0;
  return Math.max(rp.get('all') ?? 0, rp.get(iif) ?? rp.get('default') ?? 0);
}

export function rpFilterPasses(host: Host, family: Family, src: bigint, iif: string | undefined, mode: number): boolean {
  if (mode === 0 || family !== 'ipv4') return true;
  const back = routeLookup(host, { family, dst: src, ...(iif !== undefined ? { iif } : {}) });
  if (back.kind === 'unknown') return true;
  if (back.kind !== 'unicast' && back.kind !== 'local') return false;
  return mode === 2 || back.dev === undefined || back.dev === iif;
}
