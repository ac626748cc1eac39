/**
 * fast-check arbitraries for one nftables match: addresses (prefix, range, single, anonymous and
 * named sets, `!=`), ports (`tcp` / `udp` / `th`, comparisons, ranges, sets), `meta l4proto` /
 * `ip protocol` / `ip6 nexthdr`, `ip length` / `ip6 length`, `ip ttl` / `ip6 hoplimit`, ICMP and
 * ICMPv6 types and codes, every `tcp flags` form, `ct state` forms, `iifname` with wildcards and
 * sets, and `ip saddr . tcp dport` concatenations.
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import {
  type CmpOp, type CtName, type NamedSet, type NftGenMatch, type NumForm, type NumItem, type NumSel,
} from './gen-nft-syntax.js';
import {
  FLAG_MASKS, FLAG_VALUES, ICMPV6_TYPES, ICMP_TYPES, arbAddrItem, arbConcatItem, arbPort, arbPortItem, disjointAddrs,
  disjointConcats, disjointNums, ifaceNames, protocolsFor,
} from './gen-nft-values.js';

export interface MatchContext {
  /** The IP version the rule's family-specific matches use. */
  readonly ip: Family;
  readonly sets: readonly NamedSet[];
  readonly interfaces: readonly string[];
}

/** Largest value of a selector's field. */
export function selMax(sel: NumSel): number {
  if (sel.endsWith('port') || sel.endsWith('length')) return 65535;
  return 255;
}

function arbNumForm(sel: NumSel, value: fc.Arbitrary<number>, item: fc.Arbitrary<NumItem>, refs: readonly string[]): fc.Arbitrary<NumForm> {
  const max = selMax(sel);
  const cmp = fc.tuple(fc.constantFrom<CmpOp>('', '', '==', '!=', '!=', '<', '>', '<=', '>='), value).map(([op, v]): NumForm => {
    // `< 0` and `> max` would match nothing; nft takes them, but they say nothing about boundaries.
    if (op === '<' && v === 0) return { kind: 'cmp', op: '<=', value: v };
    if (op === '>' && v === max) return { kind: 'cmp', op: '>=', value: v };
    return { kind: 'cmp', op, value: v };
  });
  // A one-value item is written as a plain comparison (nft lists `22-22` as `22` anyway).
  const range = fc.tuple(fc.boolean(), item).map(([neg, [lo, hi]]): NumForm => (lo < hi ? { kind: 'range', neg, lo, hi } : { kind: 'cmp', op: neg ? '!=' : '', value: lo }));
  const set = fc.tuple(fc.boolean(), fc.array(item, { minLength: 1, maxLength: 4 })).map(([neg, items]): NumForm => ({ kind: 'set', neg, items: disjointNums(items) }));
  const arbs: fc.WeightedArbitrary<NumForm>[] = [{ arbitrary: cmp, weight: 4 }, { arbitrary: range, weight: 2 }, { arbitrary: set, weight: 2 }];
  if (refs.length > 0) arbs.push({ arbitrary: fc.tuple(fc.boolean(), fc.constantFrom(...refs)).map(([neg, s]): NumForm => ({ kind: 'ref', neg, set: s })), weight: 2 });
  return fc.oneof(...arbs);
}

function setsKeyed(c: MatchContext, kind: 'addr' | 'port' | 'proto' | 'concat'): string[] {
  return c.sets.filter((s) => s.key.kind === kind && (s.key.kind === 'port' || s.key.kind === 'proto' || s.key.ip === c.ip)).map((s) => s.name);
}

