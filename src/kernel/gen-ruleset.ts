/**
 * fast-check arbitraries for random iptables filter rulesets on the INPUT hook: user chains with
 * jump / goto / RETURN (no loops: a user chain only calls later ones), negations, interface
 * wildcards, tcp/udp ports and flags, multiport, iprange, conntrack / state, ICMP and ICMPv6
 * types, length, ttl / hl, tos, dscp, mark, comment, LOG, REJECT variants and both policies.
 * Every feature here is one the simulator models; every ruleset is one iptables-restore accepts.
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import { parseIpv6, prefixInterval } from '../model/address.js';
import {
  type CtName, type GenChain, type GenMatch, type GenProto, type GenRange, type GenRule, type GenRuleset, type GenTarget,
  CT_ORDER, TCP_FLAG_MASK,
} from './gen-syntax.js';

/** Address pools: sources come from the client range, destinations are local to the server. */
export const POOLS = {
  ipv4: { src: 0xc6120000n, dst: 0xc6130000n, hostBits: 16, lens: [32, 32, 31, 30, 28, 26, 24, 24, 20, 16, 16, 15, 8, 0] },
  ipv6: {
    src: parseIpv6('fd00:f00d:18::') as bigint,
    dst: parseIpv6('fd00:f00d:19::') as bigint,
    hostBits: 80,
    lens: [128, 128, 127, 124, 120, 112, 96, 80, 64, 64, 56, 48, 48, 32, 0],
  },
} as const;

export interface RulesetOptions {
  readonly family: Family;
  /** Interface names packets arrive on (the lab's); rules also use wildcards and `lo`. */
  readonly interfaces: readonly string[];
  readonly maxInputRules?: number;
  readonly maxUserRules?: number;
  readonly maxUserChains?: number;
}

const PORTS = [0, 1, 2, 21, 22, 23, 53, 79, 80, 81, 443, 1023, 1024, 1025, 3306, 8080, 8443, 32767, 49152, 65534, 65535];

export function poolBase(family: Family, which: 'src' | 'dst'): bigint {
  const p = POOLS[family];
  return which === 'src' ? p.src : p.dst;
}

/** A random address of a pool (the low `hostBits` bits random). */
export function arbPoolAddress(family: Family, which: 'src' | 'dst'): fc.Arbitrary<bigint> {
  const bits = POOLS[family].hostBits;
  return fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }).map((h) => poolBase(family, which) | h);
}

function arbPrefix(family: Family, dir: 's' | 'd'): fc.Arbitrary<{ value: bigint; len: number }> {
  // Mostly from the pool the field's packets come from; sometimes the other one (never matches).
  const own: 'src' | 'dst' = dir === 's' ? 'src' : 'dst';
  const other: 'src' | 'dst' = dir === 's' ? 'dst' : 'src';
  const pool = fc.constantFrom<'src' | 'dst'>(own, own, own, own, own, own, own, own, own, other);
  return fc.tuple(pool, fc.constantFrom(...POOLS[family].lens)).chain(([which, len]) =>
    arbPoolAddress(family, which).map((a) => ({ value: prefixInterval(family, a, len)[0], len })));
}

function arbRange(lo: number, hi: number, hints: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(...hints.filter((h) => h >= lo && h <= hi)), fc.integer({ min: lo, max: hi }));
}

const arbPort = arbRange(0, 65535, PORTS);

/**
 * A `--sport` / `--dport` value. iptables-nft turns `! --sport 0:N` into `--sport N+1:65535` and
 * drops `! --sport 0:65535` altogether (the rule then matches every port: an iptables-nft
 * translation quirk), so negated ranges starting at 0 are generated in their positive form, and the
 * full range (left out by iptables-save) is never generated.
 */
function arbPortRange(): fc.Arbitrary<GenRange> {
  return fc.record({ neg: fc.boolean(), a: arbPort, b: arbPort, single: fc.boolean() })
    .map(({ neg, a, b, single }): GenRange => {
      const lo = single ? a : Math.min(a, b);
      const hi = single ? a : Math.max(a, b);
      if (neg && lo === 0 && hi > 0) return hi === 65535 ? { neg: false, lo: 0, hi: 65534 } : { neg: false, lo: hi + 1, hi: 65535 };
      // iptables-save leaves out a positive full range; keep the match visible.
      if (lo === 0 && hi === 65535) return { neg, lo: 0, hi: 65534 };
      return { neg, lo, hi };
    });
}

function arbFlags(): fc.Arbitrary<{ neg: boolean; mask: number; comp: number }> {
  const syn = { mask: 0x17, comp: 0x02 };
  return fc.record({
    neg: fc.boolean(),
    pick: fc.oneof(fc.constant(syn), fc.integer({ min: 1, max: TCP_FLAG_MASK }).chain((mask) =>
      fc.integer({ min: 0, max: TCP_FLAG_MASK }).map((c) => ({ mask, comp: c & mask })))),
  }).map(({ neg, pick }) => ({ neg, ...pick }));
}

