/**
 * The small syntax the generator produces: iptables filter-table rulesets for the INPUT hook, and
 * their printing as canonical iptables-save text (iptables 1.8.9, nf_tables), so that what the
 * generator writes is byte for byte what `iptables-save` prints back after loading it.
 */
import { formatValue, type Family } from '../model/address.js';

export type GenProto = 'tcp' | 'udp' | 'icmp' | 'ipv6-icmp' | 'esp' | 253;

export type GenMatch =
  | { readonly kind: 'addr'; readonly dir: 's' | 'd'; readonly neg: boolean; readonly value: bigint; readonly len: number }
  | { readonly kind: 'iface'; readonly neg: boolean; readonly name: string }
  | { readonly kind: 'proto'; readonly neg: boolean; readonly proto: GenProto }
  /** `-m tcp` / `-m udp`: ports and (tcp) flags; needs a positive `-p` of that protocol. */
  | {
    readonly kind: 'l4'; readonly proto: 'tcp' | 'udp';
    readonly sport?: GenRange; readonly dport?: GenRange;
    readonly flags?: { readonly neg: boolean; readonly mask: number; readonly comp: number };
  }
  | { readonly kind: 'multiport'; readonly which: 'sports' | 'dports' | 'ports'; readonly neg: boolean; readonly items: readonly (readonly [number, number])[] }
  | { readonly kind: 'iprange'; readonly src?: GenAddrRange; readonly dst?: GenAddrRange }
  | { readonly kind: 'ctstate'; readonly module: 'conntrack' | 'state'; readonly neg: boolean; readonly states: readonly CtName[] }
  /** `-m icmp` / `-m icmp6`; type undefined = `any`. */
  | { readonly kind: 'icmp'; readonly neg: boolean; readonly type?: number; readonly code?: number }
  | { readonly kind: 'length'; readonly neg: boolean; readonly lo: number; readonly hi: number }
  /** `-m ttl` / `-m hl`; only `eq` may be negated. */
  | { readonly kind: 'ttl'; readonly op: 'eq' | 'lt' | 'gt'; readonly neg: boolean; readonly value: number }
  | { readonly kind: 'tos'; readonly neg: boolean; readonly value: number; readonly mask: number }
  | { readonly kind: 'dscp'; readonly neg: boolean; readonly value: number }
  | { readonly kind: 'mark'; readonly neg: boolean; readonly value: number; readonly mask: number }
  | { readonly kind: 'comment'; readonly text: string };

export interface GenRange {
  readonly neg: boolean;
  readonly lo: number;
  readonly hi: number;
}

export interface GenAddrRange {
  readonly neg: boolean;
  readonly lo: bigint;
  readonly hi: bigint;
}

export type CtName = 'INVALID' | 'NEW' | 'RELATED' | 'ESTABLISHED' | 'UNTRACKED';
/** The order iptables-save prints states in. */
export const CT_ORDER: readonly CtName[] = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'];

export type GenTarget =
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { readonly kind: 'REJECT'; readonly with: string }
  | { readonly kind: 'LOG'; readonly prefix: string }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  /** No -j: the rule only counts. */
  | { readonly kind: 'none' };

export interface GenRule {
  readonly matches: readonly GenMatch[];
  readonly target: GenTarget;
}

export interface GenChain {
  readonly name: string;
  readonly rules: readonly GenRule[];
}

export interface GenRuleset {
  readonly family: Family;
  readonly policy: 'ACCEPT' | 'DROP';
  /** chains[0] is INPUT; the others are user chains, each jumping only to later ones. */
  readonly chains: readonly GenChain[];
}

