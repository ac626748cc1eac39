/**
 * fast-check arbitraries for whole nftables rulesets: one to three tables (ip, ip6, inet), each with
 * one or two base chains on the input hook at distinct priorities (named with offsets, or numbers)
 * and accept / drop policies, regular chains reached by jump / goto (forward only: no loops), named
 * sets (with `flags interval`, concatenations) and verdict maps; rules with counter, log, reject in
 * every `with` form the table's family allows, accept / drop / return. In some cases an
 * iptables-nft `filter` table (gen-ruleset.ts, loaded with iptables-restore) coexists with them.
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import { arbRuleset } from './gen-ruleset.js';
import { makeConsistent } from './gen-nft-deps.js';
import { arbNftMatch, type MatchContext } from './gen-nft-match.js';
import {
  type NamedMap, type NamedSet, type NftGenAction, type NftGenChain, type NftGenRule, type NftGenRuleset, type NftGenTable,
  type NftTableFamily, type NftVerdict, type Priority, type SetElem, type SetKey, type VmapEntry, type VmapKey, priorityValue,
} from './gen-nft-syntax.js';
import { arbAddrItem, arbConcatItem, arbPortItem, disjointAddrs, disjointConcats, disjointNums, protocolsFor } from './gen-nft-values.js';

export interface NftRulesetOptions {
  readonly ip: Family;
  readonly interfaces: readonly string[];
  /** Probability weight (0–10) of adding an iptables-nft filter table. Default 3. */
  readonly iptablesWeight?: number;
}

/** Distinct priorities, several next to each other and to the names' values. */
const PRIORITIES: readonly Priority[] = [
  { kind: 'named', name: 'filter', offset: 0 }, { kind: 'named', name: 'filter', offset: 5 }, { kind: 'named', name: 'filter', offset: -10 },
  { kind: 'named', name: 'mangle', offset: 0 }, { kind: 'named', name: 'mangle', offset: 1 }, { kind: 'named', name: 'raw', offset: 0 },
  { kind: 'named', name: 'raw', offset: -3 }, { kind: 'named', name: 'security', offset: 0 }, { kind: 'named', name: 'security', offset: 2 },
  { kind: 'num', value: -200 }, { kind: 'num', value: 10 }, { kind: 'num', value: 100 }, { kind: 'num', value: -1 }, { kind: 'num', value: 1 },
  { kind: 'num', value: -151 }, { kind: 'num', value: 49 }, { kind: 'num', value: 51 }, { kind: 'num', value: -400 },
];

const REJECT_V4 = ['host-unreachable', 'net-unreachable', 'prot-unreachable', 'port-unreachable', 'net-prohibited', 'host-prohibited', 'admin-prohibited'];
const REJECT_V6 = ['no-route', 'admin-prohibited', 'addr-unreachable', 'port-unreachable', 'policy-fail', 'reject-route'];
const REJECT_X = ['port-unreachable', 'admin-prohibited', 'no-route', 'host-unreachable'];

function rejectForms(f: NftTableFamily): string[] {
  const out = ['', 'with tcp reset'];
  if (f !== 'ip6') out.push(...REJECT_V4.map((t) => `with icmp type ${t}`));
  if (f !== 'ip') out.push(...REJECT_V6.map((t) => `with icmpv6 type ${t}`));
  if (f === 'inet') out.push(...REJECT_X.map((t) => `with icmpx type ${t}`));
  return out;
}

/** The IP version a table's family-specific matches use. */
function arbIp(f: NftTableFamily, caseIp: Family): fc.Arbitrary<Family> {
  if (f === 'ip') return fc.constant('ipv4');
  if (f === 'ip6') return fc.constant('ipv6');
  const other: Family = caseIp === 'ipv4' ? 'ipv6' : 'ipv4';
  return fc.constantFrom<Family>(caseIp, caseIp, caseIp, caseIp, caseIp, other);
}

