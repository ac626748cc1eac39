/**
 * A model rule (match, effects, action) as nft rule text, for the fixes fwdoctor proposes:
 * `printModelRule(and(src(…), protocol(6), eq('dport', 22)), ACCEPT)` → `ip saddr 198.18.0.0/15 tcp dport 22 accept`.
 * What nft cannot say, or fwdoctor cannot spell, is refused with a reason rather than approximated.
 */
import { type AddressSet, formatValue, intervalToCidrs, bitsOf } from '../../model/address.js';
import type { Action, Effect } from '../../model/action.js';
import type { Interval } from '../../model/interval-set.js';
import type { Match } from '../../model/match.js';
import { protocolName } from '../../model/protocol.js';
import type { NftFamily } from './syntax.js';

export type ModelPrint = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

class Refuse extends Error {}

const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);
const CT_FIELDS: Readonly<Record<string, string>> = {
  ctOrigSrc: 'ct original %f saddr', ctOrigDst: 'ct original %f daddr', ctReplSrc: 'ct reply %f saddr', ctReplDst: 'ct reply %f daddr',
  ctProto: 'ct original protocol', ctOrigSport: 'ct original proto-src', ctOrigDport: 'ct original proto-dst',
  ctReplSport: 'ct reply proto-src', ctReplDport: 'ct reply proto-dst', uid: 'meta skuid', gid: 'meta skgid',
};

function values(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `{ ${items.join(', ')} }`;
}

function addrValues(a: AddressSet): string {
  const out: string[] = [];
  for (const [lo, hi] of a.set.intervals) {
    const cidrs = intervalToCidrs(a.family, lo, hi);
    if (cidrs.length <= 2) for (const c of cidrs) out.push(c.length === bitsOf(a.family) ? formatValue(a.family, c.value) : `${formatValue(a.family, c.value)}/${c.length}`);
    else out.push(`${formatValue(a.family, lo)}-${formatValue(a.family, hi)}`);
  }
  if (out.length === 0) throw new Refuse('an empty address set matches nothing');
  return values(out);
}

function numValues(ivs: readonly Interval<number>[]): string {
  if (ivs.length === 0) throw new Refuse('an empty set of values matches nothing');
  return values(ivs.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)));
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

interface Ctx {
  readonly family: NftFamily;
  /** The single L4 protocol the rule matches, which `tcp dport` etc. imply. */
  readonly proto: number | undefined;
  readonly ipFamily: 'ipv4' | 'ipv6' | undefined;
}

