/**
 * Applying a NAT target to a connection's first packet (and remembering the binding), and undoing
 * the bindings on the reply direction: un-SNAT where destination NAT happens (PREROUTING, OUTPUT),
 * un-DNAT where source NAT happens (POSTROUTING, INPUT).
 */
import type { NatTarget } from '../../model/action.js';
import { IPV4_MAX, IPV6_MAX, formatValue } from '../../model/address.js';
import type { Host } from '../../model/host.js';
import type { Packet } from '../../model/packet.js';
import { hasPorts } from '../../model/protocol.js';
import type { Hook } from '../../model/ruleset.js';
import type { RuleRef } from '../simulate/index.js';
import { type Binding, type Connection, withFields } from './connection.js';
import { primaryAddress, sourceAddressFor } from './routing.js';

export function natPoint(hook: Hook): 'dst' | 'src' | undefined {
  if (hook === 'prerouting' || hook === 'output') return 'dst';
  if (hook === 'postrouting' || hook === 'input') return 'src';
  return undefined;
}

/** Priority of the kernel's NAT hook on `hook` (where un-NAT of replies happens without nat chains). */
export function defaultNatPriority(hook: Hook): number | undefined {
  const p = natPoint(hook);
  return p === 'dst' ? -100 : p === 'src' ? 100 : undefined;
}

function netmap(t: NatTarget, orig: bigint, family: 'ipv4' | 'ipv6'): bigint {
  const all = family === 'ipv4' ? IPV4_MAX : IPV6_MAX;
  const lo = t.addresses?.lo ?? orig;
  const hi = t.addresses?.hi ?? orig;
  const mask = ~(lo ^ hi) & all;
  return (orig & ~mask & all) | (lo & mask);
}

export function applyTranslation(host: Host, conn: Connection, hook: Hook, p: Packet, t: NatTarget, by: RuleRef | undefined): { packet: Packet; notes: string[] } {
  const notes: string[] = [];
  const ported = hasPorts(p.protocol);
  const port = (current: number | undefined): number | undefined => (ported && t.ports !== undefined ? t.ports[0] : current);
  const ref = by !== undefined ? { by } : {};
  if (natPoint(hook) === 'dst') {
    let addr = t.addresses?.lo ?? p.dst;
    if (t.type === 'redirect') {
      const own = hook === 'output' ? (p.family === 'ipv4' ? 0x7f000001n : 1n) : primaryAddress(host, p.family, p.iif);
      if (own === undefined) notes.push(`REDIRECT: the address of ${p.iif ?? 'the input interface'} is unknown (no ip -j addr); destination address kept`);
      addr = own ?? p.dst;
    } else if (t.type === 'netmap') addr = netmap(t, p.dst, p.family);
    const dport = port(p.dport);
    const b: Binding = { addr, type: t.type, ...(dport !== undefined ? { port: dport } : {}), ...ref };
    conn.dnat = b;
    return { packet: withFields(p, { dst: addr, ...(dport !== undefined ? { dport } : {}) }), notes };
  }
  let addr = t.addresses?.lo ?? p.src;
  if (t.type === 'masquerade') {
    const own = sourceAddressFor(host, p.family, p.dst, p.oif);
    if (own === undefined) notes.push(`MASQUERADE: the address of ${p.oif ?? 'the output interface'} is unknown (no ip -j addr); source address kept`);
    addr = own ?? p.src;
  } else if (t.type === 'netmap') addr = netmap(t, p.src, p.family);
  const sport = port(p.sport);
  conn.snat = { addr, type: t.type, ...(sport !== undefined ? { port: sport } : {}), ...ref };
  return { packet: withFields(p, { src: addr, ...(sport !== undefined ? { sport } : {}) }), notes };
}

/** A reply (or an error about the flow) translated back at `hook`; undefined when nothing applies. */
export function reverseTranslation(conn: Connection, hook: Hook, p: Packet): { packet: Packet; type: string } | undefined {
  const point = natPoint(hook);
  if (point === 'dst' && conn.snat !== undefined && p.dst === conn.snat.addr) {
    return { packet: withFields(p, { dst: conn.origSrc, ...(p.dport !== undefined && conn.origSport !== undefined ? { dport: conn.origSport } : {}) }), type: 'un-snat' };
  }
  if (point === 'src' && conn.dnat !== undefined && p.src === conn.dnat.addr) {
    return { packet: withFields(p, { src: conn.origDst, ...(p.sport !== undefined && conn.origDport !== undefined ? { sport: conn.origDport } : {}) }), type: 'un-dnat' };
  }
  return undefined;
}

export function describeBinding(family: 'ipv4' | 'ipv6', b: Binding): string {
  return `${b.type} to ${formatValue(family, b.addr)}${b.port !== undefined ? `:${b.port}` : ''}`;
}
