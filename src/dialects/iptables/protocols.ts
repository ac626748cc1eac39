/**
 * Protocol names as iptables reads and prints them. iptables asks getprotobyname(3) /
 * getprotobynumber(3), so its output depends on /etc/protocols; this table is Debian's netbase
 * file (the reference platform), plus the few names libxtables knows on its own.
 */

/** `name=number[,alias…]`, in /etc/protocols order: the first name of a number is its canonical one. */
const DATA =
  'ip=0,IP hopopt=0,HOPOPT icmp=1,ICMP igmp=2,IGMP ggp=3,GGP ipencap=4,IP-ENCAP st=5,ST tcp=6,TCP ' +
  'egp=8,EGP igp=9,IGP pup=12,PUP udp=17,UDP hmp=20,HMP xns-idp=22,XNS-IDP rdp=27,RDP ' +
  'iso-tp4=29,ISO-TP4 dccp=33,DCCP xtp=36,XTP ddp=37,DDP idpr-cmtp=38,IDPR-CMTP ipv6=41,IPv6 ' +
  'ipv6-route=43,IPv6-Route ipv6-frag=44,IPv6-Frag idrp=45,IDRP rsvp=46,RSVP gre=47,GRE ' +
  'esp=50,IPSEC-ESP ah=51,IPSEC-AH skip=57,SKIP ipv6-icmp=58,IPv6-ICMP ipv6-nonxt=59,IPv6-NoNxt ' +
  'ipv6-opts=60,IPv6-Opts rspf=73,RSPF,CPHB vmtp=81,VMTP eigrp=88,EIGRP ospf=89,OSPFIGP ' +
  'ax.25=93,AX.25 ipip=94,IPIP etherip=97,ETHERIP encap=98,ENCAP pim=103,PIM ipcomp=108,IPCOMP ' +
  'vrrp=112,VRRP l2tp=115,L2TP isis=124,ISIS sctp=132,SCTP fc=133,FC ' +
  'mobility-header=135,Mobility-Header udplite=136,UDPLite mpls-in-ip=137,MPLS-in-IP manet=138 ' +
  'hip=139,HIP shim6=140,Shim6 wesp=141,WESP rohc=142,ROHC ethernet=143,Ethernet';

/** libxtables' own fallback names (xtables_chain_protos). */
const BUILTIN: ReadonlyArray<readonly [string, number]> = [
  ['tcp', 6], ['sctp', 132], ['udp', 17], ['udplite', 136], ['icmp', 1], ['icmpv6', 58],
  ['ipv6-icmp', 58], ['esp', 50], ['ah', 51], ['ipv6-mh', 135], ['mh', 135], ['all', 0],
];

let byName: Map<string, number> | undefined;
let byNumber: Map<number, string> | undefined;

function build(): void {
  byName = new Map();
  byNumber = new Map();
  for (const entry of DATA.split(' ')) {
    const [head = '', ...aliases] = entry.split(',');
    const [name = '', num = '0'] = head.split('=');
    const n = Number(num);
    if (!byName.has(name)) byName.set(name, n);
    for (const a of aliases) if (!byName.has(a)) byName.set(a, n);
    if (!byNumber.has(n)) byNumber.set(n, name);
  }
  for (const [name, n] of BUILTIN) if (!byName.has(name)) byName.set(name, n);
}

/**
 * `-p` argument → protocol number, the way iptables reads it: the argument is lower-cased, then
 * a number (decimal, 0x hex or 0 octal) up to 255, `all`, or a protocol name.
 */
const PROTO_CACHE = new Map<string, number | undefined>();

export function parseIptProtocol(text: string): number | undefined {
  if (PROTO_CACHE.has(text)) return PROTO_CACHE.get(text);
  const n = readProtocol(text);
  if (PROTO_CACHE.size < 1024) PROTO_CACHE.set(text, n);
  return n;
}

function readProtocol(text: string): number | undefined {
  const lower = text.toLowerCase();
  const n = parseCNumber(lower);
  if (n !== undefined) return n <= 255 ? n : undefined;
  if (lower === 'all') return 0;
  if (byName === undefined) build();
  return byName?.get(lower);
}

/** The name iptables-save prints for a protocol number (the number itself when it has none). */
export function iptProtocolName(n: number): string {
  if (byNumber === undefined) build();
  return byNumber?.get(n) ?? String(n);
}

/**
 * strtoul(3) with base 0, as libxtables' xtables_strtoui uses it: decimal, 0x… hex, 0… octal.
 * Undefined for anything else (signs, spaces, trailing garbage).
 */
export function parseCNumber(text: string): number | undefined {
  if (text.length === 0) return undefined;
  let base = 10;
  let digits = text;
  if (text.length > 1 && text[0] === '0') {
    if (text[1] === 'x' || text[1] === 'X') { base = 16; digits = text.slice(2); } else { base = 8; digits = text.slice(1); }
    if (digits.length === 0) return base === 8 ? 0 : undefined;
  }
  let v = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return undefined;
    if (d >= base) return undefined;
    v = v * base + d;
  }
  return v;
}
