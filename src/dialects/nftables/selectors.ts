/**
 * The expressions that read packet and metadata fields, and the datatype of each
 * (checked against `nft describe` of nftables 1.0.6).
 */
import { type Datatype, INVALID, datatype, integerType, mustType } from './datatypes.js';
import type { Expr, NftFamily } from './syntax.js';

/** Field → datatype name, or `int:N` for an N-bit integer. */
type Fields = Readonly<Record<string, string>>;

/** A lookup table without a prototype, so that words such as `constructor` are not found in it. */
export function dict<T>(o: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, o));
}

function dicts(o: Readonly<Record<string, Fields>>): Readonly<Record<string, Fields>> {
  return dict(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, dict(v)])));
}

const PORTS = { sport: 'inet_service', dport: 'inet_service' } as const;

export const PAYLOAD: Readonly<Record<string, Fields>> = dicts({
  ether: { saddr: 'ether_addr', daddr: 'ether_addr', type: 'ether_type' },
  vlan: { id: 'int:12', dei: 'int:1', cfi: 'int:1', pcp: 'int:3', type: 'ether_type' },
  arp: {
    htype: 'int:16', ptype: 'ether_type', hlen: 'int:8', plen: 'int:8', operation: 'arp_op',
    'saddr ip': 'ipv4_addr', 'daddr ip': 'ipv4_addr', 'saddr ether': 'ether_addr', 'daddr ether': 'ether_addr',
  },
  ip: {
    version: 'int:4', hdrlength: 'int:4', dscp: 'dscp', ecn: 'ecn', length: 'int:16', id: 'int:16',
    'frag-off': 'int:16', ttl: 'int:8', protocol: 'inet_proto', checksum: 'int:16', saddr: 'ipv4_addr', daddr: 'ipv4_addr',
  },
  icmp: { type: 'icmp_type', code: 'icmp_code', checksum: 'int:16', id: 'int:16', sequence: 'int:16', gateway: 'int:32', mtu: 'int:16' },
  igmp: { type: 'igmp_type', mrt: 'int:8', checksum: 'int:16', group: 'int:32' },
  ip6: {
    version: 'int:4', dscp: 'dscp', ecn: 'ecn', flowlabel: 'int:20', length: 'int:16', nexthdr: 'inet_proto',
    hoplimit: 'int:8', saddr: 'ipv6_addr', daddr: 'ipv6_addr',
  },
  icmpv6: {
    type: 'icmpv6_type', code: 'icmpv6_code', checksum: 'int:16', 'parameter-problem': 'int:32', 'packet-too-big': 'int:32',
    mtu: 'int:32', id: 'int:16', sequence: 'int:16', 'max-delay': 'int:16', taddr: 'ipv6_addr', daddr: 'ipv6_addr',
  },
  tcp: {
    ...PORTS, sequence: 'int:32', ackseq: 'int:32', doff: 'int:4', reserved: 'int:4', flags: 'tcp_flag',
    window: 'int:16', checksum: 'int:16', urgptr: 'int:16',
  },
  udp: { ...PORTS, length: 'int:16', checksum: 'int:16' },
  udplite: { ...PORTS, csumcov: 'int:16', checksum: 'int:16' },
  sctp: { ...PORTS, vtag: 'int:32', checksum: 'int:32' },
  dccp: { ...PORTS, type: 'dccp_pkttype' },
  ah: { nexthdr: 'inet_proto', hdrlength: 'int:8', reserved: 'int:16', spi: 'int:32', sequence: 'int:32' },
  esp: { spi: 'int:32', sequence: 'int:32' },
  comp: { nexthdr: 'inet_proto', flags: 'bitmask', cpi: 'int:16' },
  th: { ...PORTS },
  gre: { version: 'int:3', flags: 'int:5', protocol: 'ether_type' },
  vxlan: { vni: 'int:24', flags: 'int:8' },
  geneve: { vni: 'int:24', type: 'ether_type' },
  gretap: {},
});

/** Headers that can carry an inner packet: `vxlan ip saddr`, `gre ip daddr`. */
export const TUNNELS = new Set(['vxlan', 'geneve', 'gre', 'gretap']);

/** IPv6 extension headers (`hbh nexthdr`, `frag id`, `srh sid[1]`). */
export const EXTHDR: Readonly<Record<string, Fields>> = dicts({
  hbh: { nexthdr: 'inet_proto', hdrlength: 'int:8' },
  rt: { nexthdr: 'inet_proto', hdrlength: 'int:8', type: 'int:8', 'seg-left': 'int:8' },
  rt0: { addr: 'ipv6_addr' },
  rt2: { addr: 'ipv6_addr' },
  srh: { 'last-entry': 'int:8', flags: 'int:8', tag: 'int:16', sid: 'ipv6_addr' },
  frag: { nexthdr: 'inet_proto', reserved: 'int:8', 'frag-off': 'int:13', reserved2: 'int:2', 'more-fragments': 'int:1', id: 'int:32' },
  dst: { nexthdr: 'inet_proto', hdrlength: 'int:8' },
  mh: { nexthdr: 'inet_proto', hdrlength: 'int:8', type: 'mh_type', reserved: 'int:8', checksum: 'int:16' },
});

