/** The packets a host sends back: a reply, a TCP reset, an ICMP error about the flow's packet. */
import type { RejectWith } from '../../model/action.js';
import type { IcmpError } from '../../model/flow.js';
import { type Packet, TCP_FLAGS, minimalLength } from '../../model/packet.js';

const ICMP_NAMES: Readonly<Record<string, string>> = {
  '3/0': 'network unreachable', '3/1': 'host unreachable', '3/2': 'protocol unreachable', '3/3': 'port unreachable',
  '3/9': 'network prohibited', '3/10': 'host prohibited', '3/13': 'administratively prohibited',
  '1/0': 'no route', '1/1': 'administratively prohibited', '1/3': 'address unreachable', '1/4': 'port unreachable',
  '1/5': 'failed policy', '1/6': 'reject route',
};

export function icmpError(type: number, code: number): IcmpError {
  return { type, code, name: ICMP_NAMES[`${type}/${code}`] ?? `type ${type} code ${code}` };
}

/** The ICMP type and code a REJECT sends for this family. */
export function rejectIcmp(w: RejectWith, family: 'ipv4' | 'ipv6'): IcmpError {
  if (w.kind === 'icmp') return icmpError(3, w.code);
  if (w.kind === 'icmpv6') return icmpError(1, w.code);
  const n = w.name.toLowerCase();
  const v4 = n.includes('port') ? 3 : n.includes('admin') ? 13 : n.includes('host') ? 1 : n.includes('route') || n.includes('net') ? 0 : 3;
  const v6 = n.includes('port') ? 4 : n.includes('admin') ? 1 : n.includes('host') ? 3 : n.includes('route') || n.includes('net') ? 0 : 4;
  return family === 'ipv4' ? icmpError(3, v4) : icmpError(1, v6);
}

function base(p: Packet, protocol: number): Packet {
  return {
    family: p.family, protocol, src: p.dst, dst: p.src, tcpFlags: 0, ttl: 64,
    length: minimalLength(p.family, protocol), tos: 0, mark: 0, connmark: 0, hook: 'output', fragment: false,
  };
}

/** The normal answer: SYN+ACK, a UDP datagram back, an echo reply. */
export function replyTo(p: Packet): Packet {
  const r = base(p, p.protocol);
  if (p.protocol === 6) return { ...r, sport: p.dport ?? 0, dport: p.sport ?? 0, tcpFlags: TCP_FLAGS.S | TCP_FLAGS.A };
  if (p.sport !== undefined && p.dport !== undefined) return { ...r, sport: p.dport, dport: p.sport };
  if (p.protocol === 1) return { ...r, icmpType: 0, icmpCode: 0 };
  if (p.protocol === 58) return { ...r, icmpType: 129, icmpCode: 0 };
  return r;
}

/** RST+ACK, as the stack (closed port) and REJECT --reject-with tcp-reset answer a SYN. */
export function resetFor(p: Packet): Packet {
  return { ...base(p, 6), sport: p.dport ?? 0, dport: p.sport ?? 0, tcpFlags: TCP_FLAGS.R | TCP_FLAGS.A };
}

/** An ICMP error about `p`, sent from `from`. */
export function icmpErrorFor(p: Packet, e: IcmpError, from: bigint): Packet {
  const proto = p.family === 'ipv4' ? 1 : 58;
  const quoted = Math.min(p.length, p.family === 'ipv4' ? 548 : 1184);
  return { ...base(p, proto), src: from, icmpType: e.type, icmpCode: e.code, length: minimalLength(p.family, proto) + quoted };
}
