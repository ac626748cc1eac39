/**
 * Protocol, port and ICMP fields of security group rules and NACL entries as matches.
 * `-1` means every protocol, and then ports are ignored; so are they for any protocol other than
 * TCP, UDP, ICMP and ICMPv6 ("specifying -1 or a protocol number other than tcp, udp, icmp, or
 * icmpv6 allows traffic on all ports, regardless of any port range you specify").
 */
import { ANY, type Match, and, eq, num, opaque, protocol as proto } from '../../model/match.js';
import { parseProtocol, protocolName } from '../../model/protocol.js';

export interface L4 {
  readonly match: Match;
  /** `tcp 443`, `icmp type 8`, `all traffic`. */
  readonly text: string;
}

function ports(lo: number | undefined, hi: number | undefined): { m: Match; t: string } {
  if (lo === undefined || lo === -1) return { m: ANY, t: 'all ports' };
  const top = hi === undefined || hi === -1 ? lo : hi;
  return { m: num('dport', [lo, top]), t: lo === top ? String(lo) : `${lo}-${top}` };
}

function icmp(n: number, type: number | undefined, code: number | undefined): { m: Match; t: string } {
  if (type === undefined || type === -1) return { m: ANY, t: 'all types' };
  if (code === undefined || code === -1) return { m: eq('icmpType', type), t: `type ${type}` };
  return { m: and(eq('icmpType', type), eq('icmpCode', code)), t: `type ${type} code ${code}` };
}

/** `tcp`, `6`, `icmpv6`, `-1`… with AWS's port / type fields. */
export function l4Match(protocolText: string, from: number | undefined, to: number | undefined, kind: 'sg' | 'nacl'): L4 {
  const t = protocolText.trim().toLowerCase();
  if (t === '-1' || t === 'all') return { match: ANY, text: 'all traffic' };
  const n = parseProtocol(t);
  if (n === undefined) return { match: opaque(`unknown protocol '${protocolText}'`, protocolText), text: `protocol ${protocolText}` };
  const name = protocolName(n);
  if (n === 6 || n === 17) {
    const p = ports(from, to);
    return { match: and(proto(n), p.m), text: `${name} ${p.t}` };
  }
  if (n === 1 || n === 58) {
    const i = icmp(n, from, to);
    return { match: and(proto(n), i.m), text: `${name} ${i.t}` };
  }
  return { match: proto(n), text: kind === 'sg' ? `protocol ${name} (all ports)` : `protocol ${name}` };
}
