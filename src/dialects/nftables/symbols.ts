/**
 * Symbolic constants of nft datatypes, as `nft describe <expr>` lists them (nftables 1.0.6 / 1.1).
 */

type Table = readonly (readonly [string, number])[];

export const ICMP_TYPE: Table = [
  ['echo-reply', 0], ['destination-unreachable', 3], ['source-quench', 4], ['redirect', 5], ['echo-request', 8],
  ['router-advertisement', 9], ['router-solicitation', 10], ['time-exceeded', 11], ['parameter-problem', 12],
  ['timestamp-request', 13], ['timestamp-reply', 14], ['info-request', 15], ['info-reply', 16],
  ['address-mask-request', 17], ['address-mask-reply', 18],
];

export const ICMP_CODE: Table = [
  ['net-unreachable', 0], ['host-unreachable', 1], ['prot-unreachable', 2], ['port-unreachable', 3],
  ['frag-needed', 4], ['net-prohibited', 9], ['host-prohibited', 10], ['admin-prohibited', 13],
];

export const ICMPV6_TYPE: Table = [
  ['destination-unreachable', 1], ['packet-too-big', 2], ['time-exceeded', 3], ['parameter-problem', 4],
  ['echo-request', 128], ['echo-reply', 129], ['mld-listener-query', 130], ['mld-listener-report', 131],
  ['mld-listener-done', 132], ['mld-listener-reduction', 132], ['nd-router-solicit', 133], ['nd-router-advert', 134],
  ['nd-neighbor-solicit', 135], ['nd-neighbor-advert', 136], ['nd-redirect', 137], ['router-renumbering', 138],
  ['ind-neighbor-solicit', 141], ['ind-neighbor-advert', 142], ['mld2-listener-report', 143],
];

export const ICMPV6_CODE: Table = [
  ['no-route', 0], ['admin-prohibited', 1], ['addr-unreachable', 3], ['port-unreachable', 4],
  ['policy-fail', 5], ['reject-route', 6],
];

/** `reject with icmpx …` codes (NFT_REJECT_ICMPX_*). */
export const ICMPX_CODE: Table = [
  ['no-route', 0], ['port-unreachable', 1], ['host-unreachable', 2], ['admin-prohibited', 3],
];

export const CT_STATE: Table = [
  ['invalid', 0x1], ['established', 0x2], ['related', 0x4], ['new', 0x8], ['untracked', 0x40],
];

export const CT_STATUS: Table = [
  ['expected', 0x1], ['seen-reply', 0x2], ['assured', 0x4], ['confirmed', 0x8], ['snat', 0x10], ['dnat', 0x20],
  ['dying', 0x200],
];

export const CT_EVENT: Table = [
  ['new', 0x1], ['related', 0x2], ['destroy', 0x4], ['reply', 0x8], ['assured', 0x10], ['protoinfo', 0x20],
  ['helper', 0x40], ['mark', 0x80], ['seqadj', 0x100], ['secmark', 0x200], ['label', 0x400],
];

export const CT_DIR: Table = [['original', 0], ['reply', 1]];

export const TCP_FLAG: Table = [
  ['fin', 0x01], ['syn', 0x02], ['rst', 0x04], ['psh', 0x08], ['ack', 0x10], ['urg', 0x20], ['ecn', 0x40], ['cwr', 0x80],
];

export const PKT_TYPE: Table = [['host', 0], ['unicast', 0], ['broadcast', 1], ['multicast', 2], ['other', 3]];

export const NF_PROTO: Table = [['ipv4', 2], ['ipv6', 10]];

export const DSCP: Table = [
  ['cs0', 0x00], ['cs1', 0x08], ['cs2', 0x10], ['cs3', 0x18], ['cs4', 0x20], ['cs5', 0x28], ['cs6', 0x30], ['cs7', 0x38],
  ['df', 0x00], ['be', 0x00], ['lephb', 0x01], ['af11', 0x0a], ['af12', 0x0c], ['af13', 0x0e], ['af21', 0x12],
  ['af22', 0x14], ['af23', 0x16], ['af31', 0x1a], ['af32', 0x1c], ['af33', 0x1e], ['af41', 0x22], ['af42', 0x24],
  ['af43', 0x26], ['va', 0x2c], ['ef', 0x2e],
];

export const ECN: Table = [['not-ect', 0], ['ect1', 1], ['ect0', 2], ['ce', 3]];

export const ETHER_TYPE: Table = [
  ['ip', 0x0800], ['arp', 0x0806], ['ip6', 0x86dd], ['8021q', 0x8100], ['8021ad', 0x88a8], ['vlan', 0x8100],
];

