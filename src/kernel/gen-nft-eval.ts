/**
 * What a generated nftables match tests, as the generator means it: a predicate over one packet
 * field (or two, for a concatenation) with the values that make it hold. Used only to aim packets
 * at rules and to collect boundary values (gen-nft-packet.ts) — the verdicts always come from the
 * kernel, so a mistake here costs coverage, never a wrong answer.
 */
import type { Family } from '../model/address.js';
import type { Packet } from '../model/packet.js';
import {
  CT_BITS, type AddrForm, type ConcatItem, type CtName, type FlagsForm, type NftGenMatch, type NftGenTable, type NumForm, type NumItem, type NumSel,
} from './gen-nft-syntax.js';
import { selMax } from './gen-nft-match.js';

export type NumField = 'sport' | 'dport' | 'length' | 'ttl' | 'icmpType' | 'icmpCode' | 'protocol';

export interface SelInfo {
  readonly field: NumField;
  /** The IP version the selector needs (its dependency), if any. */
  readonly ip?: Family;
  /** Layer-4 protocols the selector needs, if any. */
  readonly protos?: readonly number[];
  /** Packet value minus this is the selector's value (`ip6 length` is the payload length). */
  readonly offset: number;
}

export function selInfo(sel: NumSel): SelInfo {
  switch (sel) {
    case 'tcp sport': return { field: 'sport', protos: [6], offset: 0 };
    case 'tcp dport': return { field: 'dport', protos: [6], offset: 0 };
    case 'udp sport': return { field: 'sport', protos: [17], offset: 0 };
    case 'udp dport': return { field: 'dport', protos: [17], offset: 0 };
    case 'th sport': return { field: 'sport', protos: [6, 17], offset: 0 };
    case 'th dport': return { field: 'dport', protos: [6, 17], offset: 0 };
    case 'ip length': return { field: 'length', ip: 'ipv4', offset: 0 };
    case 'ip6 length': return { field: 'length', ip: 'ipv6', offset: 40 };
    case 'ip ttl': return { field: 'ttl', ip: 'ipv4', offset: 0 };
    case 'ip6 hoplimit': return { field: 'ttl', ip: 'ipv6', offset: 0 };
    case 'icmp type': return { field: 'icmpType', ip: 'ipv4', protos: [1], offset: 0 };
    case 'icmp code': return { field: 'icmpCode', ip: 'ipv4', protos: [1], offset: 0 };
    case 'icmpv6 type': return { field: 'icmpType', ip: 'ipv6', protos: [58], offset: 0 };
    case 'icmpv6 code': return { field: 'icmpCode', ip: 'ipv6', protos: [58], offset: 0 };
    case 'meta l4proto': return { field: 'protocol', offset: 0 };
    case 'ip protocol': return { field: 'protocol', ip: 'ipv4', offset: 0 };
    case 'ip6 nexthdr': return { field: 'protocol', ip: 'ipv6', offset: 0 };
  }
}

/** The intervals a numeric form accepts (before negation), and whether it is negated. */
export function numMeaning(sel: NumSel, f: NumForm, t: NftGenTable): { readonly neg: boolean; readonly ivs: readonly NumItem[] } {
  const max = selMax(sel);
  switch (f.kind) {
    case 'cmp': switch (f.op) {
      case '': case '==': return { neg: false, ivs: [[f.value, f.value]] };
      case '!=': return { neg: true, ivs: [[f.value, f.value]] };
      case '<': return { neg: false, ivs: [[0, f.value - 1]] };
      case '<=': return { neg: false, ivs: [[0, f.value]] };
      case '>': return { neg: false, ivs: [[f.value + 1, max]] };
      case '>=': return { neg: false, ivs: [[f.value, max]] };
    }
    // falls through (unreachable: every operator is handled)
    case 'range': return { neg: f.neg, ivs: [[f.lo, f.hi]] };
    case 'set': return { neg: f.neg, ivs: f.items };
    case 'ref': {
      const s = t.sets.find((x) => x.name === f.set);
      return { neg: f.neg, ivs: s ? s.elements.flatMap((e) => (e.kind === 'num' ? [e.item] : [])) : [] };
    }
  }
}

