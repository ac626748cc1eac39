/**
 * Generated nftables rulesets as `nft -f` input (the text nft 1.0.6 accepts; what it lists back may
 * be spelled differently, which is the point: the product reads the generator's spelling, and the
 * kernel's own `nft -j` listing in the second model).
 */
import { formatValue, type Family } from '../model/address.js';
import {
  type AddrForm, type AddrItem, type CtForm, type CtName, type FlagsForm, type NftGenAction, type NftGenChain, type NftGenMatch,
  type NftGenRule, type NftGenRuleset, type NftGenTable, type NftVerdict, type NumForm, type NumItem, type NumSel,
  type Priority, type SetElem, type SetKey, type VmapEntry, type VmapKey,
} from './gen-nft-syntax.js';

const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['fin', 0x01], ['syn', 0x02], ['rst', 0x04], ['psh', 0x08], ['ack', 0x10], ['urg', 0x20], ['ecn', 0x40], ['cwr', 0x80],
];

function flagList(bits: number, sep: string): string {
  if (bits === 0) return '0x0';
  return FLAG_NAMES.filter(([, b]) => (bits & b) !== 0).map(([n]) => n).join(sep);
}

const ICMP_TYPES: Readonly<Record<number, string>> = {
  0: 'echo-reply', 3: 'destination-unreachable', 4: 'source-quench', 5: 'redirect', 8: 'echo-request', 9: 'router-advertisement',
  10: 'router-solicitation', 11: 'time-exceeded', 12: 'parameter-problem', 13: 'timestamp-request', 14: 'timestamp-reply',
  15: 'info-request', 16: 'info-reply', 17: 'address-mask-request', 18: 'address-mask-reply',
};
const ICMPV6_TYPES: Readonly<Record<number, string>> = {
  1: 'destination-unreachable', 2: 'packet-too-big', 3: 'time-exceeded', 4: 'parameter-problem', 128: 'echo-request',
  129: 'echo-reply', 130: 'mld-listener-query', 131: 'mld-listener-report', 132: 'mld-listener-done', 133: 'nd-router-solicit',
  134: 'nd-router-advert', 135: 'nd-neighbor-solicit', 136: 'nd-neighbor-advert', 137: 'nd-redirect',
};
const PROTO_NAMES: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'ipv6-icmp', 50: 'esp', 47: 'gre' };

/** A numeric value the way a person would write it for this selector (names for some, numbers for others). */
function numValue(sel: NumSel, v: number, named: boolean): string {
  if (!named) return String(v);
  if (sel === 'icmp type') return ICMP_TYPES[v] ?? String(v);
  if (sel === 'icmpv6 type') return ICMPV6_TYPES[v] ?? String(v);
  if (sel === 'meta l4proto' || sel === 'ip protocol' || sel === 'ip6 nexthdr') return PROTO_NAMES[v] ?? String(v);
  return String(v);
}

/** Selectors whose single values are printed by name when they have one (ranges stay numeric). */
function usesNames(sel: NumSel): boolean {
  return sel === 'icmp type' || sel === 'icmpv6 type' || sel === 'meta l4proto' || sel === 'ip protocol' || sel === 'ip6 nexthdr';
}

function numItem(sel: NumSel, [lo, hi]: NumItem): string {
  return lo === hi ? numValue(sel, lo, usesNames(sel)) : `${lo}-${hi}`;
}

function neg(b: boolean): string {
  return b ? '!= ' : '';
}

function printNumForm(sel: NumSel, f: NumForm): string {
  switch (f.kind) {
    case 'cmp': return `${f.op === '' ? '' : `${f.op} `}${numValue(sel, f.value, usesNames(sel) && (f.op === '' || f.op === '==' || f.op === '!='))}`;
    case 'range': return `${neg(f.neg)}${f.lo}-${f.hi}`;
    case 'set': return `${neg(f.neg)}{ ${f.items.map((i) => numItem(sel, i)).join(', ')} }`;
    case 'ref': return `${neg(f.neg)}@${f.set}`;
  }
}

export function addrItem(ip: Family, a: AddrItem): string {
  if (a.len !== undefined) return `${formatValue(ip, a.lo)}/${a.len}`;
  return a.lo === a.hi ? formatValue(ip, a.lo) : `${formatValue(ip, a.lo)}-${formatValue(ip, a.hi)}`;
}

