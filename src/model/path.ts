/**
 * Enforcement points on a packet's path. A path lists its layers from the client side to the
 * service side; the forward packet crosses them in order, the reply in reverse.
 *
 * - `host`: a Linux host (netfilter hooks, conntrack, NAT, routing, sockets, TCP wrappers). The
 *   last host of a path whose address is the destination delivers the packet locally.
 * - `filter`: any other enforcement point reduced to rulesets (a cloud security group, network
 *   ACL, NSG, GCP firewall): `inbound` is evaluated for packets travelling towards the resource it
 *   protects, `outbound` for packets leaving it. A stateful layer lets the replies of flows it
 *   accepted through without evaluating them; a stateless one evaluates every packet.
 */
import type { Host } from './host.js';
import type { Ruleset } from './ruleset.js';

export interface HostLayer {
  readonly kind: 'host';
  readonly name: string;
  readonly host: Host;
}

export interface FilterLayer {
  readonly kind: 'filter';
  readonly name: string;
  readonly stateful: boolean;
  /** Which side of the layer the protected resource is on: the service (default) or the client. */
  readonly protects: 'destination' | 'source';
  /** Rules for packets entering the protected side; evaluated at hook `input`. */
  readonly inbound: Ruleset;
  /** Rules for packets leaving the protected side; evaluated at hook `output`. */
  readonly outbound: Ruleset;
}

export type Layer = HostLayer | FilterLayer;

export interface Path {
  /** Client side first. */
  readonly layers: readonly Layer[];
}

export function hostLayer(name: string, host: Host): HostLayer {
  return { kind: 'host', name, host };
}

export function filterLayer(name: string, o: Omit<FilterLayer, 'kind' | 'name'>): FilterLayer {
  return { kind: 'filter', name, ...o };
}