function arbElem(key: SetKey): fc.Arbitrary<SetElem> {
  switch (key.kind) {
    case 'addr': return arbAddrItem(key.ip, 'src').map((item): SetElem => ({ kind: 'addr', item }));
    case 'port': return arbPortItem().map((item): SetElem => ({ kind: 'num', item }));
    case 'proto': return fc.constantFrom(...protocolsFor('ipv4'), 58).map((p): SetElem => ({ kind: 'num', item: [p, p] }));
    case 'concat': return arbConcatItem(key.ip).map((item): SetElem => ({ kind: 'concat', item }));
  }
}

/** Elements without overlaps (nft refuses them in named sets and maps). */
function disjoint<T extends { key: SetElem } | SetElem>(xs: readonly T[], elemOf: (x: T) => SetElem): T[] {
  const elems = xs.map(elemOf);
  const keep = new Set<SetElem>([
    ...disjointAddrs(elems.flatMap((e) => (e.kind === 'addr' ? [e.item] : []))).map((i) => elems.find((e) => e.kind === 'addr' && e.item === i) as SetElem),
    ...disjointNums(elems.flatMap((e) => (e.kind === 'num' ? [e.item] : []))).map((i) => elems.find((e) => e.kind === 'num' && e.item === i) as SetElem),
    ...disjointConcats(elems.flatMap((e) => (e.kind === 'concat' ? [e.item] : []))).map((i) => elems.find((e) => e.kind === 'concat' && e.item === i) as SetElem),
  ]);
  return xs.filter((x) => keep.has(elemOf(x)));
}

function needsInterval(e: SetElem): boolean {
  switch (e.kind) {
    case 'addr': return e.item.lo !== e.item.hi;
    case 'num': return e.item[0] !== e.item[1];
    case 'concat': return e.item[0].lo !== e.item[0].hi || e.item[1][0] !== e.item[1][1];
  }
}

function arbSetKey(ip: Family): fc.Arbitrary<SetKey> {
  return fc.constantFrom<SetKey>({ kind: 'addr', ip }, { kind: 'addr', ip }, { kind: 'port' }, { kind: 'proto' }, { kind: 'concat', ip }, { kind: 'concat', ip });
}

function arbNamedSet(name: string, ip: Family): fc.Arbitrary<NamedSet> {
  return arbSetKey(ip).chain((key) => fc.array(arbElem(key), { minLength: 1, maxLength: 5 }).map((es): NamedSet => {
    const elements = disjoint(es, (e) => e);
    return { name, key, interval: elements.some(needsInterval), elements };
  }));
}

function arbVerdict(targets: readonly string[]): fc.Arbitrary<NftVerdict> {
  const plain = fc.constantFrom<NftVerdict>({ kind: 'accept' }, { kind: 'drop' }, { kind: 'return' });
  if (targets.length === 0) return plain;
  return fc.oneof(plain, fc.tuple(fc.constantFrom<'jump' | 'goto'>('jump', 'goto'), fc.constantFrom(...targets)).map(([kind, chain]): NftVerdict => ({ kind, chain })));
}

function arbEntries(key: SetKey, targets: readonly string[]): fc.Arbitrary<VmapEntry[]> {
  return fc.array(fc.record({ key: arbElem(key), verdict: arbVerdict(targets) }), { minLength: 1, maxLength: 4 }).map((es) => disjoint(es, (e) => e.key));
}

function arbVmapKey(ip: Family, key: SetKey): VmapKey[] {
  switch (key.kind) {
    case 'addr': return [{ kind: 'addr', ip, dir: 'saddr' }];
    case 'port': return [{ kind: 'num', sel: 'tcp dport' }, { kind: 'num', sel: 'udp dport' }, { kind: 'num', sel: 'th dport' }];
    case 'proto': return [{ kind: 'num', sel: 'meta l4proto' }];
    case 'concat': return [{ kind: 'concat', ip, proto: 'tcp' }, { kind: 'concat', ip, proto: 'udp' }];
  }
}

interface TableContext extends MatchContext {
  readonly family: NftTableFamily;
  readonly maps: readonly NamedMap[];
}