function arbMultiport(): fc.Arbitrary<GenMatch> {
  const item = fc.tuple(arbPort, arbPort, fc.boolean()).map(([a, b, single]): readonly [number, number] =>
    single || a === b ? [a, a] : [Math.min(a, b), Math.max(a, b)]);
  return fc.record({
    which: fc.constantFrom<'sports' | 'dports' | 'ports'>('dports', 'dports', 'sports', 'ports'),
    neg: fc.boolean(),
    items: fc.array(item, { minLength: 1, maxLength: 5 }),
  }).map((m) => ({ kind: 'multiport', ...m }));
}

const ICMP4_TYPES = [0, 3, 4, 5, 8, 11, 12, 13, 14, 17];
const ICMP6_TYPES = [1, 2, 3, 4, 128, 129, 130, 131, 133, 134, 135, 136];

function arbIcmp(family: Family): fc.Arbitrary<GenMatch> {
  const types = family === 'ipv4' ? ICMP4_TYPES : ICMP6_TYPES;
  return fc.record({
    neg: fc.boolean(),
    // `any` exists only for ICMP (ip6tables has no such ICMPv6 type).
    type: family === 'ipv4' ? fc.option(fc.constantFrom(...types), { freq: 6 }) : fc.constantFrom(...types),
    code: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 2 }),
  }).map(({ neg, type, code }): GenMatch => ({
    kind: 'icmp', neg, ...(type !== null ? { type } : {}), ...(type !== null && code !== null ? { code } : {}),
  }));
}

function arbIpRange(family: Family): fc.Arbitrary<GenMatch> {
  const one = (which: 'src' | 'dst'): fc.Arbitrary<{ neg: boolean; lo: bigint; hi: bigint }> =>
    fc.record({ neg: fc.boolean(), a: arbPoolAddress(family, which), w: fc.bigInt({ min: 0n, max: 4096n }) })
      .map(({ neg, a, w }) => {
        const top = poolBase(family, which) | ((1n << BigInt(POOLS[family].hostBits)) - 1n);
        return { neg, lo: a, hi: a + w > top ? top : a + w };
      });
  return fc.record({ src: fc.option(one('src')), dst: fc.option(one('dst')) })
    .map(({ src, dst }) => (src === null && dst === null ? { src: { neg: false, lo: poolBase(family, 'src'), hi: poolBase(family, 'src') + 255n } } : { src, dst }))
    .map((r): GenMatch => ({ kind: 'iprange', ...(r.src ? { src: r.src } : {}), ...(r.dst ? { dst: r.dst } : {}) }));
}

function arbGeneric(family: Family): fc.Arbitrary<GenMatch> {
  const min = family === 'ipv4' ? 20 : 40;
  const ttlHints = [0, 1, 2, 5, 63, 64, 65, 127, 128, 254, 255];
  return fc.oneof(
    { arbitrary: arbIpRange(family), weight: 2 },
    {
      arbitrary: fc.record({
        module: fc.constantFrom<'conntrack' | 'state'>('conntrack', 'state'),
        neg: fc.boolean(),
        states: fc.subarray([...CT_ORDER] as CtName[], { minLength: 1 }),
      }).map((m): GenMatch => ({ kind: 'ctstate', ...m })),
      weight: 3,
    },
    {
      arbitrary: fc.record({ neg: fc.boolean(), a: arbRange(min, 1600, [min, 40, 48, 60, 100, 1500]), w: fc.integer({ min: 0, max: 400 }) })
        .map(({ neg, a, w }): GenMatch => ({ kind: 'length', neg, lo: a, hi: Math.min(65535, a + w) })),
      weight: 2,
    },
    {
      arbitrary: fc.record({ op: fc.constantFrom<'eq' | 'lt' | 'gt'>('eq', 'lt', 'gt'), neg: fc.boolean(), value: arbRange(0, 255, ttlHints) })
        .map(({ op, neg, value }): GenMatch => ({ kind: 'ttl', op, neg: op === 'eq' && neg, value })),
      weight: 2,
    },
    {
      arbitrary: fc.record({ neg: fc.boolean(), mask: fc.constantFrom(0xff, 0x3f, 0xfc, 0x1c, 0x03, 0x10), v: fc.integer({ min: 0, max: 255 }) })
        .map(({ neg, mask, v }): GenMatch => ({ kind: 'tos', neg, value: v & mask, mask })),
      weight: 1,
    },
    {
      arbitrary: fc.record({ neg: fc.boolean(), value: arbRange(0, 63, [0, 8, 10, 46, 63]) }).map((m): GenMatch => ({ kind: 'dscp', ...m })),
      weight: 1,
    },
    {
      arbitrary: fc.record({ neg: fc.boolean(), mask: fc.constantFrom(0xffffffff, 0xff, 0xff00, 0x1), v: fc.integer({ min: 0, max: 0x7fffffff }) })
        .map(({ neg, mask, v }): GenMatch => ({ kind: 'mark', neg, value: (v & mask) >>> 0, mask })),
      weight: 1,
    },
    { arbitrary: fc.integer({ min: 1, max: 999 }).map((n): GenMatch => ({ kind: 'comment', text: `rule ${n}` })), weight: 1 },
  );
}

