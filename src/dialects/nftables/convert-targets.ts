/**
 * What each nft selector reads in fwdoctor's packet model, and the dependencies nft adds to it:
 * `tcp dport` needs `meta l4proto tcp`; `ip saddr` in an inet table needs an IPv4 packet;
 * `icmp type` needs both. Selectors the model has no field for become opaque with a reason.
 */
import type { Family } from '../../model/address.js';
import { type AddrField, type BitsField, type Match, type NumField, ANY, and, bits, family, num, protocol } from '../../model/match.js';
import type { Expr, NftFamily } from './syntax.js';

export type Target =
  | { readonly kind: 'num'; readonly field: NumField; readonly offset?: bigint }
  | { readonly kind: 'addr'; readonly field: AddrField; readonly family: Family }
  | { readonly kind: 'bits'; readonly field: BitsField; readonly width: number }
  /** A field with few possible values, each of which the model can express. */
  | { readonly kind: 'enum'; readonly values: readonly (readonly [bigint, Match])[] }
  | { readonly kind: 'iface'; readonly dir: 'in' | 'out' }
  | { readonly kind: 'mac' }
  | { readonly kind: 'ctstatus' }
  | { readonly kind: 'opaque'; readonly reason: string };

export interface Resolved {
  readonly target: Target;
  /** Conditions nft checks before reading the field (protocol and family dependencies). */
  readonly deps: Match;
}

const L4: Readonly<Record<string, number>> = {
  tcp: 6, udp: 17, udplite: 136, sctp: 132, dccp: 33, icmp: 1, icmpv6: 58, ah: 51, esp: 50, comp: 108, igmp: 2, gre: 47,
};

const CT_STATES: readonly (readonly [bigint, Match])[] = [
  [0x1n, { kind: 'ctstate', states: ['invalid'] }], [0x2n, { kind: 'ctstate', states: ['established'] }],
  [0x4n, { kind: 'ctstate', states: ['related'] }], [0x8n, { kind: 'ctstate', states: ['new'] }],
  [0x40n, { kind: 'ctstate', states: ['untracked'] }],
];

const PKT_TYPES: readonly (readonly [bigint, Match])[] = [
  [0n, { kind: 'pkttype', type: 'host' }], [1n, { kind: 'pkttype', type: 'broadcast' }],
  [2n, { kind: 'pkttype', type: 'multicast' }], [3n, { kind: 'pkttype', type: 'other' }],
];

const NFPROTO: readonly (readonly [bigint, Match])[] = [[2n, family('ipv4')], [10n, family('ipv6')]];
const ETHERTYPE: readonly (readonly [bigint, Match])[] = [[0x0800n, family('ipv4')], [0x86ddn, family('ipv6')]];
const ECN: readonly (readonly [bigint, Match])[] = [0n, 1n, 2n, 3n].map((v) => [v, bits('tos', 3, Number(v))] as const);

/** ICMP fields that exist only in some message types: nft adds a type match before reading them. */
const ICMP_FIELD_TYPES: Readonly<Record<string, readonly number[]>> = { id: [8, 0], sequence: [8, 0], gateway: [5], mtu: [3] };
const ICMPV6_FIELD_TYPES: Readonly<Record<string, readonly number[]>> = {
  id: [128, 129], sequence: [128, 129], mtu: [2], 'packet-too-big': [2], 'max-delay': [130, 131, 132],
  taddr: [130, 131, 132, 135, 136, 137], daddr: [137], 'parameter-problem': [4],
};

/** Whether the table family needs an explicit IP-family check (tables that see both, or non-IP traffic). */
function needsFamilyDep(tf: NftFamily): boolean {
  return tf !== 'ip' && tf !== 'ip6';
}

function fam(tf: NftFamily, f: Family): Match {
  return needsFamilyDep(tf) ? family(f) : ANY;
}

function opaque(reason: string, deps: Match = ANY): Resolved {
  return { target: { kind: 'opaque', reason }, deps };
}