/** TCP options and their fields (`tcp option maxseg size`). */
export const TCP_OPTIONS: Readonly<Record<string, Fields>> = dicts({
  eol: { kind: 'int:8' }, nop: { kind: 'int:8' },
  maxseg: { kind: 'int:8', length: 'int:8', size: 'int:16' },
  window: { kind: 'int:8', length: 'int:8', count: 'int:8' },
  'sack-perm': { kind: 'int:8', length: 'int:8' },
  sack: { kind: 'int:8', length: 'int:8', left: 'int:32', right: 'int:32' },
  sack0: { kind: 'int:8', length: 'int:8', left: 'int:32', right: 'int:32' },
  sack1: { kind: 'int:8', length: 'int:8', left: 'int:32', right: 'int:32' },
  sack2: { kind: 'int:8', length: 'int:8', left: 'int:32', right: 'int:32' },
  sack3: { kind: 'int:8', length: 'int:8', left: 'int:32', right: 'int:32' },
  timestamp: { kind: 'int:8', length: 'int:8', tsval: 'int:32', tsecr: 'int:32' },
  fastopen: { kind: 'int:8', length: 'int:8' },
  md5sig: { kind: 'int:8', length: 'int:8' },
  mptcp: { kind: 'int:8', length: 'int:8', subtype: 'mptcp_subtype' },
});

export const TCP_OPTION_NUMBERS: Readonly<Record<string, number>> = dict({
  eol: 0, nop: 1, maxseg: 2, window: 3, 'sack-perm': 4, sack: 5, sack0: 5, sack1: 5, sack2: 5, sack3: 5,
  timestamp: 8, md5sig: 19, mptcp: 30, fastopen: 34,
});

export const IP_OPTIONS: Readonly<Record<string, Fields>> = dicts({
  lsrr: { type: 'int:8', length: 'int:8', ptr: 'int:8', addr: 'int:32' },
  rr: { type: 'int:8', length: 'int:8', ptr: 'int:8', addr: 'int:32' },
  ssrr: { type: 'int:8', length: 'int:8', ptr: 'int:8', addr: 'int:32' },
  ra: { type: 'int:8', length: 'int:8', value: 'int:16' },
});

export const SCTP_CHUNKS = new Set([
  'data', 'init', 'init-ack', 'sack', 'heartbeat', 'heartbeat-ack', 'abort', 'shutdown', 'shutdown-ack', 'error',
  'cookie-echo', 'cookie-ack', 'ecne', 'cwr', 'shutdown-complete', 'asconf-ack', 'forward-tsn', 'asconf',
]);

export const SCTP_CHUNK_FIELDS: Readonly<Record<string, string>> = dict({
  type: 'int:8', flags: 'int:8', length: 'int:16', tsn: 'int:32', stream: 'int:16', ssn: 'int:16', ppid: 'int:32',
  'init-tag': 'int:32', 'a-rwnd': 'int:32', 'num-outbound-streams': 'int:16', 'num-inbound-streams': 'int:16',
  'initial-tsn': 'int:32', 'cum-tsn-ack': 'int:32', 'num-gap-ack-blocks': 'int:16', 'num-dup-tsns': 'int:16',
  'lowest-tsn': 'int:32', seqno: 'int:32', 'new-cum-tsn': 'int:32',
});

export const META: Fields = dict({
  length: 'int:32', protocol: 'ether_type', priority: 'classid', mark: 'mark', iif: 'iface_index', iifname: 'ifname',
  iiftype: 'iface_type', oif: 'iface_index', oifname: 'ifname', oiftype: 'iface_type', skuid: 'uid', skgid: 'gid',
  nftrace: 'int:1', rtclassid: 'realm', ibrname: 'ifname', obrname: 'ifname', ibriport: 'ifname', obriport: 'ifname',
  pkttype: 'pkt_type', cpu: 'int:32', iifgroup: 'devgroup', oifgroup: 'devgroup', cgroup: 'int:32', random: 'int:32',
  ipsec: 'boolean', secpath: 'boolean', nfproto: 'nf_proto', l4proto: 'inet_proto', iifkind: 'ifname', oifkind: 'ifname',
  ibrpvid: 'int:16', ibrvproto: 'ether_type', time: 'time', day: 'day', hour: 'hour', sdif: 'iface_index',
  sdifname: 'ifname', secmark: 'int:32',
});

