/**
 * Why a rule did not match: the first predicate that failed, with the packet's value for it
 * ("dport 22 ∉ 80,443", "src 198.18.0.5 ∉ 198.19.0.0/16", "in-interface eth1 ≠ eth0"), and what an
 * undecided rule depends on.
 */
import { describeAddresses, formatValue, type AddressSet } from '../../model/address.js';
import type { IntervalSet } from '../../model/interval-set.js';
import type { AddrField, BitsField, Match, NumField } from '../../model/match.js';
import { type Packet, formatTcpFlags } from '../../model/packet.js';
import { protocolName } from '../../model/protocol.js';
import { assertNever } from '../../model/assert-never.js';
import {
  type MatchContext, type Tri, FAILS, HOLDS, UNKNOWN, ABSENT,
  evaluateTri, numValue, bitsValue, addrValue, stateBits, effectivePktType,
} from './evaluate-match.js';

const setTexts = new WeakMap<object, string>();

/** Set descriptions are cached per set object: a trace through 50k rules must not redo them. */
function cached(key: object, make: () => string): string {
  let s = setTexts.get(key);
  if (s === undefined) {
    s = make();
    setTexts.set(key, s);
  }
  return s;
}

const NUM_NAMES: Readonly<Record<NumField, string>> = {
  protocol: 'protocol', sport: 'sport', dport: 'dport', icmpType: 'icmp-type', icmpCode: 'icmp-code',
  length: 'length', ttl: 'ttl', dscp: 'dscp', ctProto: 'ctproto', ctOrigSport: 'ctorigsrcport',
  ctOrigDport: 'ctorigdstport', ctReplSport: 'ctreplsrcport', ctReplDport: 'ctrepldstport', uid: 'uid', gid: 'gid',
};

const ADDR_NAMES: Readonly<Record<AddrField, string>> = {
  src: 'src', dst: 'dst', ctOrigSrc: 'ctorigsrc', ctOrigDst: 'ctorigdst', ctReplSrc: 'ctreplsrc', ctReplDst: 'ctrepldst',
};

function numText(field: NumField, v: number): string {
  return field === 'protocol' || field === 'ctProto' ? protocolName(v) : String(v);
}

function describeNumSet(field: NumField, s: IntervalSet<number>): string {
  return cached(s, () => {
    if (s.intervals.length === 0) return '∅';
    return s.intervals.map(([lo, hi]) => (lo === hi ? numText(field, lo) : `${numText(field, lo)}-${numText(field, hi)}`)).join(',');
  });
}

function isSingle<T>(s: IntervalSet<T>): boolean {
  const only = s.intervals[0];
  return s.intervals.length === 1 && only !== undefined && only[0] === only[1];
}