function payload(e: Extract<Expr, { kind: 'payload' }>, tf: NftFamily): Resolved {
  if (e.inner !== undefined) return opaque(`inner header of a ${e.inner} tunnel is not modelled`);
  const l4 = L4[e.protocol];
  const l4dep = l4 === undefined ? ANY : e.protocol === 'icmp' ? and(fam(tf, 'ipv4'), protocol(1)) : e.protocol === 'icmpv6' ? and(fam(tf, 'ipv6'), protocol(58)) : protocol(l4);
  switch (e.protocol) {
    case 'ip': {
      const d = fam(tf, 'ipv4');
      switch (e.field) {
        case 'saddr': return { target: { kind: 'addr', field: 'src', family: 'ipv4' }, deps: d };
        case 'daddr': return { target: { kind: 'addr', field: 'dst', family: 'ipv4' }, deps: d };
        case 'protocol': return { target: { kind: 'num', field: 'protocol' }, deps: d };
        case 'ttl': return { target: { kind: 'num', field: 'ttl' }, deps: d };
        case 'length': return { target: { kind: 'num', field: 'length' }, deps: d };
        case 'dscp': return { target: { kind: 'num', field: 'dscp' }, deps: d };
        case 'ecn': return { target: { kind: 'enum', values: ECN }, deps: d };
        case 'version': return { target: { kind: 'enum', values: [[4n, ANY]] }, deps: d };
        default: return opaque(`ip ${e.field} is not in fwdoctor's packet model`, d);
      }
    }
    case 'ip6': {
      const d = fam(tf, 'ipv6');
      switch (e.field) {
        case 'saddr': return { target: { kind: 'addr', field: 'src', family: 'ipv6' }, deps: d };
        case 'daddr': return { target: { kind: 'addr', field: 'dst', family: 'ipv6' }, deps: d };
        case 'nexthdr': return { target: { kind: 'num', field: 'protocol' }, deps: d };
        case 'hoplimit': return { target: { kind: 'num', field: 'ttl' }, deps: d };
        case 'length': return { target: { kind: 'num', field: 'length', offset: 40n }, deps: d };
        case 'dscp': return { target: { kind: 'num', field: 'dscp' }, deps: d };
        case 'ecn': return { target: { kind: 'enum', values: ECN }, deps: d };
        case 'version': return { target: { kind: 'enum', values: [[6n, ANY]] }, deps: d };
        default: return opaque(`ip6 ${e.field} is not in fwdoctor's packet model`, d);
      }
    }
    case 'tcp': case 'udp': case 'udplite': case 'sctp': case 'dccp': case 'th':
      if (e.field === 'sport' || e.field === 'dport') return { target: { kind: 'num', field: e.field }, deps: l4dep };
      if (e.protocol === 'tcp' && e.field === 'flags') return { target: { kind: 'bits', field: 'tcpFlags', width: 8 }, deps: l4dep };
      return opaque(`${e.protocol} ${e.field} is not in fwdoctor's packet model`, l4dep);
    case 'icmp': case 'icmpv6': {
      if (e.field === 'type') return { target: { kind: 'num', field: 'icmpType' }, deps: l4dep };
      if (e.field === 'code') return { target: { kind: 'num', field: 'icmpCode' }, deps: l4dep };
      const types = (e.protocol === 'icmp' ? ICMP_FIELD_TYPES : ICMPV6_FIELD_TYPES)[e.field];
      const typeDep = types ? num('icmpType', ...types.map((t) => [t, t] as const)) : ANY;
      return opaque(`${e.protocol} ${e.field} is not in fwdoctor's packet model`, and(l4dep, typeDep));
    }
    case 'ether':
      if (e.field === 'saddr') return { target: { kind: 'mac' }, deps: ANY };
      if (e.field === 'type') return { target: { kind: 'enum', values: ETHERTYPE }, deps: ANY };
      return opaque(`ether ${e.field} is not in fwdoctor's packet model`);
    default:
      return opaque(`${e.protocol} ${e.field} is not in fwdoctor's packet model`, l4dep);
  }
}