/** Meta keys that may be written without `meta`. */
export const META_UNQUALIFIED = new Set([
  'mark', 'iif', 'iifname', 'iiftype', 'oif', 'oifname', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid',
  'ibrname', 'obrname', 'ibriport', 'obriport', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup', 'time', 'day', 'hour',
]);

export const CT: Fields = dict({
  state: 'ct_state', direction: 'ct_dir', status: 'ct_status', mark: 'mark', expiration: 'time', helper: 'string',
  label: 'ct_label', l3proto: 'nf_proto', protocol: 'inet_proto', 'proto-src': 'inet_service', 'proto-dst': 'inet_service',
  bytes: 'int:64', packets: 'int:64', avgpkt: 'int:64', zone: 'int:16', id: 'int:32', event: 'ct_event', secmark: 'int:32',
  saddr: 'addr', daddr: 'addr',
});

/** ct keys that may take `original` / `reply`. */
export const CT_DIR_KEYS = new Set(['saddr', 'daddr', 'proto-src', 'proto-dst', 'l3proto', 'protocol', 'bytes', 'packets', 'avgpkt', 'zone']);

/** ct keys that need a direction. */
export const CT_NEEDS_DIR = new Set(['saddr', 'daddr', 'proto-src', 'proto-dst']);

export const RT: Fields = dict({ classid: 'realm', nexthop: 'addr', mtu: 'int:16', ipsec: 'boolean' });

export const FIB_FLAGS = new Set(['saddr', 'daddr', 'mark', 'iif', 'oif']);
export const FIB_RESULTS: Fields = dict({ oif: 'iface_index', oifname: 'ifname', type: 'fib_addrtype', check: 'boolean' });

function resolve(spec: string | undefined): Datatype {
  if (spec === undefined) return INVALID;
  if (spec.startsWith('int:')) return integerType(Number(spec.slice(4)));
  return datatype(spec) ?? INVALID;
}

function familyAddr(f: 'ip' | 'ip6' | undefined, tableFamily: NftFamily): Datatype {
  const fam = f ?? (tableFamily === 'ip' ? 'ip' : tableFamily === 'ip6' ? 'ip6' : undefined);
  return fam === undefined ? INVALID : mustType(fam === 'ip' ? 'ipv4_addr' : 'ipv6_addr');
}

/** The datatype an expression yields in a table of the given family (INVALID when unknown). */
export function typeOfExpr(e: Expr, tableFamily: NftFamily): Datatype {
  switch (e.kind) {
    case 'payload': return resolve(PAYLOAD[e.protocol]?.[e.field]);
    case 'raw': return integerType(e.len);
    case 'exthdr': {
      if (e.space === 'tcp' && e.name.startsWith('@')) return integerType(Number(e.name.split(',')[2] ?? '8'));
      if (e.field === undefined) return mustType('boolean');
      if (e.space === 'ip6') return resolve(EXTHDR[e.name]?.[e.field]);
      if (e.space === 'tcp') return resolve(TCP_OPTIONS[e.name]?.[e.field] ?? (e.field === 'kind' || e.field === 'length' ? 'int:8' : undefined));
      if (e.space === 'ip') return resolve(IP_OPTIONS[e.name]?.[e.field]);
      if (e.space === 'sctp') return resolve(SCTP_CHUNK_FIELDS[e.field]);
      return integerType(8);
    }
    case 'meta': return resolve(META[e.key]);
    case 'ct': {
      const spec = CT[e.key];
      if (spec === 'addr') return familyAddr(e.family, tableFamily);
      return resolve(spec);
    }
    case 'rt': return RT[e.key] === 'addr' ? familyAddr(e.family, tableFamily) : resolve(RT[e.key]);
    case 'fib': return resolve(FIB_RESULTS[e.result]);
    case 'special': return specialType(e.name, e.key);
    case 'concat': return INVALID;
    case 'binop': return typeOfExpr(e.left, tableFamily);
    case 'map': return INVALID;
    default: return INVALID;
  }
}

function specialType(name: string, key: string): Datatype {
  switch (name) {
    case 'socket': return key === 'mark' ? mustType('mark') : key === 'cgroupv2' ? mustType('cgroupsv2') : integerType(key === 'transparent' || key === 'wildcard' ? 8 : 32);
    case 'osf': return mustType('string');
    case 'ipsec': return key.startsWith('ip6 ') ? mustType('ipv6_addr') : key.startsWith('ip ') ? mustType('ipv4_addr') : integerType(32);
    case 'numgen': case 'jhash': case 'symhash': return integerType(32);
    case 'tunnel': return integerType(32);
    default: return INVALID;
  }
}
