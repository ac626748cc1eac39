/** IP protocol numbers and names, and ICMP / ICMPv6 type names. */

/** Names accepted by iptables' `-p` and nft's `meta l4proto` (the /etc/protocols list plus aliases). */
const PROTOCOLS: ReadonlyArray<readonly [string, number]> = [
  ['all', 0], ['ip', 0], ['hopopt', 0], ['icmp', 1], ['igmp', 2], ['ggp', 3], ['ipencap', 4], ['st', 5],
  ['tcp', 6], ['egp', 8], ['igp', 9], ['pup', 12], ['udp', 17], ['hmp', 20], ['xns-idp', 22], ['rdp', 27],
  ['iso-tp4', 29], ['dccp', 33], ['xtp', 36], ['ddp', 37], ['idpr-cmtp', 38], ['ipv6', 41],
  ['ipv6-route', 43], ['ipv6-frag', 44], ['idrp', 45], ['rsvp', 46], ['gre', 47], ['esp', 50], ['ah', 51],
  ['skip', 57], ['ipv6-icmp', 58], ['icmpv6', 58], ['icmp6', 58], ['ipv6-nonxt', 59], ['ipv6-opts', 60],
  ['rspf', 73], ['vmtp', 81], ['eigrp', 88], ['ospf', 89], ['ax.25', 93], ['ipip', 94], ['etherip', 97],
  ['encap', 98], ['pim', 103], ['ipcomp', 108], ['vrrp', 112], ['l2tp', 115], ['isis', 124], ['sctp', 132],
  ['fc', 133], ['mobility-header', 135], ['ipv6-mh', 135], ['mh', 135], ['udplite', 136],
  ['mpls-in-ip', 137], ['manet', 138], ['hip', 139], ['shim6', 140], ['wesp', 141], ['rohc', 142],
  ['ethernet', 143],
];

const BY_NAME = new Map<string, number>(PROTOCOLS.map(([n, v]) => [n, v]));

export const PROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132, udplite: 136, dccp: 33, esp: 50, ah: 51, gre: 47 } as const;

/** A protocol by name (case-insensitive) or decimal number 0-255; undefined when unknown. */
export function parseProtocol(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : undefined;
  }
  return BY_NAME.get(text.toLowerCase());
}

/** The usual short name for messages: tcp, udp, icmp, icmpv6, or the number. */
export function protocolName(n: number): string {
  switch (n) {
    case 1: return 'icmp';
    case 6: return 'tcp';
    case 17: return 'udp';
    case 58: return 'icmpv6';
    case 132: return 'sctp';
    case 136: return 'udplite';
    default: {
      const e = PROTOCOLS.find(([, v]) => v === n && v !== 0);
      return e ? e[0] : String(n);
    }
  }
}

/** Protocols that carry source and destination ports. */
export function hasPorts(n: number): boolean {
  return n === 6 || n === 17 || n === 132 || n === 136 || n === 33;
}

export interface IcmpTypeName {
  readonly name: string;
  readonly type: number;
  /** Inclusive code range; [0, 255] when the name means "any code". */
  readonly codes: readonly [number, number];
}

function t(name: string, type: number, lo = 0, hi = 255): IcmpTypeName {
  return { name, type, codes: [lo, hi] };
}

/** `iptables -p icmp -h` names. */
export const ICMP_TYPES: readonly IcmpTypeName[] = [
  t('echo-reply', 0), t('pong', 0),
  t('destination-unreachable', 3),
  t('network-unreachable', 3, 0, 0), t('host-unreachable', 3, 1, 1), t('protocol-unreachable', 3, 2, 2),
  t('port-unreachable', 3, 3, 3), t('fragmentation-needed', 3, 4, 4), t('source-route-failed', 3, 5, 5),
  t('network-unknown', 3, 6, 6), t('host-unknown', 3, 7, 7), t('network-prohibited', 3, 9, 9),
  t('host-prohibited', 3, 10, 10), t('TOS-network-unreachable', 3, 11, 11), t('TOS-host-unreachable', 3, 12, 12),
  t('communication-prohibited', 3, 13, 13), t('host-precedence-violation', 3, 14, 14),
  t('precedence-cutoff', 3, 15, 15),
  t('source-quench', 4),
  t('redirect', 5), t('network-redirect', 5, 0, 0), t('host-redirect', 5, 1, 1),
  t('TOS-network-redirect', 5, 2, 2), t('TOS-host-redirect', 5, 3, 3),
  t('echo-request', 8), t('ping', 8),
  t('router-advertisement', 9), t('router-solicitation', 10),
  t('time-exceeded', 11), t('ttl-exceeded', 11), t('ttl-zero-during-transit', 11, 0, 0),
  t('ttl-zero-during-reassembly', 11, 1, 1),
  t('parameter-problem', 12), t('ip-header-bad', 12, 0, 0), t('required-option-missing', 12, 1, 1),
  t('timestamp-request', 13), t('timestamp-reply', 14),
  t('address-mask-request', 17), t('address-mask-reply', 18),
];

/** `ip6tables -p icmpv6 -h` names. */
export const ICMPV6_TYPES: readonly IcmpTypeName[] = [
  t('destination-unreachable', 1), t('no-route', 1, 0, 0), t('communication-prohibited', 1, 1, 1),
  t('beyond-scope', 1, 2, 2), t('address-unreachable', 1, 3, 3), t('port-unreachable', 1, 4, 4),
  t('failed-policy', 1, 5, 5), t('reject-route', 1, 6, 6),
  t('packet-too-big', 2),
  t('time-exceeded', 3), t('ttl-exceeded', 3), t('ttl-zero-during-transit', 3, 0, 0),
  t('ttl-zero-during-reassembly', 3, 1, 1),
  t('parameter-problem', 4), t('bad-header', 4, 0, 0), t('unknown-header-type', 4, 1, 1),
  t('unknown-option', 4, 2, 2),
  t('echo-request', 128), t('ping', 128), t('echo-reply', 129), t('pong', 129),
  t('mld-listener-query', 130), t('mld-listener-report', 131), t('mld-listener-done', 132),
  t('mld-listener-reduction', 132),
  t('router-solicitation', 133), t('router-advertisement', 134), t('neighbour-solicitation', 135),
  t('neighbor-solicitation', 135), t('neighbour-advertisement', 136), t('neighbor-advertisement', 136),
  t('redirect', 137),
];

export function findIcmpType(v6: boolean, name: string): IcmpTypeName | undefined {
  return (v6 ? ICMPV6_TYPES : ICMP_TYPES).find((x) => x.name.toLowerCase() === name.toLowerCase());
}
