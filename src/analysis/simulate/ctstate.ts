/**
 * The conntrack state the kernel (6.x, default sysctls) gives the FIRST packet of a flow when the
 * conntrack table is empty, i.e. what `--ctstate` / `ct state` see for a packet nobody has seen.
 *
 * TCP (nf_conntrack_proto_tcp.c): flags are first checked against the valid combinations, ignoring
 * PSH, ECE and CWR: SYN, SYN+URG, SYN+ACK, RST, RST+ACK, FIN+ACK, FIN+ACK+URG, ACK, ACK+URG.
 * Anything else (no flags, FIN alone, SYN+FIN, SYN+RST, …) is INVALID. A valid packet then creates
 * a connection only when it opens one: SYN without ACK (NEW), or ACK without SYN/FIN/RST (NEW by
 * "loose" pickup, nf_conntrack_tcp_loose=1). SYN+ACK, FIN+ACK and RST (±ACK) find no connection
 * to belong to: INVALID.
 * ICMP: echo, timestamp, info and address-mask requests are NEW; errors (unreachable, source
 * quench, redirect, time exceeded, parameter problem) need the connection they quote: with an
 * empty table, INVALID; replies and any other type are INVALID.
 * ICMPv6: echo request and node-information query are NEW; MLD and neighbour discovery
 * (130-136, 143, and multicast router advertisement/solicitation 151-152) are never tracked: UNTRACKED; everything else (errors, replies, redirect) INVALID.
 * UDP and every other protocol: NEW. These rules were checked against the kernel-recorded cases
 * in ../shared/corpus/kernel/ (see test/kernel-corpus/).
 */
import type { CtState, CtStatus } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { TCP_FLAGS } from '../../model/packet.js';

const { F, S, R, P, A, U, E, C } = TCP_FLAGS;

/** Flag combinations the TCP tracker accepts at all (PSH, ECE, CWR ignored). */
const VALID_TCP = new Set<number>([S, S | U, S | A, R, R | A, F | A, F | A | U, A, A | U]);

/** Why the state is what it is, for the trace. */
export interface DerivedCtState {
  readonly state: CtState;
  readonly reason: string;
}

export function deriveTcpState(flags: number): DerivedCtState {
  const core = flags & ~(P | E | C) & 0xff;
  if (!VALID_TCP.has(core)) return { state: 'invalid', reason: 'TCP flag combination conntrack rejects as invalid' };
  if ((core & R) !== 0) return { state: 'invalid', reason: 'a RST matches no tracked connection' };
  if ((core & S) !== 0) {
    return (core & A) !== 0
      ? { state: 'invalid', reason: 'a SYN+ACK matches no tracked connection' }
      : { state: 'new', reason: 'a SYN opens a new connection' };
  }
  if ((core & F) !== 0) return { state: 'invalid', reason: 'a FIN matches no tracked connection' };
  return { state: 'new', reason: 'an ACK is picked up as a new connection (nf_conntrack_tcp_loose=1)' };
}

const ICMP_NEW = new Set([8, 13, 15, 17]);
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMPV6_NEW = new Set([128, 139]);
const ICMPV6_UNTRACKED = new Set([130, 131, 132, 133, 134, 135, 136, 143, 151, 152]);

export function deriveIcmpState(type: number): DerivedCtState {
  if (ICMP_NEW.has(type)) return { state: 'new', reason: `ICMP type ${type} is a request that opens a new connection` };
  if (ICMP_ERRORS.has(type)) return { state: 'invalid', reason: `ICMP error type ${type} quotes no tracked connection` };
  return { state: 'invalid', reason: `ICMP type ${type} cannot open a connection` };
}

export function deriveIcmpv6State(type: number): DerivedCtState {
  if (ICMPV6_NEW.has(type)) return { state: 'new', reason: `ICMPv6 type ${type} is a request that opens a new connection` };
  if (ICMPV6_UNTRACKED.has(type)) return { state: 'untracked', reason: `ICMPv6 type ${type} (neighbour discovery / MLD) is never tracked` };
  if (type < 128) return { state: 'invalid', reason: `ICMPv6 error type ${type} quotes no tracked connection` };
  return { state: 'invalid', reason: `ICMPv6 type ${type} cannot open a connection` };
}

/** The state of a first packet with an empty conntrack table. */
export function deriveCtStateWithReason(p: Packet): DerivedCtState {
  switch (p.protocol) {
    case 6: return deriveTcpState(p.tcpFlags);
    case 1: return p.family === 'ipv4' ? deriveIcmpState(p.icmpType ?? 8) : { state: 'new', reason: 'generic protocol' };
    case 58: return p.family === 'ipv6' ? deriveIcmpv6State(p.icmpType ?? 128) : { state: 'new', reason: 'generic protocol' };
    default: return { state: 'new', reason: 'the first packet of a flow opens a new connection' };
  }
}

export function deriveCtState(p: Packet): CtState {
  return deriveCtStateWithReason(p).state;
}

/** The packet's state: the one given, or the derived one. */
export function effectiveCtState(p: Packet): { state: CtState; derived: boolean } {
  return p.ctstate !== undefined ? { state: p.ctstate, derived: false } : { state: deriveCtState(p), derived: true };
}

/** INVALID and UNTRACKED packets carry no conntrack entry: ct fields other than the state are absent. */
export function hasConntrackEntry(state: CtState): boolean {
  return state !== 'invalid' && state !== 'untracked';
}

/**
 * Conntrack status bits of the packet's entry: the ones given, else what the state implies
 * (a first packet's entry is not confirmed yet; an established one has been confirmed and seen a reply).
 */
export function effectiveCtStatus(p: Packet, state: CtState): readonly CtStatus[] {
  if (p.ctstatus !== undefined) return p.ctstatus;
  switch (state) {
    case 'established': return ['confirmed', 'seen-reply'];
    case 'related': return ['confirmed'];
    default: return [];
  }
}
