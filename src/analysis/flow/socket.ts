/**
 * After INPUT accepts a packet, the stack looks for a socket: the most specific bound address
 * wins over a wildcard; a socket bound to 127.0.0.1 / ::1 only (or to another of the host's
 * addresses) does not take packets for this destination; an IPv6 wildcard socket takes IPv4 too
 * unless it is IPv6-only; a device-bound socket only takes packets that came in on its device.
 */
import { type Family, formatValue } from '../../model/address.js';
import type { Host, ListeningSocket } from '../../model/host.js';

export type SocketLookup =
  | { readonly kind: 'found'; readonly socket: ListeningSocket }
  | { readonly kind: 'none'; readonly loopbackOnly: readonly ListeningSocket[]; readonly otherAddress: readonly ListeningSocket[] }
  | { readonly kind: 'unknown' };

export interface SocketQuery {
  readonly protocol: 'tcp' | 'udp';
  readonly family: Family;
  readonly dst: bigint;
  readonly dport: number;
  readonly iif?: string;
}

function isLoopback(family: Family, a: bigint): boolean {
  return family === 'ipv4' ? (a >> 24n) === 127n : a === 1n;
}

function v4mapped(a: bigint): bigint {
  return (0xffffn << 32n) | a;
}

function takes(s: ListeningSocket, q: SocketQuery, bindV6Only: boolean): boolean {
  if (s.protocol !== q.protocol || s.port !== q.dport) return false;
  if (s.device !== undefined && q.iif !== undefined && s.device !== q.iif && !(s.device === 'lo' && isLoopback(q.family, q.dst))) return false;
  if (s.family === q.family) return s.wildcard || s.address === q.dst;
  if (s.family === 'ipv6' && q.family === 'ipv4') {
    if (s.wildcard) return !(s.v6only ?? bindV6Only);
    return s.address === v4mapped(q.dst);
  }
  return false;
}

export function lookupSocket(host: Host, q: SocketQuery): SocketLookup {
  if (host.sockets === undefined) return { kind: 'unknown' };
  const v6only = host.sysctls?.bindV6Only ?? false;
  const candidates = host.sockets.filter((s) => takes(s, q, v6only));
  // Specific address before wildcard; same family before a dual-stack IPv6 socket.
  candidates.sort((a, b) => Number(a.wildcard) - Number(b.wildcard) || Number(a.family !== q.family) - Number(b.family !== q.family));
  const found = candidates[0];
  if (found !== undefined) return { kind: 'found', socket: found };
  const samePort = host.sockets.filter((s) => s.protocol === q.protocol && s.port === q.dport);
  return {
    kind: 'none',
    loopbackOnly: samePort.filter((s) => !s.wildcard && isLoopback(s.family, s.address)),
    otherAddress: samePort.filter((s) => !s.wildcard && !isLoopback(s.family, s.address)),
  };
}

export function describeSocket(s: ListeningSocket): string {
  const addr = s.wildcard ? (s.family === 'ipv4' ? '0.0.0.0' : s.v6only === false ? '*' : '[::]') : s.family === 'ipv6' ? `[${formatValue('ipv6', s.address)}]` : formatValue('ipv4', s.address);
  const proc = s.process !== undefined ? ` (${s.process}${s.pid !== undefined ? ` pid ${s.pid}` : ''})` : '';
  return `${s.protocol} ${addr}${s.device !== undefined ? `%${s.device}` : ''}:${s.port}${proc}`;
}
