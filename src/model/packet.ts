/** A concrete packet, the input of every simulation. */
import type { Family } from './address.js';
import type { CtState, CtStatus, PktType } from './match.js';
import type { Hook } from './ruleset.js';

export const TCP_FLAGS = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 } as const;
export const TCP_FLAG_NAMES: Readonly<Record<string, number>> = {
  FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80,
};

export interface Packet {
  readonly family: Family;
  readonly protocol: number;
  readonly src: bigint;
  readonly dst: bigint;
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** TCP flag bits (FIN=1 … CWR=128); 0 for non-TCP packets. */
  readonly tcpFlags: number;
  readonly tcpOptions?: readonly number[];
  readonly iif?: string;
  readonly oif?: string;
  /** TTL, or hop limit for IPv6. */
  readonly ttl: number;
  /** Whole packet length in bytes, IP header included. */
  readonly length: number;
  /** TOS byte, or traffic class for IPv6. */
  readonly tos: number;
  readonly mark: number;
  readonly connmark: number;
  /** Given by the user; when absent the simulator derives it as the kernel does for a first packet. */
  readonly ctstate?: CtState;
  readonly ctstatus?: readonly CtStatus[];
  readonly hook: Hook;
  /** IPv4 non-first fragment. */
  readonly fragment: boolean;
  readonly pkttype?: PktType;
  readonly srcMac?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** Header bytes of a minimal packet: IP header plus the transport header. */
export function minimalLength(family: Family, protocol: number): number {
  const ip = family === 'ipv4' ? 20 : 40;
  switch (protocol) {
    case 6: return ip + 20;
    case 17: case 136: return ip + 8;
    case 1: case 58: return ip + 8;
    case 132: return ip + 12;
    default: return ip;
  }
}

export function formatTcpFlags(flags: number): string {
  return Object.entries(TCP_FLAGS).filter(([, bit]) => (flags & bit) !== 0).map(([l]) => l).join('');
}