function arbAddrMatch(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  return fc.constantFrom<'saddr' | 'daddr'>('saddr', 'saddr', 'daddr').chain((dir) => {
    const own = dir === 'saddr' ? 'src' : 'dst';
    const refs = setsKeyed(c, 'addr');
    const forms: fc.WeightedArbitrary<NftGenMatch>[] = [
      { arbitrary: fc.tuple(fc.boolean(), arbAddrItem(c.ip, own)).map(([neg, item]): NftGenMatch => ({ kind: 'addr', ip: c.ip, dir, form: { kind: 'one', neg, item } })), weight: 4 },
      {
        arbitrary: fc.tuple(fc.boolean(), fc.array(arbAddrItem(c.ip, own), { minLength: 1, maxLength: 4 }))
          .map(([neg, items]): NftGenMatch => ({ kind: 'addr', ip: c.ip, dir, form: { kind: 'set', neg, items: disjointAddrs(items) } })),
        weight: 2,
      },
    ];
    if (refs.length > 0) forms.push({ arbitrary: fc.tuple(fc.boolean(), fc.constantFrom(...refs)).map(([neg, set]): NftGenMatch => ({ kind: 'addr', ip: c.ip, dir, form: { kind: 'ref', neg, set } })), weight: 2 });
    return fc.oneof(...forms);
  });
}

function arbPortMatch(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  const sels: NumSel[] = ['tcp dport', 'tcp dport', 'tcp sport', 'udp dport', 'udp sport', 'th dport'];
  return fc.constantFrom(...sels).chain((sel) => arbNumForm(sel, arbPort, arbPortItem(), setsKeyed(c, 'port')).map((form): NftGenMatch => ({ kind: 'num', sel, form })));
}

function arbProtoMatch(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  const sels: NumSel[] = ['meta l4proto', 'meta l4proto', c.ip === 'ipv4' ? 'ip protocol' : 'ip6 nexthdr'];
  const value = fc.constantFrom(...protocolsFor(c.ip));
  const item = value.map((v): NumItem => [v, v]);
  return fc.constantFrom(...sels).chain((sel) => arbNumForm(sel, value, item, setsKeyed(c, 'proto')).map((form): NftGenMatch => ({ kind: 'num', sel, form })));
}

function arbHeaderMatch(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  const sels: NumSel[] = c.ip === 'ipv4' ? ['ip length', 'ip ttl'] : ['ip6 length', 'ip6 hoplimit'];
  return fc.constantFrom(...sels).chain((sel) => {
    const isLen = sel.endsWith('length');
    const base = isLen ? (sel === 'ip6 length' ? [0, 8, 20, 32, 40, 100, 1000, 1460] : [20, 28, 40, 41, 60, 100, 576, 1000, 1500]) : [0, 1, 2, 63, 64, 65, 128, 254, 255];
    const value = fc.oneof({ arbitrary: fc.constantFrom(...base), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: isLen ? 1500 : 255 }), weight: 1 });
    const item = fc.tuple(value, fc.constantFrom(0, 1, 5, 40, 200)).map(([lo, w]): NumItem => [lo, Math.min(selMax(sel), lo + w)]);
    return arbNumForm(sel, value, item, []).map((form): NftGenMatch => ({ kind: 'num', sel, form }));
  });
}

function arbIcmpMatch(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  const v4 = c.ip === 'ipv4';
  const types = v4 ? ICMP_TYPES : ICMPV6_TYPES;
  const typeSel: NumSel = v4 ? 'icmp type' : 'icmpv6 type';
  const codeSel: NumSel = v4 ? 'icmp code' : 'icmpv6 code';
  const typeValue = fc.constantFrom(...types);
  const codeValue = fc.constantFrom(0, 0, 1, 3, 4, 6, 13);
  return fc.oneof(
    { arbitrary: arbNumForm(typeSel, typeValue, typeValue.map((v): NumItem => [v, v]), []).map((form): NftGenMatch => ({ kind: 'num', sel: typeSel, form })), weight: 3 },
    { arbitrary: arbNumForm(codeSel, codeValue, codeValue.map((v): NumItem => [v, v]), []).map((form): NftGenMatch => ({ kind: 'num', sel: codeSel, form })), weight: 1 },
  );
}

