/**
 * TCP wrappers (hosts_access(5)) for daemons linked with libwrap: the first hosts.allow line whose
 * daemon list and client list match grants; otherwise the first matching hosts.deny line denies;
 * otherwise access is granted. `allow` / `deny` options override the file's meaning.
 * Client patterns: ALL, LOCAL (a host name without a dot: never an address), KNOWN / UNKNOWN /
 * PARANOID (need DNS: taken not to match, with a note), `n.n.n.` prefixes, `n.n.n.n/m.m.m.m`,
 * `n.n.n.n/len`, `[v6]/len`, plain addresses, `.domain` and names (need DNS: not matched).
 */
import { type Family, formatValue, parseAddress, parseCidr, prefixInterval } from '../../model/address.js';
import type { TcpWrappers, WrapperList, WrapperRule } from '../../model/host.js';

export interface WrapperDecision {
  readonly granted: boolean;
  /** The line that decided; absent: no line matched (default grant). */
  readonly rule?: WrapperRule;
  readonly file?: 'hosts.allow' | 'hosts.deny';
  readonly notes: readonly string[];
}

interface Client {
  readonly family: Family;
  readonly address: bigint;
}

function matchClient(pattern: string, c: Client, notes: string[]): boolean {
  const p = pattern.toUpperCase();
  if (p === 'ALL') return true;
  if (p === 'LOCAL' || p === 'KNOWN' || p === 'PARANOID' || p === 'UNKNOWN') {
    if (p !== 'LOCAL') notes.push(`${pattern} depends on DNS lookups fwdoctor does not make: taken not to match`);
    return p === 'UNKNOWN' ? false : false;
  }
  const addrText = formatValue(c.family, c.address);
  if (c.family === 'ipv4' && pattern.endsWith('.') && /^[\d.]+$/.test(pattern)) return addrText.startsWith(pattern);
  if (pattern.startsWith('[')) {
    const m = /^\[([^\]]+)\](?:\/(\d+))?$/.exec(pattern);
    const cidr = m ? parseCidr(m[2] !== undefined ? `${m[1]}/${m[2]}` : (m[1] as string), 'ipv6') : undefined;
    if (cidr === undefined || c.family !== 'ipv6') return false;
    const [lo, hi] = prefixInterval('ipv6', cidr.value, cidr.length);
    return c.address >= lo && c.address <= hi;
  }
  if (/^[\d.]+\/[\d.]+$/.test(pattern) || parseAddress(pattern) !== undefined) {
    const cidr = parseCidr(pattern);
    if (cidr === undefined || cidr.family !== c.family) return false;
    const [lo, hi] = prefixInterval(c.family, cidr.value, cidr.length);
    return c.address >= lo && c.address <= hi;
  }
  if (pattern.startsWith('@') || pattern.startsWith('/') || pattern.includes('@')) {
    notes.push(`${pattern}: netgroups, pattern files and user@host are not evaluated; taken not to match`);
    return false;
  }
  notes.push(`${pattern}: host names need DNS lookups fwdoctor does not make; taken not to match`);
  return false;
}

function matchDaemon(pattern: string, daemon: string): boolean {
  const p = pattern.split('@')[0] ?? pattern;
  return p.toUpperCase() === 'ALL' || p.toLowerCase() === daemon.toLowerCase();
}

function listMatches(list: WrapperList, test: (p: string) => boolean): boolean {
  if (!list.items.some(test)) return false;
  return list.except === undefined || !listMatches(list.except, test);
}

function lineMatches(r: WrapperRule, daemon: string, c: Client, notes: string[]): boolean {
  return listMatches(r.daemons, (p) => matchDaemon(p, daemon)) && listMatches(r.clients, (p) => matchClient(p, c, notes));
}

export function evaluateWrappers(w: TcpWrappers, daemon: string, client: Client): WrapperDecision {
  const notes: string[] = [];
  for (const r of w.allow) {
    if (lineMatches(r, daemon, client, notes)) return { granted: r.verdict !== 'deny', rule: r, file: 'hosts.allow', notes };
  }
  for (const r of w.deny) {
    if (lineMatches(r, daemon, client, notes)) return { granted: r.verdict === 'allow', rule: r, file: 'hosts.deny', notes };
  }
  return { granted: true, notes };
}

/** Does this daemon consult the files? `undefined` when the snapshot has no libwrap list. */
export function isWrapped(w: TcpWrappers, process: string | undefined): boolean | undefined {
  if (w.wrappedDaemons === undefined) return undefined;
  if (process === undefined) return false;
  return w.wrappedDaemons.some((d) => d === process);
}
