/**
 * Protocol context within one rule, as nft tracks it: `ip6 saddr … ip daddr …` or `udp … tcp …`
 * conflict; NAT needs an address family and, for ports, a transport protocol; `reject with` must fit.
 */
import { parseAddress } from '../../model/address.js';
import type { Checker } from './check.js';
import { ICMPV6_CODE, ICMPX_CODE, ICMP_CODE, tableMap } from './symbols.js';
import { dict } from './selectors.js';
import type { ChainSyntax, Expr, RuleSyntax, Stmt } from './syntax.js';

type Net = 'ip' | 'ip6';

const NET_OF_PROTO: Readonly<Record<string, Net>> = { ip: 'ip', ip6: 'ip6' };
const L4_PROTOS = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'ah', 'esp', 'comp', 'igmp', 'gre']);
const PORT_PROTOS = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', '6', '17', '136', '132', '33']);
const L4_NUMBERS: Readonly<Record<string, string>> = dict({ '6': 'tcp', '17': 'udp', '136': 'udplite', '132': 'sctp', '33': 'dccp', '1': 'icmp', '58': 'icmpv6', 'ipv6-icmp': 'icmpv6' });
const NAT_HOOKS: Readonly<Record<string, readonly string[]>> = {
  snat: ['postrouting', 'input'], masquerade: ['postrouting'], dnat: ['prerouting', 'output'], redirect: ['prerouting', 'output'],
};
const CODES = { icmp: tableMap(ICMP_CODE), icmpv6: tableMap(ICMPV6_CODE), icmpx: tableMap(ICMPX_CODE) };

function selectorsOf(e: Expr): Expr[] {
  if (e.kind === 'concat') return e.items.flatMap(selectorsOf);
  if (e.kind === 'binop') return selectorsOf(e.left);
  return [e];
}

function singleValue(e: Expr): string | undefined {
  return e.kind === 'value' ? e.text : undefined;
}

function addrFamily(e: Expr | undefined): Net | undefined {
  if (!e) return undefined;
  switch (e.kind) {
    case 'value': {
      const a = parseAddress(e.text);
      return a ? (a.family === 'ipv4' ? 'ip' : 'ip6') : undefined;
    }
    case 'range': return addrFamily(e.lo);
    case 'prefix': return addrFamily(e.expr);
    case 'map': {
      if (e.data.kind !== 'set') return undefined;
      for (const i of e.data.items) {
        const v = i.kind === 'mapping' ? i.value : undefined;
        const f = addrFamily(v?.kind === 'concat' ? v.items[0] : v);
        if (f) return f;
      }
      return undefined;
    }
    default: return undefined;
  }
}

