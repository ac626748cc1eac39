/** Test helpers: a snapshot from in-memory files, and the usual addresses of a one-NIC host. */
import { loadSnapshot, type LoadedSnapshot } from './snapshot.js';

export function snapshotOf(name: string, files: Readonly<Record<string, string>>): LoadedSnapshot {
  return loadSnapshot(name, (f) => files[f]);
}

/** `ip -j addr` of a host with lo and one interface. */
export function ipAddrJson(iface: string, cidrs: readonly string[]): string {
  const info = cidrs.map((c) => {
    const [local, len] = c.split('/') as [string, string];
    return { family: local.includes(':') ? 'inet6' : 'inet', local, prefixlen: Number(len) };
  });
  return JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], operstate: 'UNKNOWN', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }, { family: 'inet6', local: '::1', prefixlen: 128 }] },
    { ifindex: 2, ifname: iface, flags: ['BROADCAST', 'UP', 'LOWER_UP'], operstate: 'UP', addr_info: info },
  ]);
}

/** `ip -j route show table all` lines: [dst, dev, extra fields]. */
export function routesJson(routes: readonly Record<string, unknown>[]): string {
  return JSON.stringify(routes.map((r) => ({ flags: [], ...r })));
}