function rel(holds: boolean, single: boolean): string {
  return single ? (holds ? '=' : '≠') : holds ? '∈' : '∉';
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function bitsText(field: BitsField, v: number, mask: number, value: number, holds: boolean): string {
  if (field === 'tcpFlags') {
    const f = (x: number): string => formatTcpFlags(x) || 'none';
    return `tcp flags ${f(v)}: ${f(v & mask)} ${holds ? '=' : '≠'} ${f(value)} (mask ${f(mask)})`;
  }
  const name = field === 'tos' ? 'tos' : field;
  if (mask >>> 0 === 0xffffffff) return `${name} ${hex(v)} ${holds ? '=' : '≠'} ${hex(value)}`;
  return `${name} ${hex(v)} & ${hex(mask)} = ${hex((v & mask) >>> 0)} ${holds ? '=' : '≠'} ${hex(value)}`;
}

function upper(xs: readonly string[]): string {
  return xs.length === 0 ? '(none)' : xs.map((x) => x.toUpperCase()).join(',');
}

function addrSetText(s: AddressSet): string {
  return cached(s, () => describeAddresses(s));
}

/** Why a leaf cannot be evaluated on this packet. */
function absentText(m: Match, p: Packet, ctx: MatchContext): string {
  const proto = protocolName(p.protocol);
  const noCt = `packet has no conntrack entry (ctstate ${ctx.ctstate.toUpperCase()})`;
  switch (m.kind) {
    case 'addr':
      if (m.set.family !== p.family) return `${ADDR_NAMES[m.field]}: ${p.family} packet, ${m.set.family} addresses`;
      return `${ADDR_NAMES[m.field]}: ${noCt}`;
    case 'num':
      if (m.field === 'sport' || m.field === 'dport') return `${NUM_NAMES[m.field]}: ${proto} packet has no ports`;
      if (m.field === 'icmpType' || m.field === 'icmpCode') return `${NUM_NAMES[m.field]}: ${proto} packet is not ICMP`;
      return `${NUM_NAMES[m.field]}: ${noCt}`;
    case 'bits': return m.field === 'tcpFlags' ? `tcp flags: ${proto} packet is not TCP` : `${m.field}: ${noCt}`;
    case 'tcpOption': return `tcp option: ${proto} packet is not TCP`;
    case 'ipset': return m.members?.family !== p.family ? `set ${m.name}: ${p.family} packet, ${m.members?.family ?? '?'} set` : `set ${m.name}: ${noCt}`;
    default: return `${m.kind}: ${noCt}`;
  }
}

/** A leaf's relation to the packet: `holds` says which way it came out. */
function leafText(m: Match, p: Packet, ctx: MatchContext, holds: boolean): string {
  switch (m.kind) {
    case 'any': return 'any packet';
    case 'none': return 'no packet';
    case 'family': return `family ${p.family} ${holds ? '=' : '≠'} ${m.family}`;
    case 'addr': {
      const v = addrValue(m.field, p, ctx) ?? 0n;
      const single = m.set.set.intervals.length === 1 && isSingle(m.set.set);
      return `${ADDR_NAMES[m.field]} ${formatValue(p.family, v)} ${rel(holds, single)} ${addrSetText(m.set)}`;
    }
    case 'num': {
      const v = numValue(m.field, p, ctx);
      const name = m.field === 'ttl' && p.family === 'ipv6' ? 'hop-limit' : NUM_NAMES[m.field];
      const shown = v === undefined ? '(none)' : numText(m.field, v);
      return `${name} ${shown} ${rel(holds, isSingle(m.set))} ${describeNumSet(m.field, m.set)}`;
    }
    case 'bits': return bitsText(m.field, bitsValue(m.field, p, ctx) ?? 0, m.mask, m.value, holds);
    case 'iface': {
      const name = (m.dir === 'in' ? p.iif : p.oif) ?? '(none)';
      return `${m.dir}-interface ${name} ${holds ? '=' : '≠'} ${m.name}${m.wildcard ? '+' : ''}`;
    }
    case 'ctstate': return `ctstate ${upper(stateBits(ctx))} ${holds ? '∈' : '∉'} ${upper(m.states)}`;
    case 'ctstatus': return `ctstatus ${upper(ctx.ctstatus)} ${holds ? '∩' : '∌'} ${upper(m.statuses)}`;
    case 'ctdir': return `ctdir ORIGINAL ${holds ? '=' : '≠'} ${m.dir.toUpperCase()}`;
    case 'fragment': return holds ? 'packet is a non-first fragment' : 'packet is not a non-first fragment';
    case 'tcpOption': return `tcp option ${m.option} ${holds ? 'present' : 'absent'}`;
    case 'addrtype': {
      const a = m.field === 'src' ? p.src : p.dst;
      const types = ctx.addrTypeOf?.(p.family, a) ?? [];
      return `${m.field}-type of ${formatValue(p.family, a)}: ${upper(types)} ${holds ? '∈' : '∉'} ${upper(m.types)}`;
    }
    case 'pkttype': return `pkttype ${effectivePktType(p)} ${holds ? '=' : '≠'} ${m.type === 'unicast' ? 'host' : m.type}`;
    case 'mac': return `mac ${p.srcMac === undefined ? '(unknown)' : macText(p.srcMac)} ${holds ? '=' : '≠'} ${macText(m.value)}`;
    case 'ipset': {
      const vals = m.fields.map((f) => `${ADDR_NAMES[f]} ${formatValue(p.family, addrValue(f, p, ctx) ?? 0n)}`).join(', ');
      return `${vals} ${holds ? '∈' : '∉'} set ${m.name}`;
    }
    case 'opaque': return `${m.reason}: ${m.text}`;
    case 'and': case 'or': case 'not': return describe(m, p, ctx, !holds) ?? '';
    default: return assertNever(m);
  }
}

function macText(v: number): string {
  return v.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

/** Why `m` is undecided on this packet. */
export function unknownText(m: Match, p: Packet, ctx: MatchContext): string {
  switch (m.kind) {
    case 'opaque': return `${m.reason} (${m.text})`;
    case 'addrtype': return `addrtype needs the host's local addresses (give localAddresses)`;
    case 'ipset': return `members of ipset ${m.name} unknown (give an ipset save file)`;
    case 'mac': return 'the packet gives no source MAC';
    default: return leafText(m, p, ctx, false);
  }
}

/** Reasons of every undecided leaf under `m`, in order. */
export function unknownReasons(m: Match, p: Packet, ctx: MatchContext, out: string[] = []): string[] {
  switch (m.kind) {
    case 'and': case 'or': for (const i of m.items) unknownReasons(i, p, ctx, out); return out;
    case 'not': return unknownReasons(m.item, p, ctx, out);
    default:
      if (evaluateTri(m, p, ctx) === UNKNOWN) out.push(unknownText(m, p, ctx));
      return out;
  }
}

/**
 * Why `m` does not evaluate to `want` on this packet; undefined when it does.
 * In an `and`, the first item that fails (or is absent) is named; failing that, the first undecided one.
 */
export function describe(m: Match, p: Packet, ctx: MatchContext, want = true): string | undefined {
  const r: Tri = evaluateTri(m, p, ctx);
  if (r === (want ? HOLDS : FAILS)) return undefined;
  if (r === UNKNOWN) return `depends on ${unknownReasons(m, p, ctx).join('; ')}`;
  if (r === ABSENT && m.kind !== 'and' && m.kind !== 'or' && m.kind !== 'not') return absentText(m, p, ctx);
  switch (m.kind) {
    case 'not': return describe(m.item, p, ctx, !want);
    case 'and':
    case 'or': {
      // want=true on `and` / want=false on `or`: one item explains it. Otherwise every item does.
      const oneItem = (m.kind === 'and') === want;
      if (oneItem) {
        const bad = m.items.find((i) => { const x = evaluateTri(i, p, ctx); return x === ABSENT || x === (want ? FAILS : HOLDS); });
        return bad === undefined ? undefined : describe(bad, p, ctx, want);
      }
      return m.items.map((i) => describe(i, p, ctx, want)).filter((s) => s !== undefined).join(' and ');
    }
    default: return leafText(m, p, ctx, r === HOLDS);
  }
}

/** The first reason the rule's match did not hold, or what it depends on; undefined when it holds. */
export function explainMismatch(m: Match, p: Packet, ctx: MatchContext): string | undefined {
  return describe(m, p, ctx, true);
}