export function addrMeaning(f: AddrForm, t: NftGenTable): { readonly neg: boolean; readonly ivs: readonly (readonly [bigint, bigint])[] } {
  switch (f.kind) {
    case 'one': return { neg: f.neg, ivs: [[f.item.lo, f.item.hi]] };
    case 'set': return { neg: f.neg, ivs: f.items.map((i) => [i.lo, i.hi] as const) };
    case 'ref': {
      const s = t.sets.find((x) => x.name === f.set);
      return { neg: f.neg, ivs: s ? s.elements.flatMap((e) => (e.kind === 'addr' ? [[e.item.lo, e.item.hi] as const] : [])) : [] };
    }
  }
}

export function concatItems(m: Extract<NftGenMatch, { kind: 'concat' }>, t: NftGenTable): readonly ConcatItem[] {
  if (m.form.kind === 'set') return m.form.items;
  const name = m.form.set;
  const s = t.sets.find((x) => x.name === name);
  return s ? s.elements.flatMap((e) => (e.kind === 'concat' ? [e.item] : [])) : [];
}

export function flagsHold(f: FlagsForm, flags: number): boolean {
  switch (f.kind) {
    case 'masked': return ((flags & f.mask) === f.value) === (f.op === '==');
    case 'any': return (flags & f.mask) !== 0;
    case 'none': return (flags & f.mask) === 0;
    case 'exact': return (flags === f.value) === (f.op === '==');
    case 'set': return f.values.includes(flags) !== f.neg;
  }
}

export function ctHolds(m: Extract<NftGenMatch, { kind: 'ct' }>, state: CtName): boolean {
  const bit = CT_BITS[state];
  const bits = m.form.states.reduce((b, s) => b | CT_BITS[s], 0);
  switch (m.form.kind) {
    case 'bits': return (bit & bits) !== 0;
    case 'neq': return bit !== bits;
    case 'set': return m.form.states.includes(state) !== m.form.neg;
  }
}

export function ifaceHolds(m: Extract<NftGenMatch, { kind: 'iif' }>, name: string): boolean {
  const hit = m.names.some((n) => (n.endsWith('*') ? name.startsWith(n.slice(0, -1)) : name === n));
  return hit !== m.neg;
}

function inNums(v: number | undefined, ivs: readonly NumItem[]): boolean {
  return v !== undefined && ivs.some(([lo, hi]) => v >= lo && v <= hi);
}

/** Whether the match holds for the packet; undefined where the generator cannot tell (ct state). */
export function nftMatchHolds(m: NftGenMatch, p: Packet, t: NftGenTable): boolean | undefined {
  switch (m.kind) {
    case 'num': {
      const info = selInfo(m.sel);
      if (info.ip !== undefined && info.ip !== p.family) return false;
      if (info.protos !== undefined && !info.protos.includes(p.protocol)) return false;
      const { neg, ivs } = numMeaning(m.sel, m.form, t);
      const raw = p[info.field];
      return inNums(raw === undefined ? undefined : raw - info.offset, ivs) !== neg;
    }
    case 'addr': {
      if (m.ip !== p.family) return false;
      const { neg, ivs } = addrMeaning(m.form, t);
      const v = m.dir === 'saddr' ? p.src : p.dst;
      return ivs.some(([lo, hi]) => v >= lo && v <= hi) !== neg;
    }
    case 'flags': return p.protocol === 6 && flagsHold(m.form, p.tcpFlags);
    case 'ct': return undefined;
    case 'iif': return ifaceHolds(m, p.iif ?? '');
    case 'concat': {
      if (m.ip !== p.family || p.protocol !== (m.proto === 'tcp' ? 6 : 17)) return false;
      const hit = concatItems(m, t).some(([a, [lo, hi]]) => p.src >= a.lo && p.src <= a.hi && (p.dport ?? -1) >= lo && (p.dport ?? -1) <= hi);
      return hit !== m.neg;
    }
  }
}