export const ARP_OP: Table = [
  ['request', 1], ['reply', 2], ['rrequest', 3], ['rreply', 4], ['inrequest', 8], ['inreply', 9], ['nak', 10],
];

export const IFACE_TYPE: Table = [
  ['ether', 0x1], ['ppp', 0x200], ['ipip', 0x300], ['ipip6', 0x301], ['loopback', 0x304], ['sit', 0x308], ['ipgre', 0x30a],
];

export const FIB_ADDRTYPE: Table = [
  ['unspec', 0], ['unicast', 1], ['local', 2], ['broadcast', 3], ['anycast', 4], ['multicast', 5], ['blackhole', 6],
  ['unreachable', 7], ['prohibit', 8],
];

export const DAY: Table = [
  ['Sunday', 0], ['Monday', 1], ['Tuesday', 2], ['Wednesday', 3], ['Thursday', 4], ['Friday', 5], ['Saturday', 6],
];

export const DCCP_PKTTYPE: Table = [
  ['request', 0], ['response', 1], ['data', 2], ['ack', 3], ['dataack', 4], ['closereq', 5], ['close', 6], ['reset', 7],
  ['sync', 8], ['syncack', 9],
];

export const IGMP_TYPE: Table = [
  ['membership-query', 17], ['membership-report-v1', 18], ['membership-report-v2', 22],
  ['membership-report-v3', 34], ['leave-group', 23],
];

export const MH_TYPE: Table = [
  ['binding-refresh-request', 0], ['home-test-init', 1], ['careof-test-init', 2], ['home-test', 3], ['careof-test', 4],
  ['binding-update', 5], ['binding-acknowledgement', 6], ['binding-error', 7], ['fast-binding-update', 8],
  ['fast-binding-acknowledgement', 9], ['fast-binding-advertisement', 10], ['experimental-mobility-header', 11],
  ['home-agent-switch-message', 12],
];

export const MPTCP_SUBTYPE: Table = [
  ['mp-capable', 0], ['mp-join', 1], ['dss', 2], ['add-addr', 3], ['remove-addr', 4], ['mp-prio', 5], ['mp-fail', 6],
  ['mp-fastclose', 7], ['mp-tcprst', 8],
];

export const BOOLEAN: Table = [['exists', 1], ['missing', 0]];

/** The service names nft resolves through /etc/services that rulesets commonly use (tcp/udp ports). */
export const SERVICES: Table = [
  ['tcpmux', 1], ['echo', 7], ['discard', 9], ['daytime', 13], ['ftp-data', 20], ['ftp', 21], ['ssh', 22],
  ['telnet', 23], ['smtp', 25], ['time', 37], ['whois', 43], ['tacacs', 49], ['domain', 53], ['bootps', 67],
  ['bootpc', 68], ['tftp', 69], ['gopher', 70], ['finger', 79], ['http', 80], ['www', 80], ['kerberos', 88],
  ['pop3', 110], ['sunrpc', 111], ['auth', 113], ['nntp', 119], ['ntp', 123], ['epmap', 135], ['netbios-ns', 137],
  ['netbios-dgm', 138], ['netbios-ssn', 139], ['imap2', 143], ['imap', 143], ['snmp', 161], ['snmp-trap', 162],
  ['bgp', 179], ['ldap', 389], ['https', 443], ['microsoft-ds', 445], ['kpasswd', 464], ['submissions', 465],
  ['isakmp', 500], ['exec', 512], ['biff', 512], ['login', 513], ['who', 513], ['shell', 514], ['syslog', 514],
  ['printer', 515], ['talk', 517], ['ntalk', 518], ['route', 520], ['rtsp', 554], ['submission', 587], ['ipp', 631],
  ['ldaps', 636], ['rsync', 873], ['ftps-data', 989], ['ftps', 990], ['telnets', 992], ['imaps', 993],
  ['pop3s', 995], ['socks', 1080], ['openvpn', 1194], ['ms-sql-s', 1433], ['radius', 1812], ['radius-acct', 1813],
  ['nfs', 2049], ['mysql', 3306], ['ms-wbt-server', 3389], ['svn', 3690], ['sip', 5060], ['sip-tls', 5061],
  ['postgresql', 5432], ['x11', 6000], ['http-alt', 8080],
];

export function tableMap(t: Table): ReadonlyMap<string, number> {
  return new Map(t.map(([n, v]) => [n, v]));
}

/** The first name of a value, as nft prints it. */
export function symbolName(t: Table, v: number): string | undefined {
  return t.find(([, x]) => x === v)?.[0];
}
