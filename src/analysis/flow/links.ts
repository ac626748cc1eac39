/**
 * What a flow's packets need between the layers: the interface a packet arrives on, and (IPv6)
 * the neighbour discovery each link needs before a host can hand a packet on (neighbour.ts).
 */
import type { Packet } from '../../model/packet.js';
import type { Engine } from './flow.js';
import { HostEngine } from './host-engine.js';
import { nextHopAddress, resolveNeighbour, solicitorAddress, targetAddress } from './neighbour.js';
import { routeLookup } from './routing.js';
import type { Stage } from './types.js';

/** The interface a packet from `src` arrives on: the route back to it. */
export function arrivalInterface(e: HostEngine, p: Packet): string | undefined {
  const r = routeLookup(e.layer.host, { family: p.family, dst: p.src });
  return r.kind === 'unicast' || r.kind === 'local' ? r.dev : undefined;
}

/**
 * The neighbour caches of a flow's evaluation: the address each host learned its upstream neighbour
 * by (from that neighbour's solicitation), and whether caches count as warm (see resolveNeighbour).
 */
export interface NeighbourCaches {
  readonly learned: Map<HostEngine, bigint>;
  readonly warm: boolean;
}

/** IPv6: the neighbour discovery `from` (the previous host, or the client) and `to` (this host, or the destination) need. */
export function neighbourHop(from: { engine: HostEngine; packet: Packet } | undefined, to: HostEngine | undefined, p: Packet, caches: NeighbourCaches): Stage | undefined {
  if (from?.packet.oif === 'lo') return undefined;
  if (from === undefined && to === undefined) return undefined;
  const target = from !== undefined ? nextHopAddress(from.engine, from.packet) : targetAddress(to as HostEngine, p);
  const solicitor = from !== undefined ? solicitorAddress(from.engine, from.packet) : p.src;
  const blocked = resolveNeighbour(
    from !== undefined ? { engine: from.engine, dev: from.packet.oif } : undefined,
    to !== undefined ? { engine: to, dev: p.iif } : undefined,
    solicitor, target, caches.warm,
  );
  if (blocked === undefined && to !== undefined) caches.learned.set(to, solicitor);
  return blocked;
}

/** IPv6, answer direction: `e` resolves its next hop unless it learned that very address on the way in. */
export function neighbourBack(engines: readonly Engine[], i: number, sent: Packet, caches: NeighbourCaches): Stage | undefined {
  if (sent.family !== 'ipv6' || sent.oif === 'lo') return undefined;
  const e = engines[i] as HostEngine;
  const target = nextHopAddress(e, sent);
  if (caches.learned.get(e) === target) return undefined;
  let prev: HostEngine | undefined;
  for (let j = i - 1; j >= 0 && prev === undefined; j--) if (engines[j] instanceof HostEngine) prev = engines[j] as HostEngine;
  const receiver = prev === undefined ? undefined : { engine: prev, dev: arrivalInterface(prev, sent) };
  return resolveNeighbour({ engine: e, dev: sent.oif }, receiver, solicitorAddress(e, sent), target, caches.warm);
}