const arbFlags: fc.Arbitrary<NftGenMatch> = fc.oneof(
  fc.tuple(fc.constantFrom<'==' | '!='>('==', '==', '!='), fc.constantFrom(...FLAG_MASKS), fc.constantFrom(...FLAG_VALUES), fc.constantFrom<'amp' | 'slash'>('amp', 'slash'))
    .map(([op, mask, v, style]): NftGenMatch => ({ kind: 'flags', form: { kind: 'masked', op, mask, value: v & mask, style } })),
  fc.constantFrom(...FLAG_MASKS).filter((m) => m !== 0xff).map((mask): NftGenMatch => ({ kind: 'flags', form: { kind: 'any', mask } })),
  fc.constantFrom(...FLAG_MASKS).filter((m) => m !== 0xff).map((mask): NftGenMatch => ({ kind: 'flags', form: { kind: 'none', mask } })),
  fc.tuple(fc.constantFrom<'==' | '!='>('==', '!='), fc.constantFrom(...FLAG_VALUES)).map(([op, value]): NftGenMatch => ({ kind: 'flags', form: { kind: 'exact', op, value } })),
  fc.tuple(fc.boolean(), fc.uniqueArray(fc.constantFrom(...FLAG_VALUES.filter((v) => v !== 0)), { minLength: 2, maxLength: 3 }))
    .map(([neg, values]): NftGenMatch => ({ kind: 'flags', form: { kind: 'set', neg, values } })),
);

const CT_NAMES: readonly CtName[] = ['invalid', 'established', 'related', 'new', 'untracked'];

const arbCt: fc.Arbitrary<NftGenMatch> = fc.tuple(fc.constantFrom('bits', 'bits', 'neq', 'set', 'set'), fc.boolean(), fc.uniqueArray(fc.constantFrom(...CT_NAMES), { minLength: 1, maxLength: 3 }))
  .map(([kind, neg, states]): NftGenMatch => ({
    kind: 'ct', form: kind === 'set' ? { kind: 'set', neg, states } : kind === 'neq' ? { kind: 'neq', states } : { kind: 'bits', states },
  }));

function arbIif(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  const names = ifaceNames(c.interfaces);
  return fc.tuple(fc.boolean(), fc.oneof({ arbitrary: fc.constantFrom(...names).map((n) => [n]), weight: 3 }, { arbitrary: fc.uniqueArray(fc.constantFrom(...names), { minLength: 2, maxLength: 3 }), weight: 1 }))
    .map(([neg, ns]): NftGenMatch => ({ kind: 'iif', neg, names: ns }));
}

function arbConcat(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  const refs = setsKeyed(c, 'concat');
  const proto = fc.constantFrom<'tcp' | 'udp'>('tcp', 'tcp', 'udp');
  const anon = fc.tuple(proto, fc.boolean(), fc.array(arbConcatItem(c.ip), { minLength: 1, maxLength: 3 }))
    .map(([p, neg, items]): NftGenMatch => ({ kind: 'concat', ip: c.ip, proto: p, neg, form: { kind: 'set', items: disjointConcats(items) } }));
  if (refs.length === 0) return anon;
  const named = fc.tuple(proto, fc.boolean(), fc.constantFrom(...refs)).map(([p, neg, set]): NftGenMatch => ({ kind: 'concat', ip: c.ip, proto: p, neg, form: { kind: 'ref', set } }));
  return fc.oneof(anon, named, named);
}

export function arbNftMatch(c: MatchContext): fc.Arbitrary<NftGenMatch> {
  return fc.oneof(
    { arbitrary: arbAddrMatch(c), weight: 4 },
    { arbitrary: arbPortMatch(c), weight: 3 },
    { arbitrary: arbProtoMatch(c), weight: 2 },
    { arbitrary: arbHeaderMatch(c), weight: 2 },
    { arbitrary: arbIcmpMatch(c), weight: 2 },
    { arbitrary: arbFlags, weight: 2 },
    { arbitrary: arbCt, weight: 2 },
    { arbitrary: arbIif(c), weight: 2 },
    { arbitrary: arbConcat(c), weight: 1 },
  );
}