function printAtom(m: Match, c: Ctx): string {
  const ip = c.ipFamily === 'ipv6' || c.family === 'ip6' ? 'ip6' : 'ip';
  switch (m.kind) {
    case 'family': return `meta nfproto ${m.family}`;
    case 'addr': {
      const f = m.set.family === 'ipv4' ? 'ip' : 'ip6';
      if (m.field === 'src' || m.field === 'dst') return `${f} ${m.field === 'src' ? 'saddr' : 'daddr'} ${addrValues(m.set)}`;
      return `${(CT_FIELDS[m.field] as string).replace('%f', f)} ${addrValues(m.set)}`;
    }
    case 'num': {
      const v = numValues(m.set.intervals);
      switch (m.field) {
        case 'protocol': return `meta l4proto ${m.set.intervals.length === 1 && m.set.intervals[0]?.[0] === m.set.intervals[0]?.[1] ? protocolName(m.set.intervals[0]?.[0] as number) : v}`;
        case 'sport': case 'dport': return `${c.proto !== undefined && PORT_PROTOS.has(c.proto) ? protocolName(c.proto) : 'th'} ${m.field} ${v}`;
        case 'icmpType': case 'icmpCode': {
          const p = c.proto === 58 || c.ipFamily === 'ipv6' ? 'icmpv6' : 'icmp';
          return `${p} ${m.field === 'icmpType' ? 'type' : 'code'} ${v}`;
        }
        case 'ttl': return `${ip === 'ip' ? 'ip ttl' : 'ip6 hoplimit'} ${v}`;
        case 'length': return `meta length ${v}`;
        case 'dscp': return `${ip} dscp ${v}`;
        default: return `${CT_FIELDS[m.field] ?? m.field} ${v}`;
      }
    }
    case 'bits': {
      const sel = m.field === 'tcpFlags' ? 'tcp flags' : m.field === 'mark' ? 'meta mark' : m.field === 'connmark' ? 'ct mark' : undefined;
      if (sel === undefined) throw new Refuse('TOS bit tests are not written in nft (use ip dscp)');
      const full = m.field === 'tcpFlags' ? 0xff : 0xffffffff;
      const fmt = m.field === 'tcpFlags' ? (n: number): string => `0x${n.toString(16).padStart(2, '0')}` : hex;
      return m.mask === full ? `${sel} == ${fmt(m.value)}` : `${sel} & ${fmt(m.mask)} == ${fmt(m.value)}`;
    }
    case 'iface': return `${m.dir === 'in' ? 'iifname' : 'oifname'} "${m.name}${m.wildcard ? '*' : ''}"`;
    case 'ctstate': {
      const bad = m.states.find((s) => s === 'snat' || s === 'dnat');
      if (bad) throw new Refuse(`ct state has no ${bad} (use ct status ${bad})`);
      return `ct state ${m.states.join(',')}`;
    }
    case 'ctstatus': return `ct status ${m.statuses.join(',')}`;
    case 'ctdir': return `ct direction ${m.dir}`;
    case 'pkttype': return `meta pkttype ${m.type === 'unicast' ? 'host' : m.type}`;
    case 'mac': return `ether saddr ${m.value.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:')}`;
    case 'addrtype': return `fib ${m.field === 'src' ? 'saddr' : 'daddr'} type ${values([...m.types])}`;
    case 'fragment': return 'ip frag-off & 0x1fff != 0';
    case 'tcpOption': return `tcp option ${m.option} exists`;
    case 'not': {
      const inner = printAtom(m.item, c);
      if (/ == /.test(inner)) return inner.replace(' == ', ' != ');
      const parts = inner.match(/^(.*?) ((?:\{ .* \})|\S+)$/);
      if (!parts || m.item.kind === 'and' || m.item.kind === 'or' || m.item.kind === 'family') throw new Refuse(`cannot negate '${inner}' in one nft statement`);
      return `${parts[1]} != ${parts[2]}`;
    }
    case 'any': return '';
    case 'none': throw new Refuse('a rule that never matches');
    case 'or': return printOr(m.items, c);
    case 'and': return m.items.map((i) => printAtom(i, c)).filter((x) => x !== '').join(' ');
    case 'ipset': throw new Refuse(`ipset ${m.name} has no nft equivalent here (use a named set)`);
    case 'opaque': throw new Refuse(`the rule contains a predicate fwdoctor cannot spell: ${m.text}`);
    default: throw new Refuse('unsupported predicate');
  }
}

/** An or of tests of one field, as one statement with a set of values. */
function printOr(items: readonly Match[], c: Ctx): string {
  const kinds = new Set(items.map((i) => i.kind));
  const only = kinds.size === 1 ? items[0] : undefined;
  if (only?.kind === 'ctstate') return `ct state ${[...new Set(items.flatMap((i) => (i.kind === 'ctstate' ? i.states : [])))].join(',')}`;
  if (only?.kind === 'ctstatus') return `ct status ${[...new Set(items.flatMap((i) => (i.kind === 'ctstatus' ? i.statuses : [])))].join(',')}`;
  if (only?.kind === 'pkttype') return `meta pkttype ${values(items.map((i) => (i.kind === 'pkttype' ? (i.type === 'unicast' ? 'host' : i.type) : '')))}`;
  if (only?.kind === 'iface' && items.every((i) => i.kind === 'iface' && i.dir === only.dir)) {
    return `${only.dir === 'in' ? 'iifname' : 'oifname'} ${values(items.map((i) => (i.kind === 'iface' ? `"${i.name}${i.wildcard ? '*' : ''}"` : '')))}`;
  }
  if (only?.kind === 'bits' && items.every((i) => i.kind === 'bits' && i.field === only.field && i.mask === only.mask)) {
    const head = printAtom(only, c).replace(/ == \S+$/, '');
    const fmt = only.field === 'tcpFlags' ? (n: number): string => `0x${n.toString(16).padStart(2, '0')}` : hex;
    return `${head} == ${values(items.map((i) => (i.kind === 'bits' ? fmt(i.value) : '')))}`;
  }
  if (only?.kind === 'mac') return `ether saddr ${values(items.map((i) => printAtom(i, c).replace('ether saddr ', '')))}`;
  throw new Refuse('a disjunction of different fields needs several nft rules');
}