function arbAction(t: TableContext, targets: readonly string[], isBase: boolean): fc.Arbitrary<NftGenAction> {
  const verdicts = fc.oneof(
    { arbitrary: fc.constantFrom<NftGenAction>({ kind: 'accept' }, { kind: 'drop' }, { kind: 'none' }, { kind: 'return' }), weight: 5 },
    { arbitrary: fc.constantFrom(...rejectForms(t.family)).map((w): NftGenAction => ({ kind: 'reject', with: w })), weight: 2 },
    ...(targets.length > 0 ? [{ arbitrary: fc.tuple(fc.constantFrom<'jump' | 'goto'>('jump', 'jump', 'goto'), fc.constantFrom(...targets)).map(([kind, chain]): NftGenAction => ({ kind, chain })), weight: 3 }] : []),
  );
  const anonVmap = fc.constantFrom<SetKey>({ kind: 'addr', ip: t.ip }, { kind: 'port' }, { kind: 'port' }, { kind: 'proto' }, { kind: 'concat', ip: t.ip })
    .chain((key) => fc.tuple(fc.constantFrom(...arbVmapKey(t.ip, key)), arbEntries(key, targets))
      .map(([k, entries]): NftGenAction => ({ kind: 'vmap', key: k, map: { kind: 'anon', entries } })));
  // Named maps may jump to any regular chain, so only base chains use them (no loops through a map).
  const named = isBase ? t.maps : [];
  const namedVmap = named.length === 0 ? undefined : fc.constantFrom(...named).chain((m) => fc.constantFrom(...arbVmapKey(m.key.kind === 'addr' || m.key.kind === 'concat' ? m.key.ip : t.ip, m.key))
    .map((k): NftGenAction => ({ kind: 'vmap', key: k, map: { kind: 'ref', name: m.name } })));
  return fc.oneof({ arbitrary: verdicts, weight: 8 }, { arbitrary: anonVmap, weight: 1 }, ...(namedVmap ? [{ arbitrary: namedVmap, weight: 1 }] : []));
}

function arbRule(t: TableContext, targets: readonly string[], isBase: boolean): fc.Arbitrary<NftGenRule> {
  return arbIp(t.family, t.ip).chain((ip) => fc.record({
    matches: fc.array(arbNftMatch({ ...t, ip }), { maxLength: 3 }),
    log: fc.constantFrom<string | null>(null, null, null, null, null, null, null, 'fw ', 'in: ', 'x'),
    counter: fc.boolean(),
    action: arbAction({ ...t, ip }, targets, isBase),
  }).map((r): NftGenRule => {
    // A counter before a verdict map counts packets whose lookup fails; the trace shows none of those.
    const counter = r.counter && r.action.kind !== 'vmap';
    return makeConsistent({ matches: r.matches, ...(r.log !== null ? { log: r.log } : {}), counter, action: r.action });
  }));
}