export const TCP_FLAG_ORDER: readonly (readonly [string, number])[] = [
  ['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20],
];

/** iptables knows only the six classic flags by name; `NONE` is the empty set. */
export const TCP_FLAG_MASK = 0x3f;

function flagNames(bits: number): string {
  if (bits === 0) return 'NONE';
  return TCP_FLAG_ORDER.filter(([, b]) => (bits & b) !== 0).map(([n]) => n).join(',');
}

function range(lo: number, hi: number): string {
  return lo === hi ? String(lo) : `${lo}:${hi}`;
}

function hex(n: number, width = 0): string {
  return `0x${(n >>> 0).toString(16).padStart(width, '0')}`;
}

function neg(b: boolean): string {
  return b ? '! ' : '';
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** One match as iptables-save prints it (without leading space). */
export function printMatch(m: GenMatch, family: Family): string {
  switch (m.kind) {
    case 'addr': return `${neg(m.neg)}-${m.dir} ${formatValue(family, m.value)}/${m.len}`;
    case 'iface': return `${neg(m.neg)}-i ${m.name}`;
    case 'proto': return `${neg(m.neg)}-p ${m.proto}`;
    case 'l4': {
      const parts = [`-m ${m.proto}`];
      if (m.sport) parts.push(`${neg(m.sport.neg)}--sport ${range(m.sport.lo, m.sport.hi)}`);
      if (m.dport) parts.push(`${neg(m.dport.neg)}--dport ${range(m.dport.lo, m.dport.hi)}`);
      if (m.flags) parts.push(`${neg(m.flags.neg)}--tcp-flags ${flagNames(m.flags.mask)} ${flagNames(m.flags.comp)}`);
      return parts.join(' ');
    }
    case 'multiport': return `-m multiport ${neg(m.neg)}--${m.which} ${m.items.map(([lo, hi]) => range(lo, hi)).join(',')}`;
    case 'iprange': {
      const parts = ['-m iprange'];
      if (m.src) parts.push(`${neg(m.src.neg)}--src-range ${formatValue(family, m.src.lo)}-${formatValue(family, m.src.hi)}`);
      if (m.dst) parts.push(`${neg(m.dst.neg)}--dst-range ${formatValue(family, m.dst.lo)}-${formatValue(family, m.dst.hi)}`);
      return parts.join(' ');
    }
    case 'ctstate': {
      const states = CT_ORDER.filter((s) => m.states.includes(s)).join(',');
      return m.module === 'conntrack' ? `-m conntrack ${neg(m.neg)}--ctstate ${states}` : `-m state ${neg(m.neg)}--state ${states}`;
    }
    case 'icmp': {
      const t = m.type === undefined ? 'any' : m.code === undefined ? String(m.type) : `${m.type}/${m.code}`;
      return family === 'ipv4' ? `-m icmp ${neg(m.neg)}--icmp-type ${t}` : `-m icmp6 ${neg(m.neg)}--icmpv6-type ${t}`;
    }
    case 'length': return `-m length ${neg(m.neg)}--length ${range(m.lo, m.hi)}`;
    case 'ttl': return family === 'ipv4' ? `-m ttl ${neg(m.neg)}--ttl-${m.op} ${m.value}` : `-m hl ${neg(m.neg)}--hl-${m.op} ${m.value}`;
    case 'tos': return `-m tos ${neg(m.neg)}--tos ${hex(m.value, 2)}/${hex(m.mask, 2)}`;
    case 'dscp': return `-m dscp ${neg(m.neg)}--dscp ${hex(m.value, 2)}`;
    case 'mark': return `-m mark ${neg(m.neg)}--mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : `/${hex(m.mask)}`}`;
    case 'comment': return `-m comment --comment ${quote(m.text)}`;
  }
}

export function printTarget(t: GenTarget): string {
  switch (t.kind) {
    case 'ACCEPT': case 'DROP': case 'RETURN': return `-j ${t.kind}`;
    case 'REJECT': return `-j REJECT --reject-with ${t.with}`;
    case 'LOG': return `-j LOG --log-prefix ${quote(t.prefix)}`;
    case 'jump': return `-j ${t.chain}`;
    case 'goto': return `-g ${t.chain}`;
    case 'none': return '';
  }
}

/** Matches iptables-save leaves out because they match everything: `-s 0.0.0.0/0`, `-i +`. */
export function isNoop(m: GenMatch): boolean {
  return (m.kind === 'addr' && m.len === 0 && !m.neg) || (m.kind === 'iface' && m.name === '+' && !m.neg);
}

export function printRule(chain: string, r: GenRule, family: Family): string {
  const parts = [`-A ${chain}`, ...r.matches.filter((m) => !isNoop(m)).map((m) => printMatch(m, family)), printTarget(r.target)];
  return parts.filter((p) => p.length > 0).join(' ');
}

/** The whole ruleset as iptables-save / ip6tables-save text. */
export function printRuleset(rs: GenRuleset): string {
  const lines = ['*filter', `:INPUT ${rs.policy} [0:0]`, ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (const c of rs.chains.slice(1)) lines.push(`:${c.name} - [0:0]`);
  for (const c of rs.chains) for (const r of c.rules) lines.push(printRule(c.name, r, rs.family));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The dialect name of a generated ruleset. */
export function rulesetDialect(rs: GenRuleset): 'iptables' | 'ip6tables' {
  return rs.family === 'ipv4' ? 'iptables' : 'ip6tables';
}