function printEffect(e: Effect): string {
  switch (e.kind) {
    case 'counter': return 'counter';
    case 'log': return e.prefix !== undefined ? `log prefix "${e.prefix}"` : 'log';
    case 'notrack': return 'notrack';
    case 'mark': {
      const sel = e.target === 'mark' ? 'meta mark' : 'ct mark';
      if (e.op === 'save') return 'ct mark set meta mark';
      if (e.op === 'restore') return 'meta mark set ct mark';
      if (e.op === 'set') return e.mask === 0xffffffff ? `${sel} set ${hex(e.value)}` : `${sel} set ${sel} & ${hex(~e.mask)} | ${hex(e.value)}`;
      return `${sel} set ${sel} ${e.op === 'and' ? '&' : e.op === 'or' ? '|' : '^'} ${hex(e.value)}`;
    }
    case 'other': throw new Refuse(`effect ${e.name} is not written back`);
    default: throw new Refuse('unsupported effect');
  }
}

function printAction(a: Action): string {
  switch (a.kind) {
    case 'accept': case 'drop': return a.kind;
    case 'return': return 'return';
    case 'continue': return '';
    case 'jump': case 'goto': return `${a.kind} ${a.chain}`;
    case 'reject':
      return a.with.kind === 'tcp-reset' ? 'reject with tcp reset' : `reject with ${a.with.kind} ${a.with.name.replace(/^icmp6?-/, '')}`;
    case 'queue': return 'queue';
    case 'nat': {
      const n = a.nat;
      if (n.type === 'netmap') throw new Refuse('netmap is written as snat/dnat prefix in nft');
      const addr = n.addresses ? (n.addresses.lo === n.addresses.hi ? formatValue(n.addresses.family, n.addresses.lo) : `${formatValue(n.addresses.family, n.addresses.lo)}-${formatValue(n.addresses.family, n.addresses.hi)}`) : '';
      const v6 = n.addresses?.family === 'ipv6';
      const port = n.ports ? `:${n.ports[0] === n.ports[1] ? n.ports[0] : `${n.ports[0]}-${n.ports[1]}`}` : '';
      const flags = n.flags.filter((f) => !f.startsWith('computed') && f !== 'xt');
      const tail = flags.length > 0 ? ` ${flags.join(',')}` : '';
      if (n.type === 'masquerade' || n.type === 'redirect') return `${n.type}${port ? ` to ${port}` : ''}${tail}`;
      if (!addr && !port) throw new Refuse(`${n.type} without an address`);
      return `${n.type} to ${v6 && port ? `[${addr}]` : addr}${port}${tail}`;
    }
    default: throw new Refuse(`action ${a.kind} cannot be written as one nft verdict`);
  }
}

/** The nft text of a rule in a table of family `family`, or the reason it cannot be written. */
export function printModelRule(rule: { readonly match: Match; readonly effects?: readonly Effect[]; readonly action: Action }, family: NftFamily): ModelPrint {
  try {
    const items = rule.match.kind === 'and' ? rule.match.items : [rule.match];
    const protos = items.filter((i): i is Extract<Match, { kind: 'num' }> => i.kind === 'num' && i.field === 'protocol');
    const single = protos.length === 1 && protos[0]?.set.intervals.length === 1 && protos[0].set.intervals[0]?.[0] === protos[0].set.intervals[0]?.[1] ? protos[0].set.intervals[0]?.[0] : undefined;
    const addrFam = items.find((i) => i.kind === 'addr')?.kind === 'addr' ? (items.find((i) => i.kind === 'addr') as Extract<Match, { kind: 'addr' }>).set.family : undefined;
    const famItem = items.find((i): i is Extract<Match, { kind: 'family' }> => i.kind === 'family');
    const c: Ctx = { family, proto: single, ipFamily: famItem?.family ?? addrFam };
    const implied = (i: Match): boolean => {
      if (i.kind === 'family') return family === 'ip' || family === 'ip6' || addrFam === i.family || (i.family === 'ipv4' ? single === 1 : single === 58);
      if (i.kind === 'num' && i.field === 'protocol' && single !== undefined) {
        return items.some((j) => j.kind === 'num' && (((j.field === 'sport' || j.field === 'dport') && PORT_PROTOS.has(single)) || ((j.field === 'icmpType' || j.field === 'icmpCode') && (single === 1 || single === 58))));
      }
      return false;
    };
    const parts = items.filter((i) => !implied(i)).map((i) => printAtom(i, c)).filter((x) => x !== '');
    parts.push(...(rule.effects ?? []).map(printEffect));
    const verdict = printAction(rule.action);
    if (verdict) parts.push(verdict);
    return { ok: true, text: parts.join(' ') };
  } catch (e) {
    if (e instanceof Refuse) return { ok: false, reason: e.message };
    throw e;
  }
}