export function checkRuleProtocols(c: Checker, r: RuleSyntax, chain: ChainSyntax): void {
  const tf = c.family;
  const tableNet: Net | undefined = tf === 'ip' ? 'ip' : tf === 'ip6' ? 'ip6' : undefined;
  let net: Net | undefined = tableNet;
  let netFromTable = tableNet !== undefined;
  let natNet: Net | undefined = tableNet;
  let l4: string | undefined;
  let l4Any = false;
  let udpPort = false;
  // An explicit protocol match (`meta nfproto`, `meta l4proto`, `ip protocol`) after a header match
  // of another protocol is accepted by nft (the rule just never matches): no error. It replaces the
  // network context, and leaves the transport one as it was (as nft 1.0.6 does).
  const needNet = (want: Net, span: Expr['span'], overridesTable = false, explicit = false): void => {
    if (tf === 'arp') return;
    if ((overridesTable && netFromTable) || (explicit && net !== undefined && net !== want)) { net = want; netFromTable = false; return; }
    if (net !== undefined && net !== want) c.err('nftables/conflicting-protocols', `conflicting protocols specified: ${net} vs. ${want}`, span);
    if (net === undefined) netFromTable = false;
    net ??= want;
  };
  const needL4 = (want: string, span: Expr['span'], explicit = false): void => {
    if (l4 !== undefined && l4 !== want && !explicit) c.err('nftables/conflicting-protocols', `conflicting protocols specified: ${l4} vs. ${want}`, span);
    l4 ??= want;
  };
  for (const s of r.stmts) {
    if (s.kind === 'match' || s.kind === 'vmap' || s.kind === 'mangle') {
      const left = s.kind === 'vmap' ? s.key : s.left;
      const isSet = s.kind === 'match' && (s.right.kind === 'set' || s.right.kind === 'setref');
      for (const sel of selectorsOf(left)) {
        if (sel.kind === 'payload' && sel.inner === undefined) {
          const n = NET_OF_PROTO[sel.protocol];
          if (n) {
            needNet(n, sel.span);
            if (!isSet) natNet ??= n;
          }
          if (L4_PROTOS.has(sel.protocol)) needL4(sel.protocol, sel.span);
          if (sel.protocol === 'udp' && sel.field === 'dport') udpPort = true;
        }
        const tunnel = sel.kind === 'payload' ? sel.inner ?? sel.protocol : undefined;
        if ((tunnel === 'vxlan' || tunnel === 'geneve') && !udpPort) {
          c.err('nftables/missing-protocol', `${tunnel} needs a 'udp dport' match before it`, sel.span);
        }
        if (sel.kind === 'exthdr' && sel.space === 'ip6') needNet('ip6', sel.span);
        if (sel.kind === 'ct' && sel.family !== undefined) needNet(sel.family, sel.span);
        if ((sel.kind === 'ct' && (sel.key === 'saddr' || sel.key === 'daddr')) || (sel.kind === 'rt' && sel.key === 'nexthop')) {
          if (sel.family === undefined && net === undefined) {
            c.err('nftables/type-mismatch', `${sel.kind} ${sel.key} in a ${tf} table needs 'ip' or 'ip6' (or a meta nfproto match before it) to know the address family`, sel.span);
          }
        }
      }
      if (s.kind === 'match' && (s.op === '==' || s.op === 'implicit')) {
        const v = singleValue(s.right);
        if (left.kind === 'meta' && left.key === 'nfproto' && v !== undefined) {
          if (v === 'ipv4') needNet('ip', left.span, false, true);
          if (v === 'ipv6') needNet('ip6', left.span, false, true);
        }
        if (left.kind === 'meta' && left.key === 'protocol' && v !== undefined) {
          if (v === 'ip') needNet('ip', left.span, true);
          if (v === 'ip6') needNet('ip6', left.span, true);
        }
        const isL4Sel = (left.kind === 'meta' && left.key === 'l4proto') || (left.kind === 'payload' && left.inner === undefined && ((left.protocol === 'ip' && left.field === 'protocol') || (left.protocol === 'ip6' && left.field === 'nexthdr')));
        if (isL4Sel) {
          if (v !== undefined) needL4(L4_NUMBERS[v] ?? v, left.span, true);
          else if (s.right.kind === 'set' || s.right.kind === 'setref') l4Any = true;
        }
      }
    }
    if (s.kind === 'nat' || s.kind === 'other') {
      for (const e of [s.kind === 'nat' ? s.addr : undefined, s.kind === 'nat' ? s.port : undefined]) {
        for (const sel of e ? mapKeySelectors(e) : []) if (sel.kind === 'payload' && L4_PROTOS.has(sel.protocol)) l4 ??= sel.protocol;
      }
    }
    checkStmtContext(c, s, { net, natNet, l4, l4Any, tf, chain });
  }
}

function mapKeySelectors(e: Expr): Expr[] {
  return e.kind === 'map' ? selectorsOf(e.key) : [];
}

interface Ctx {
  readonly net: Net | undefined;
  /** Family NAT and tproxy take from the rule: set by ip / ip6 header matches on single values. */
  readonly natNet: Net | undefined;
  readonly l4: string | undefined;
  readonly l4Any: boolean;
  readonly tf: string;
  readonly chain: ChainSyntax;
}

