/**
 * A match against a concrete packet, as the kernel evaluates it.
 *
 * Internally a predicate has four outcomes: holds, fails, unknown (opaque: the packet alone cannot
 * tell) and ABSENT: the field does not exist on this packet (ports on ICMP, an ICMP type on TCP,
 * conntrack fields of a packet without a conntrack entry, an IPv4 address on an IPv6 packet). The
 * kernel rejects such a packet whatever the negation: nft's expression "breaks", xt_conntrack and
 * xt_connmark return false before inverting. So `not` keeps ABSENT, and ABSENT at the top is a
 * non-match. Interfaces are not absent: a packet without one compares as the empty name, so
 * `-i eth0` fails and `! -i eth0` holds, as in the kernel.
 */
import { contains } from '../../model/interval-set.js';
import { type Family, IPV4_MAX } from '../../model/address.js';
import type { AddrField, AddrType, BitsField, CtState, CtStatus, Match, NumField, PktType } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { hasPorts } from '../../model/protocol.js';
import { assertNever } from '../../model/assert-never.js';
import { hasConntrackEntry } from './ctstate.js';
import type { AddrTypeOracle } from './types.js';

/** Packet state that rules can change while the packet walks the chains, plus host knowledge. */
export interface MatchContext {
  readonly ctstate: CtState;
  readonly ctstatus: readonly CtStatus[];
  readonly mark: number;
  readonly connmark: number;
  /** Address types on this host (addrtype match); without it addrtype is unknown. */
  readonly addrTypeOf?: AddrTypeOracle;
}

export type MatchResult = true | false | 'unknown';

/** 0 fails, 1 holds, 2 unknown, 3 absent. */
export type Tri = 0 | 1 | 2 | 3;
export const FAILS = 0;
export const HOLDS = 1;
export const UNKNOWN = 2;
export const ABSENT = 3;

export function evaluateMatch(m: Match, p: Packet, ctx: MatchContext): MatchResult {
  const r = evaluateTri(m, p, ctx);
  return r === HOLDS ? true : r === UNKNOWN ? 'unknown' : false;
}

function truth(b: boolean): Tri {
  return b ? HOLDS : FAILS;
}

/** The value of a numeric field, or undefined when the packet has no such field. */
export function numValue(field: NumField, p: Packet, ctx: MatchContext): number | undefined {
  const tracked = hasConntrackEntry(ctx.ctstate);
  switch (field) {
    case 'protocol': return p.protocol;
    case 'sport': return hasPorts(p.protocol) ? p.sport : undefined;
    case 'dport': return hasPorts(p.protocol) ? p.dport : undefined;
    case 'icmpType': return p.protocol === 1 || p.protocol === 58 ? p.icmpType : undefined;
    case 'icmpCode': return p.protocol === 1 || p.protocol === 58 ? p.icmpCode : undefined;
    case 'length': return p.length;
    case 'ttl': return p.ttl;
    case 'dscp': return p.tos >> 2;
    case 'ctProto': return tracked ? p.protocol : undefined;
    // A first packet's original tuple is its own, the reply tuple its reverse (no NAT modelled here).
    case 'ctOrigSport': case 'ctReplDport': return tracked && hasPorts(p.protocol) ? p.sport : undefined;
    case 'ctOrigDport': case 'ctReplSport': return tracked && hasPorts(p.protocol) ? p.dport : undefined;
    case 'uid': return p.uid;
    case 'gid': return p.gid;
    default: return assertNever(field);
  }
}

/** The value of a bit field, or undefined when absent (TCP flags on UDP, connmark without conntrack). */
export function bitsValue(field: BitsField, p: Packet, ctx: MatchContext): number | undefined {
  switch (field) {
    case 'tcpFlags': return p.protocol === 6 ? p.tcpFlags : undefined;
    case 'mark': return ctx.mark;
    case 'connmark': return hasConntrackEntry(ctx.ctstate) ? ctx.connmark : undefined;
    case 'tos': return p.tos;
    default: return assertNever(field);
  }
}

/** The address in a field, or undefined when absent (conntrack tuple without conntrack). */
export function addrValue(field: AddrField, p: Packet, ctx: MatchContext): bigint | undefined {
  switch (field) {
    case 'src': case 'ctOrigSrc': case 'ctReplDst':
      return field === 'src' || hasConntrackEntry(ctx.ctstate) ? p.src : undefined;
    case 'dst': case 'ctOrigDst': case 'ctReplSrc':
      return field === 'dst' || hasConntrackEntry(ctx.ctstate) ? p.dst : undefined;
    default: return assertNever(field);
  }
}

/** The state bits xt_conntrack / nft ct state test: the state, plus SNAT/DNAT from the status. */
export function stateBits(ctx: MatchContext): readonly CtState[] {
  if (!hasConntrackEntry(ctx.ctstate)) return [ctx.ctstate];
  const out: CtState[] = [ctx.ctstate];
  if (ctx.ctstatus.includes('snat')) out.push('snat');
  if (ctx.ctstatus.includes('dnat')) out.push('dnat');
  return out;
}