function printAddrForm(ip: Family, f: AddrForm): string {
  switch (f.kind) {
    case 'one': return `${neg(f.neg)}${addrItem(ip, f.item)}`;
    case 'set': return `${neg(f.neg)}{ ${f.items.map((i) => addrItem(ip, i)).join(', ')} }`;
    case 'ref': return `${neg(f.neg)}@${f.set}`;
  }
}

function printFlags(f: FlagsForm): string {
  switch (f.kind) {
    case 'masked':
      // nft 1.0.6 parses `x / syn` only with a list of two or more flags after the slash.
      return f.style === 'slash' && f.value !== 0 && (f.mask & (f.mask - 1)) !== 0
        ? `tcp flags ${f.op === '!=' ? '!= ' : ''}${flagList(f.value, ',')} / ${flagList(f.mask, ',')}`
        : `tcp flags & (${flagList(f.mask, '|')}) ${f.op} ${f.value === 0 ? '0' : flagList(f.value, '|')}`;
    case 'any': return `tcp flags ${flagList(f.mask, ',')}`;
    case 'none': return `tcp flags ! ${flagList(f.mask, ',')}`;
    case 'exact': return `tcp flags ${f.op} ${f.value === 0 ? '0x0' : flagList(f.value, '|')}`;
    case 'set': return `tcp flags ${neg(f.neg)}{ ${f.values.map((v) => (v === 0 ? '0x0' : flagList(v, '|'))).join(', ')} }`;
  }
}

const CT_ORDER: readonly CtName[] = ['invalid', 'established', 'related', 'new', 'untracked'];

function ctList(states: readonly CtName[], sep: string): string {
  return CT_ORDER.filter((s) => states.includes(s)).join(sep);
}

function printCt(f: CtForm): string {
  switch (f.kind) {
    case 'bits': return `ct state ${ctList(f.states, ',')}`;
    case 'neq': return `ct state != ${ctList(f.states, ',')}`;
    case 'set': return `ct state ${neg(f.neg)}{ ${ctList(f.states, ', ')} }`;
  }
}

function quote(s: string): string {
  return `"${s}"`;
}

function concatItem(ip: Family, [a, n]: readonly [AddrItem, NumItem]): string {
  return `${addrItem(ip, a)} . ${numItem('tcp dport', n)}`;
}

function selPrefix(sel: NumSel): string {
  // A bare `th` port reads bytes of any transport header (an ICMP checksum too): say which protocols.
  return sel.startsWith('th ') ? `meta l4proto { tcp, udp } ${sel}` : sel;
}

export function printMatch(m: NftGenMatch): string {
  switch (m.kind) {
    case 'num': return `${selPrefix(m.sel)} ${printNumForm(m.sel, m.form)}`;
    case 'addr': return `${m.ip === 'ipv4' ? 'ip' : 'ip6'} ${m.dir} ${printAddrForm(m.ip, m.form)}`;
    case 'flags': return printFlags(m.form);
    case 'ct': return printCt(m.form);
    case 'iif': return m.names.length === 1
      ? `iifname ${neg(m.neg)}${quote(m.names[0] as string)}`
      : `iifname ${neg(m.neg)}{ ${m.names.map(quote).join(', ')} }`;
    case 'concat': {
      const key = `${m.ip === 'ipv4' ? 'ip' : 'ip6'} saddr . ${m.proto} dport`;
      return m.form.kind === 'ref'
        ? `${key} ${neg(m.neg)}@${m.form.set}`
        : `${key} ${neg(m.neg)}{ ${m.form.items.map((i) => concatItem(m.ip, i)).join(', ')} }`;
    }
  }
}

function printVerdict(v: NftVerdict): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind;
}

function vmapKey(k: VmapKey): string {
  switch (k.kind) {
    case 'num': return selPrefix(k.sel);
    case 'addr': return `${k.ip === 'ipv4' ? 'ip' : 'ip6'} ${k.dir}`;
    case 'concat': return `${k.ip === 'ipv4' ? 'ip' : 'ip6'} saddr . ${k.proto} dport`;
  }
}