/** Protocol part of a rule: `-p` plus the modules that need it. */
interface ProtocolPart {
  readonly proto?: GenProto;
  readonly matches: readonly GenMatch[];
}

function arbProtocolPart(family: Family): fc.Arbitrary<ProtocolPart> {
  const icmp: GenProto = family === 'ipv4' ? 'icmp' : 'ipv6-icmp';
  const protoArb = fc.constantFrom<GenProto | null>(null, null, null, 'tcp', 'tcp', 'tcp', 'udp', 'udp', icmp, icmp, 'esp', 253);
  return fc.tuple(protoArb, fc.boolean(), fc.nat(99)).chain(([proto, negate, roll]): fc.Arbitrary<ProtocolPart> => {
    if (proto === null) return fc.constant({ matches: [] });
    const p: GenMatch = { kind: 'proto', neg: false, proto };
    if (negate && roll < 15) return fc.constant({ matches: [{ ...p, neg: true }] });
    if (proto === 'tcp' || proto === 'udp') {
      return fc.record({
        sport: fc.option(arbPortRange(), { freq: 3 }),
        dport: fc.option(arbPortRange(), { freq: 2 }),
        flags: proto === 'tcp' ? fc.option(arbFlags(), { freq: 3 }) : fc.constant(null),
        multi: fc.option(arbMultiport(), { freq: 4 }),
      }).map(({ sport, dport: dp, flags, multi }): ProtocolPart => {
        // iptables-nft 1.8.9 compiles `! --sport A ! --dport B` (single ports) into one 4-byte
        // compare, (sport, dport) != (A, B), which is not iptables' meaning; not generated.
        const bothInverted = sport?.neg === true && dp?.neg === true && sport.lo === sport.hi && dp.lo === dp.hi;
        const dport = bothInverted && dp ? { ...dp, neg: false } : dp;
        const matches: GenMatch[] = [p];
        if (sport || dport || flags) {
          matches.push({ kind: 'l4', proto, ...(sport ? { sport } : {}), ...(dport ? { dport } : {}), ...(flags ? { flags } : {}) });
        }
        if (multi) matches.push(multi);
        return { proto, matches };
      });
    }
    if (proto === icmp) return fc.option(arbIcmp(family), { freq: 4 }).map((m): ProtocolPart => ({ proto, matches: m ? [p, m] : [p] }));
    return fc.constant({ proto, matches: [p] });
  });
}

const REJECT4 = ['icmp-port-unreachable', 'icmp-port-unreachable', 'icmp-host-prohibited', 'icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-proto-unreachable', 'icmp-net-prohibited', 'icmp-admin-prohibited'];
const REJECT6 = ['icmp6-port-unreachable', 'icmp6-port-unreachable', 'icmp6-adm-prohibited', 'icmp6-no-route', 'icmp6-addr-unreachable', 'icmp6-policy-fail', 'icmp6-reject-route'];

function arbTarget(family: Family, proto: GenProto | undefined, callees: readonly string[], inUser: boolean): fc.Arbitrary<GenTarget> {
  const rejects = [...(family === 'ipv4' ? REJECT4 : REJECT6), ...(proto === 'tcp' ? ['tcp-reset', 'tcp-reset'] : [])];
  const options: { arbitrary: fc.Arbitrary<GenTarget>; weight: number }[] = [
    { arbitrary: fc.constant<GenTarget>({ kind: 'ACCEPT' }), weight: 6 },
    { arbitrary: fc.constant<GenTarget>({ kind: 'DROP' }), weight: 5 },
    { arbitrary: fc.constantFrom(...rejects).map((w): GenTarget => ({ kind: 'REJECT', with: w })), weight: 3 },
    { arbitrary: fc.constant<GenTarget>({ kind: 'RETURN' }), weight: inUser ? 3 : 1 },
    { arbitrary: fc.constantFrom('DROPPED: ', 'in: ').map((prefix): GenTarget => ({ kind: 'LOG', prefix })), weight: 2 },
    { arbitrary: fc.constant<GenTarget>({ kind: 'none' }), weight: 1 },
  ];
  if (callees.length > 0) {
    // linkUserChains guarantees every user chain a caller, so extra jumps stay moderate.
    options.push({ arbitrary: fc.constantFrom(...callees).map((chain): GenTarget => ({ kind: 'jump', chain })), weight: 2 });
    options.push({ arbitrary: fc.constantFrom(...callees).map((chain): GenTarget => ({ kind: 'goto', chain })), weight: 1 });
  }
  return fc.oneof(...options);
}