function meta(key: string): Resolved {
  const t = (target: Target): Resolved => ({ target, deps: ANY });
  switch (key) {
    case 'iif': case 'iifname': return t({ kind: 'iface', dir: 'in' });
    case 'oif': case 'oifname': return t({ kind: 'iface', dir: 'out' });
    case 'l4proto': return t({ kind: 'num', field: 'protocol' });
    case 'nfproto': return t({ kind: 'enum', values: NFPROTO });
    case 'protocol': return t({ kind: 'enum', values: ETHERTYPE });
    case 'mark': return t({ kind: 'bits', field: 'mark', width: 32 });
    case 'length': return t({ kind: 'num', field: 'length' });
    case 'skuid': return t({ kind: 'num', field: 'uid' });
    case 'skgid': return t({ kind: 'num', field: 'gid' });
    case 'pkttype': return t({ kind: 'enum', values: PKT_TYPES });
    default: return opaque(`meta ${key} is not in fwdoctor's packet model`);
  }
}

function ct(e: Extract<Expr, { kind: 'ct' }>, tf: NftFamily): Resolved {
  const t = (target: Target): Resolved => ({ target, deps: ANY });
  const reply = e.dir === 'reply';
  const addrFamily: Family | undefined = e.family === 'ip' || tf === 'ip' ? 'ipv4' : e.family === 'ip6' || tf === 'ip6' ? 'ipv6' : undefined;
  switch (e.key) {
    case 'state': return t({ kind: 'enum', values: CT_STATES });
    case 'status': return t({ kind: 'ctstatus' });
    case 'direction': return t({ kind: 'enum', values: [[0n, { kind: 'ctdir', dir: 'original' }], [1n, { kind: 'ctdir', dir: 'reply' }]] });
    case 'mark': return t({ kind: 'bits', field: 'connmark', width: 32 });
    case 'protocol': return t({ kind: 'num', field: 'ctProto' });
    case 'l3proto': return t({ kind: 'enum', values: NFPROTO });
    case 'saddr': case 'daddr': {
      if (!addrFamily) return opaque(`ct ${e.key} without ip/ip6 has no address family`);
      const field: AddrField = e.key === 'saddr' ? (reply ? 'ctReplSrc' : 'ctOrigSrc') : (reply ? 'ctReplDst' : 'ctOrigDst');
      return { target: { kind: 'addr', field, family: addrFamily }, deps: fam(tf, addrFamily) };
    }
    case 'proto-src': return t({ kind: 'num', field: reply ? 'ctReplSport' : 'ctOrigSport' });
    case 'proto-dst': return t({ kind: 'num', field: reply ? 'ctReplDport' : 'ctOrigDport' });
    default: return opaque(`ct ${e.key} is not in fwdoctor's packet model`);
  }
}

/** The model field an nft selector reads, in a table of family `tf`. */
export function resolveSelector(e: Expr, tf: NftFamily, context?: Family): Resolved {
  switch (e.kind) {
    case 'payload': return payload(e, tf);
    case 'meta': return meta(e.key);
    case 'ct': return ct(e.family === undefined && context !== undefined ? { ...e, family: context === 'ipv4' ? 'ip' : 'ip6' } : e, tf);
    case 'fib': return opaque('fib looks up the routing table, which fwdoctor does not model');
    case 'rt': return opaque('rt reads the route of the packet, which fwdoctor does not model');
    case 'raw':
      if (e.base === 'th' && e.len === 16 && (e.offset === 0 || e.offset === 16)) return { target: { kind: 'num', field: e.offset === 0 ? 'sport' : 'dport' }, deps: ANY };
      return opaque(`raw payload @${e.base},${e.offset},${e.len} is not modelled`);
    case 'exthdr': return opaque(`${e.space === 'ip6' ? 'IPv6 extension header' : `${e.space} option`} ${e.name} is not modelled`);
    case 'special': return opaque(`${e.name} expressions are not modelled`);
    default: return opaque(`expression of kind ${e.kind} is not a field`);
  }
}