function calls(c: NftGenChain, target: string): boolean {
  return c.rules.some((r) => ((r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === target)
    || (r.action.kind === 'vmap' && r.action.map.kind === 'anon' && r.action.map.entries.some((e) => 'chain' in e.verdict && e.verdict.chain === target)));
}

/** Every regular chain gets a caller: an earlier chain's rule `picks` chooses becomes a jump or goto to it. */
function linkChains(chains: NftGenChain[], firstRegular: number, maps: readonly NamedMap[], picks: readonly number[]): NftGenChain[] {
  const out = chains.map((c) => ({ ...c, rules: [...c.rules] }));
  for (let k = firstRegular; k < out.length; k++) {
    const name = (out[k] as NftGenChain).name;
    const inMap = maps.some((m) => m.entries.some((e) => 'chain' in e.verdict && e.verdict.chain === name));
    if (out.some((c) => calls(c, name)) || inMap) continue;
    const pick = picks[k] ?? 0;
    const from = out[pick % k] as { rules: NftGenRule[] };
    const action: NftGenAction = { kind: pick % 3 === 2 ? 'goto' : 'jump', chain: name };
    const slot = from.rules.findIndex((r, i) => i % 2 === pick % 2 && r.action.kind !== 'vmap' && r.action.kind !== 'jump' && r.action.kind !== 'goto');
    if (slot < 0) from.rules.push({ matches: [], counter: false, action });
    else from.rules[slot] = { ...(from.rules[slot] as NftGenRule), action };
  }
  return out;
}

function arbTable(family: NftTableFamily, name: string, caseIp: Family, interfaces: readonly string[], priorities: readonly Priority[]): fc.Arbitrary<NftGenTable> {
  const ip: Family = family === 'ip' ? 'ipv4' : family === 'ip6' ? 'ipv6' : caseIp;
  return fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.boolean()).chain(([nRegular, nSets, hasMap]) => {
    const regular = Array.from({ length: nRegular }, (_, k) => `c${k}`);
    const setNames = Array.from({ length: nSets }, (_, k) => `s${k}`);
    return fc.tuple(
      fc.tuple(...setNames.map((n) => arbNamedSet(n, ip))),
      hasMap ? arbSetKey(ip).chain((key) => arbEntries(key, regular).map((entries): NamedMap[] => [{ name: 'vm', key, interval: entries.some((e) => needsInterval(e.key)), entries }])) : fc.constant<NamedMap[]>([]),
    ).chain(([sets, maps]) => {
      const t: TableContext = { family, ip, sets, maps, interfaces };
      const bases = priorities.map((priority, k) => fc.tuple(fc.array(arbRule(t, regular, true), { maxLength: 6 }), fc.constantFrom<'accept' | 'drop'>('accept', 'accept', 'drop'))
        .map(([rules, policy]): NftGenChain => ({ name: k === 0 ? 'input' : `input${k}`, base: { priority, policy }, rules })));
      const regs = regular.map((n, k) => fc.array(arbRule(t, regular.slice(k + 1), false), { minLength: 1, maxLength: 4 }).map((rules): NftGenChain => ({ name: n, rules })));
      return fc.tuple(fc.tuple(...bases, ...regs), fc.array(fc.nat(), { minLength: bases.length + regs.length, maxLength: bases.length + regs.length }))
        .map(([chains, picks]): NftGenTable => ({ family, name, sets, maps, chains: linkChains(chains, bases.length, maps, picks) }));
    });
  });
}

/** A ruleset whose packets are of family `o.ip`: at least one table sees them. */
export function arbNftRuleset(o: NftRulesetOptions): fc.Arbitrary<NftGenRuleset> {
  const own: NftTableFamily = o.ip === 'ipv4' ? 'ip' : 'ip6';
  const w = o.iptablesWeight ?? 3;
  return fc.tuple(
    fc.constantFrom<NftTableFamily>('inet', 'inet', own),
    fc.array(fc.constantFrom<NftTableFamily>('inet', 'ip', 'ip6'), { maxLength: 2 }),
    fc.integer({ min: 0, max: 9 }).map((x) => x < w),
    fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
  ).chain(([first, rest, withIptables, nBases]) => {
    const families = [first, ...rest];
    // iptables-nft's INPUT is at priority 0 (filter): native base chains avoid it when it is there.
    const pool = PRIORITIES.filter((p) => !withIptables || priorityValue(p) !== 0);
    const total = families.reduce((n, _f, i) => n + (nBases[i] ?? 1), 0);
    return fc.shuffledSubarray([...pool], { minLength: total, maxLength: total }).chain((prios) => {
      let next = 0;
      const tables = families.map((f, i) => {
        const n = nBases[i] ?? 1;
        const mine = prios.slice(next, next + n);
        next += n;
        return arbTable(f, f === 'inet' && i === 0 ? 'filter' : `t${i}`, o.ip, o.interfaces, mine);
      });
      const ipt = withIptables ? arbRuleset({ family: o.ip, interfaces: o.interfaces, maxInputRules: 6, maxUserRules: 4, maxUserChains: 2 }) : fc.constant(undefined);
      return fc.tuple(fc.tuple(...tables), ipt).map(([ts, iptables]): NftGenRuleset => ({ ip: o.ip, tables: ts, ...(iptables ? { iptables } : {}) }));
    });
  });
}