export function arbRule(o: RulesetOptions, callees: readonly string[], inUser: boolean): fc.Arbitrary<GenRule> {
  const f = o.family;
  // Mostly names packets can arrive on; sometimes ones they never do.
  const ifaces = [...o.interfaces, ...o.interfaces, 'fwo+', 'eth+', 'fwo+', 'lo', '+', 'wan0'];
  return fc.record({
    s: fc.option(fc.tuple(fc.boolean(), arbPrefix(f, 's')), { freq: 2 }),
    d: fc.option(fc.tuple(fc.boolean(), arbPrefix(f, 'd')), { freq: 2 }),
    i: fc.option(fc.tuple(fc.boolean(), fc.constantFrom(...ifaces)), { freq: 4 }),
    proto: arbProtocolPart(f),
    generic: fc.array(arbGeneric(f), { maxLength: 2 }),
    negRoll: fc.nat(9),
  }).chain(({ s, d, i, proto, generic, negRoll }) => arbTarget(f, proto.proto, callees, inUser).map((target): GenRule => {
    const matches: GenMatch[] = [];
    // `! -s 0.0.0.0/0` is refused by iptables-nft (an empty nft match), so /0 is never negated.
    if (s) matches.push({ kind: 'addr', dir: 's', neg: s[0] && negRoll < 3 && s[1].len > 0, value: s[1].value, len: s[1].len });
    if (d) matches.push({ kind: 'addr', dir: 'd', neg: d[0] && negRoll < 3 && d[1].len > 0, value: d[1].value, len: d[1].len });
    if (i) matches.push({ kind: 'iface', neg: i[0] && negRoll < 4, name: i[1] });
    matches.push(...proto.matches, ...generic);
    return { matches, target };
  }));
}

/** A whole ruleset: INPUT plus up to `maxUserChains` user chains. */
export function arbRuleset(o: RulesetOptions): fc.Arbitrary<GenRuleset> {
  const maxUser = o.maxUserChains ?? 3;
  return fc.tuple(fc.integer({ min: 0, max: maxUser }), fc.constantFrom<'ACCEPT' | 'DROP'>('ACCEPT', 'DROP')).chain(([nUser, policy]) => {
    const names = Array.from({ length: nUser }, (_, k) => `USER${k}`);
    const chainArbs = [
      fc.array(arbRule(o, names, false), { minLength: 1, maxLength: o.maxInputRules ?? 14 }).map((rules): GenChain => ({ name: 'INPUT', rules })),
      ...names.map((name, k) => fc.array(arbRule(o, names.slice(k + 1), true), { maxLength: o.maxUserRules ?? 6 }).map((rules): GenChain => ({ name, rules }))),
    ];
    return fc.tuple(fc.tuple(...chainArbs), fc.array(fc.nat(), { minLength: nUser, maxLength: nUser }))
      .map(([chains, picks]): GenRuleset => ({ family: o.family, policy, chains: linkUserChains(chains, picks) }));
  });
}

/**
 * Every user chain gets at least one caller: when nothing jumps to USERk, a rule of an earlier chain
 * (chosen by `picks[k]`) is turned into `-j USERk` (`-g` for odd picks), so user chains are walked.
 */
function linkUserChains(chains: readonly GenChain[], picks: readonly number[]): GenChain[] {
  const out = chains.map((c) => ({ ...c, rules: [...c.rules] }));
  for (let k = 1; k < out.length; k++) {
    const name = (out[k] as GenChain).name;
    const called = out.some((c) => c.rules.some((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === name));
    if (called) continue;
    // Rules that already call a chain keep their target (another chain may depend on it).
    const slots = out.slice(0, k).flatMap((c, ci) => c.rules.flatMap((r, ri) => (r.target.kind === 'jump' || r.target.kind === 'goto' ? [] : [[ci, ri] as const])));
    const pick = picks[k - 1] ?? 0;
    const target: GenRule['target'] = { kind: pick % 2 === 1 ? 'goto' : 'jump', chain: name };
    const slot = slots[pick % Math.max(1, slots.length)];
    if (!slot) {
      (out[0] as { rules: GenRule[] }).rules.push({ matches: [], target });
      continue;
    }
    const [ci, ri] = slot;
    const chain = out[ci] as { rules: GenRule[] };
    chain.rules[ri] = { ...(chain.rules[ri] as GenRule), target };
  }
  return out;
}