/** The packet type the kernel sees when none is given: multicast / broadcast destinations, else to this host. */
export function effectivePktType(p: Packet): PktType {
  if (p.pkttype !== undefined) return p.pkttype === 'unicast' ? 'host' : p.pkttype;
  if (p.family === 'ipv4') {
    if (p.dst >> 28n === 0xen) return 'multicast';
    if (p.dst === IPV4_MAX) return 'broadcast';
    return 'host';
  }
  return p.dst >> 120n === 0xffn ? 'multicast' : 'host';
}

/** The type of an address given only the host's local addresses (the oracle `localAddresses` builds). */
export function addressTypeFromLocals(locals: readonly { family: Family; value: bigint }[]): AddrTypeOracle {
  return (family, a) => {
    if (locals.some((l) => l.family === family && l.value === a)) return ['local'];
    if (family === 'ipv4') {
      if (a >> 28n === 0xen) return ['multicast'];
      if (a === IPV4_MAX) return ['broadcast'];
      if (a === 0n) return ['unspec'];
      if (a >> 24n === 127n) return ['local'];
      return ['unicast'];
    }
    if (a >> 120n === 0xffn) return ['multicast'];
    if (a === 0n) return ['unspec'];
    if (a === 1n) return ['local'];
    return ['unicast'];
  };
}

export function evaluateTri(m: Match, p: Packet, ctx: MatchContext): Tri {
  switch (m.kind) {
    case 'any': return HOLDS;
    case 'none': return FAILS;
    case 'and': {
      let out: Tri = HOLDS;
      for (const item of m.items) {
        const r = evaluateTri(item, p, ctx);
        if (r === FAILS) return FAILS;
        if (r === ABSENT) out = ABSENT;
        else if (r === UNKNOWN && out === HOLDS) out = UNKNOWN;
      }
      return out;
    }
    case 'or': {
      let out: Tri = FAILS;
      for (const item of m.items) {
        const r = evaluateTri(item, p, ctx);
        if (r === HOLDS) return HOLDS;
        if (r === UNKNOWN) out = UNKNOWN;
        else if (r === ABSENT && out === FAILS) out = ABSENT;
      }
      return out;
    }
    case 'not': {
      const r = evaluateTri(m.item, p, ctx);
      return r === HOLDS ? FAILS : r === FAILS ? HOLDS : r;
    }
    case 'family': return truth(p.family === m.family);
    case 'addr': {
      if (m.set.family !== p.family) return ABSENT;
      const v = addrValue(m.field, p, ctx);
      return v === undefined ? ABSENT : truth(contains(m.set.set, v));
    }
    case 'num': {
      const v = numValue(m.field, p, ctx);
      if (v === undefined) return m.field === 'uid' || m.field === 'gid' ? FAILS : ABSENT;
      return truth(contains(m.set, v));
    }
    case 'bits': {
      const v = bitsValue(m.field, p, ctx);
      return v === undefined ? ABSENT : truth(((v & m.mask) >>> 0) === m.value);
    }
    case 'iface': {
      const name = (m.dir === 'in' ? p.iif : p.oif) ?? '';
      return truth(m.wildcard ? name.startsWith(m.name) : name === m.name);
    }
    case 'ctstate': {
      const bits = stateBits(ctx);
      return truth(m.states.some((s) => bits.includes(s)));
    }
    case 'ctstatus':
      if (!hasConntrackEntry(ctx.ctstate)) return ABSENT;
      return truth(m.statuses.some((s) => ctx.ctstatus.includes(s)));
    case 'ctdir':
      // The packets simulated travel in the direction of the flow's first packet.
      return hasConntrackEntry(ctx.ctstate) ? truth(m.dir === 'original') : ABSENT;
    case 'fragment': return truth(p.family === 'ipv4' && p.fragment);
    case 'tcpOption':
      if (p.protocol !== 6) return ABSENT;
      return truth((p.tcpOptions ?? []).includes(m.option));
    case 'addrtype': {
      if (ctx.addrTypeOf === undefined) return UNKNOWN;
      const types = ctx.addrTypeOf(p.family, m.field === 'src' ? p.src : p.dst);
      if (types === undefined) return UNKNOWN;
      return truth(m.types.some((t: AddrType) => types.includes(t)));
    }
    case 'pkttype': {
      const want = m.type === 'unicast' ? 'host' : m.type;
      return truth(effectivePktType(p) === want);
    }
    case 'mac': return p.srcMac === undefined ? UNKNOWN : truth(p.srcMac === m.value);
    case 'ipset': {
      if (m.members === undefined) return UNKNOWN;
      if (m.members.family !== p.family) return ABSENT;
      for (const f of m.fields) {
        const v = addrValue(f, p, ctx);
        if (v === undefined) return ABSENT;
        if (!contains(m.members.set, v)) return FAILS;
      }
      return HOLDS;
    }
    case 'opaque': return UNKNOWN;
    default: return assertNever(m);
  }
}