/** An element of a set or map whose key is `key`. */
export function printElem(key: SetKey, e: SetElem): string {
  switch (e.kind) {
    case 'addr': return addrItem(key.kind === 'addr' || key.kind === 'concat' ? key.ip : 'ipv4', e.item);
    case 'num': return numItem(key.kind === 'proto' ? 'meta l4proto' : 'tcp dport', e.item);
    case 'concat': return concatItem(key.kind === 'concat' || key.kind === 'addr' ? key.ip : 'ipv4', e.item);
  }
}

function entries(key: SetKey, es: readonly VmapEntry[]): string {
  return es.map((e) => `${printElem(key, e.key)} : ${printVerdict(e.verdict)}`).join(', ');
}

/** The set key a verdict map's lookup expression has. */
export function vmapSetKey(k: VmapKey): SetKey {
  switch (k.kind) {
    case 'num': return k.sel === 'meta l4proto' || k.sel === 'ip protocol' || k.sel === 'ip6 nexthdr' ? { kind: 'proto' } : { kind: 'port' };
    case 'addr': return { kind: 'addr', ip: k.ip };
    case 'concat': return { kind: 'concat', ip: k.ip };
  }
}

function printAction(a: NftGenAction): string {
  switch (a.kind) {
    case 'accept': case 'drop': case 'return': case 'jump': case 'goto': return printVerdict(a);
    case 'reject': return a.with === '' ? 'reject' : `reject ${a.with}`;
    case 'none': return '';
    case 'vmap': return a.map.kind === 'ref'
      ? `${vmapKey(a.key)} vmap @${a.map.name}`
      : `${vmapKey(a.key)} vmap { ${entries(vmapSetKey(a.key), a.map.entries)} }`;
  }
}

export function printNftRule(r: NftGenRule): string {
  const parts = r.matches.map(printMatch);
  if (r.action.kind === 'reject' && r.action.with === 'with tcp reset') parts.push('meta l4proto tcp');
  if (r.log !== undefined) parts.push(`log prefix ${quote(r.log)}`);
  if (r.counter) parts.push('counter');
  const act = printAction(r.action);
  if (act !== '') parts.push(act);
  return parts.length === 0 ? 'counter' : parts.join(' ');
}

function printPriority(p: Priority): string {
  if (p.kind === 'num') return String(p.value);
  return p.offset === 0 ? p.name : `${p.name} ${p.offset < 0 ? '-' : '+'} ${Math.abs(p.offset)}`;
}

export function keyType(k: SetKey): string {
  switch (k.kind) {
    case 'addr': return k.ip === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr';
    case 'port': return 'inet_service';
    case 'proto': return 'inet_proto';
    case 'concat': return `${k.ip === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'} . inet_service`;
  }
}

function printChain(c: NftGenChain): string[] {
  const lines = [`\tchain ${c.name} {`];
  if (c.base) lines.push(`\t\ttype filter hook input priority ${printPriority(c.base.priority)}; policy ${c.base.policy};`);
  for (const r of c.rules) lines.push(`\t\t${printNftRule(r)}`);
  lines.push('\t}');
  return lines;
}

export function printNftTable(t: NftGenTable): string {
  const lines = [`table ${t.family} ${t.name} {`];
  for (const s of t.sets) {
    const elems = s.elements.map((e) => printElem(s.key, e)).join(', ');
    lines.push(`\tset ${s.name} {`, `\t\ttype ${keyType(s.key)}`, ...(s.interval ? ['\t\tflags interval'] : []),
      ...(elems ? [`\t\telements = { ${elems} }`] : []), '\t}');
  }
  for (const m of t.maps) {
    lines.push(`\tmap ${m.name} {`, `\t\ttype ${keyType(m.key)} : verdict`, ...(m.interval ? ['\t\tflags interval'] : []),
      ...(m.entries.length > 0 ? [`\t\telements = { ${entries(m.key, m.entries)} }`] : []), '\t}');
  }
  for (const c of t.chains) lines.push(...printChain(c));
  lines.push('}');
  return lines.join('\n');
}

/** The native tables as `nft -f` text (the iptables-nft part, if any, is printed by gen-syntax.ts). */
export function printNftRuleset(rs: NftGenRuleset): string {
  return `${rs.tables.map(printNftTable).join('\n')}\n`;
}
