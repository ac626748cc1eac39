/**
 * A flow: a forward packet (the first of a connection) and its reply. Its outcome is what the user
 * observes from the client, the way `nc -zv` or curl reports it.
 */
import type { Packet } from './packet.js';

export const FLOW_OUTCOMES = ['open', 'refused', 'unreachable', 'timeout', 'no-route', 'denied'] as const;

/**
 * - `open`: the connection opens (TCP handshake completes; UDP / ICMP: the reply arrives);
 * - `refused`: a TCP RST comes back (REJECT with tcp-reset, nothing listening) or the service closes it at once (TCP wrappers);
 * - `unreachable`: an ICMP error comes back (REJECT with an ICMP type, UDP port with no listener);
 * - `timeout`: nothing comes back: the packet or its answer was silently dropped;
 * - `no-route`: a host on the path has no route (ICMP network unreachable, or the client has no route);
 * - `denied`: a locally originated flow whose own host's OUTPUT drops or rejects a datagram: send()
 *   fails at once with EPERM ("Operation not permitted"), nothing leaves the host.
 */
export type FlowOutcome = (typeof FLOW_OUTCOMES)[number];

/** Which way a packet travels: client → service, or back. */
export type FlowDirection = 'forward' | 'reply';

export interface Flow {
  /** The first packet, as the client sends it. */
  readonly forward: Packet;
}

/** An ICMP error as the client receives it. */
export interface IcmpError {
  readonly type: number;
  readonly code: number;
  readonly name: string;
}
