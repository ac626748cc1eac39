/**
 * Local delivery after INPUT accepted: the listening socket for (protocol, address, port), then TCP
 * wrappers for daemons linked with libwrap; the answer the host sends: SYN+ACK, a reset (nothing
 * listens on a TCP port), an ICMP port unreachable (nothing listens on a UDP port), an echo reply.
 * A TCP service denied by TCP wrappers accepts, then closes; a UDP one sends nothing at all.
 */
import { formatValue } from '../../model/address.js';
import type { IcmpError } from '../../model/flow.js';
import type { Packet } from '../../model/packet.js';
import { protocolName } from '../../model/protocol.js';
import { icmpError, icmpErrorFor, replyTo, resetFor } from './answer.js';
import type { HostEngine } from './host-engine.js';
import { describeSocket, lookupSocket } from './socket.js';
import type { PacketRole, Stage } from './types.js';
import { evaluateWrappers, isWrapped } from './wrappers.js';

export interface Delivery {
  readonly stages: Stage[];
  readonly answer: {
    readonly packet: Packet;
    readonly role: PacketRole;
    readonly icmp?: IcmpError;
    readonly closedByService?: string;
    /** The service takes the datagram and sends nothing back (why). */
    readonly silent?: string;
    readonly because: string;
  };
}

function stage(e: HostEngine, p: Packet, kind: 'socket' | 'wrappers', result: Stage['result'], summary: string, extra: Partial<Stage> = {}): Stage {
  return { layer: e.name, stage: kind, packet: p, result, summary, traces: [], natSteps: [], notes: [], ...extra };
}

export function deliver(e: HostEngine, p: Packet): Delivery {
  const host = e.layer.host;
  const where = `${protocolName(p.protocol)} ${p.family === 'ipv6' ? `[${formatValue(p.family, p.dst)}]` : formatValue(p.family, p.dst)}:${p.dport ?? ''}`;
  if (p.protocol !== 6 && p.protocol !== 17) {
    const s = stage(e, p, 'socket', 'deliver', p.protocol === 1 || p.protocol === 58 ? 'delivered: the kernel answers the ICMP request' : `delivered to protocol ${protocolName(p.protocol)}: assumed to answer`);
    return { stages: [s], answer: { packet: replyTo(p), role: 'reply', because: s.summary } };
  }
  const protocol = p.protocol === 6 ? 'tcp' : 'udp';
  const look = lookupSocket(host, { protocol, family: p.family, dst: p.dst, dport: p.dport ?? 0, ...(p.iif !== undefined ? { iif: p.iif } : {}) });
  if (look.kind === 'unknown') {
    const s = stage(e, p, 'socket', 'deliver', `listening sockets unknown (no ss.txt in the snapshot): assumed that something listens on ${where}`);
    return { stages: [s], answer: { packet: replyTo(p), role: 'reply', because: s.summary } };
  }
  if (look.kind === 'none') {
    const hint = look.loopbackOnly.length > 0
      ? `; ${look.loopbackOnly.map(describeSocket).join(', ')} listens on loopback only and does not take packets from outside`
      : look.otherAddress.length > 0 ? `; ${look.otherAddress.map(describeSocket).join(', ')} is bound to another address` : '';
    const evidence = look.loopbackOnly[0]?.origin ?? look.otherAddress[0]?.origin;
    const summary = `nothing listens on ${where}${hint}`;
    const s = stage(e, p, 'socket', 'respond', summary, evidence !== undefined ? { evidence } : {});
    if (protocol === 'tcp') return { stages: [s], answer: { packet: resetFor(p), role: 'reset', because: summary } };
    const icmp = p.family === 'ipv4' ? icmpError(3, 3) : icmpError(1, 4);
    return { stages: [s], answer: { packet: icmpErrorFor(p, icmp, p.dst), role: 'icmp-error', icmp, because: summary } };
  }
  const sock = look.socket;
  const found = stage(e, p, 'socket', 'deliver', `${describeSocket(sock)} takes it`, sock.origin !== undefined ? { evidence: sock.origin } : {});
  const w = host.wrappers;
  if (w === undefined) return { stages: [found], answer: { packet: replyTo(p), role: 'reply', because: found.summary } };
  const wrapped = isWrapped(w, sock.process);
  if (wrapped === false) {
    const s = stage(e, p, 'wrappers', 'pass', `${sock.process ?? 'the daemon'} is not linked with libwrap: hosts.allow / hosts.deny do not apply`);
    return { stages: [found, s], answer: { packet: replyTo(p), role: 'reply', because: found.summary } };
  }
  const daemon = sock.process ?? 'unknown';
  const d = evaluateWrappers(w, daemon, { family: p.family, address: p.src });
  const assumed = wrapped === undefined ? ' (no libwrap list in the snapshot: the daemon is assumed to use libwrap)' : '';
  const line = d.rule === undefined ? 'no line matches: access granted by default' : `${d.file}:${d.rule.origin.line} '${d.rule.origin.text}' ${d.granted ? 'grants' : 'denies'} access`;
  const s = stage(e, p, 'wrappers', d.granted ? 'pass' : 'respond', `TCP wrappers for ${daemon}: ${line}${assumed}`, { notes: d.notes, ...(d.rule !== undefined ? { evidence: d.rule.origin } : {}) });
  if (d.granted) return { stages: [found, s], answer: { packet: replyTo(p), role: 'reply', because: found.summary } };
  if (protocol === 'udp') {
    // A wrapped datagram service (in.tftpd from inetd / xinetd) denied by hosts_access sends nothing back.
    return { stages: [found, s], answer: { packet: replyTo(p), role: 'reply', because: s.summary, silent: `TCP wrappers denied it (UDP: no answer): ${line}` } };
  }
  return {
    stages: [found, s],
    answer: {
      packet: replyTo(p), role: 'reply', because: s.summary,
      closedByService: `refused by TCP wrappers: ${line}; the handshake completes, then ${daemon} closes the connection (ssh: "Connection closed by remote host")`,
    },
  };
}