function checkStmtContext(c: Checker, s: Stmt, x: Ctx): void {
  if (s.kind === 'nat') {
    const hasPort = s.port !== undefined;
    if (hasPort && x.l4 === undefined && !x.l4Any) {
      c.err('nftables/missing-protocol', `${s.type} with a port needs a transport protocol match first (tcp dport …, meta l4proto tcp …)`, s.span);
    } else if (hasPort && x.l4 !== undefined && !PORT_PROTOS.has(x.l4)) {
      c.err('nftables/conflicting-protocols', `${s.type} with a port needs a protocol with ports, not ${x.l4}`, s.span);
    }
    if (s.type === 'snat' || s.type === 'dnat') {
      const af = addrFamily(s.addr);
      if (s.family !== undefined && af !== undefined && s.family !== af) c.err('nftables/type-mismatch', `${s.type} ${s.family} to an ${af === 'ip' ? 'IPv4' : 'IPv6'} address`, s.span);
      if (x.tf === 'ip' && (s.family === 'ip6' || af === 'ip6')) c.err('nftables/type-mismatch', `${s.type} to an IPv6 address in an ip table`, s.span);
      if (x.tf === 'ip6' && (s.family === 'ip' || af === 'ip')) c.err('nftables/type-mismatch', `${s.type} to an IPv4 address in an ip6 table`, s.span);
      const fam = s.family ?? x.natNet;
      if (x.tf === 'inet' && s.addr !== undefined && fam === undefined) {
        c.err('nftables/missing-protocol', `${s.type} in an inet table needs '${s.type} ip' or '${s.type} ip6' (or an ip/ip6 match before it)`, s.span);
      } else if (x.tf === 'inet' && s.family === undefined && af !== undefined && x.net !== undefined && af !== x.net) {
        c.err('nftables/conflicting-protocols', `conflicting protocols specified: ${x.net} vs. ${af}`, s.span);
      }
    }
    const b = x.chain.base;
    if (b && b.type !== 'nat') c.err('nftables/bad-chain-type', `${s.type} is only valid in a chain of type nat`, s.span);
    else if (b && !(NAT_HOOKS[s.type] ?? []).includes(b.hook)) c.err('nftables/bad-hook', `${s.type} is only valid on the ${(NAT_HOOKS[s.type] ?? []).join(' and ')} hooks, not ${b.hook}`, s.span);
  }
  if (s.kind === 'other' && s.name === 'tproxy') checkTproxy(c, s, x);
  if (s.kind === 'reject') {
    if (s.type === 'tcp reset') {
      if (x.l4 !== undefined && x.l4 !== 'tcp') c.err('nftables/conflicting-protocols', `'reject with tcp reset' applies to tcp, but the rule matches ${x.l4}`, s.span);
      return;
    }
    if (s.type === undefined) return;
    const codes = CODES[s.type];
    if (s.code !== undefined && codes.get(s.code) === undefined && !/^\d+$/.test(s.code)) {
      c.err('nftables/type-mismatch', `unknown ${s.type} code '${s.code}': expected one of ${[...codes.keys()].join(', ')}`, s.span);
    }
    if (s.type === 'icmp' && x.net === 'ip6') c.err('nftables/conflicting-protocols', "'reject with icmp' on IPv6 traffic: expected icmpv6 or icmpx", s.span);
    if (s.type === 'icmpv6' && x.net === 'ip') c.err('nftables/conflicting-protocols', "'reject with icmpv6' on IPv4 traffic: expected icmp or icmpx", s.span);
    if (s.type === 'icmpx' && x.tf !== 'inet' && x.tf !== 'bridge' && x.tf !== 'netdev') c.err('nftables/type-mismatch', `'reject with icmpx' is only valid in inet, bridge and netdev tables`, s.span);
  }
}

function checkTproxy(c: Checker, s: Extract<Stmt, { kind: 'other' }>, x: Ctx): void {
  const arg = (n: string): Expr | string | number | undefined => s.args.find((a) => a.name === n)?.value;
  const fam = arg('family') as Net | undefined;
  const addr = arg('addr');
  if (x.l4 === undefined && !x.l4Any) c.err('nftables/missing-protocol', 'tproxy needs a transport protocol match first (meta l4proto tcp …)', s.span);
  if (x.tf === 'ip' && fam === 'ip6') c.err('nftables/type-mismatch', "'tproxy ip6' in an ip table", s.span);
  if (x.tf === 'ip6' && fam === 'ip') c.err('nftables/type-mismatch', "'tproxy ip' in an ip6 table", s.span);
  const af = typeof addr === 'object' ? addrFamily(addr) : undefined;
  if (fam !== undefined && af !== undefined && fam !== af) c.err('nftables/type-mismatch', `tproxy ${fam} to an ${af === 'ip' ? 'IPv4' : 'IPv6'} address`, s.span);
  if (x.tf === 'inet' && addr !== undefined && fam === undefined) c.err('nftables/missing-protocol', "tproxy to an address in an inet table needs 'tproxy ip' or 'tproxy ip6'", s.span);
  if (fam !== undefined && x.net !== undefined && x.net !== fam) c.err('nftables/conflicting-protocols', `conflicting protocols specified: ${x.net} vs. ${fam}`, s.span);
  if (x.l4 === 'tcp' || x.l4 === 'udp' || x.l4Any || x.l4 === undefined) return;
  c.err('nftables/conflicting-protocols', `tproxy works for tcp and udp, not ${x.l4}`, s.span);
}
