/**
 * Matches whose answer depends on traffic history or on kernel state, kept opaque: limit,
 * hashlimit, recent, connlimit, connbytes, quota, statistic, nfacct, rateest. Their options are
 * read and checked, and printed in the canonical iptables-save form.
 */
import { type ArgResult, type MatchSpec, bad, flag, get, has, ok, option } from '../extension.js';
import { exclusive, needs, oneOf, opaqueMatchSpec, requireSome, text } from '../ext-helpers.js';
import { formatAddressSpec } from '../print-rule.js';
import { quoteArg } from '../tokenize.js';
import type { AddressSpec, ExtInstance, IpFamily } from '../syntax.js';
import { familyBits, readCidr, readU64, readUint, uint } from '../values.js';

const UNITS: ReadonlyArray<readonly [string, number]> = [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]];

/** `n[/unit]` with unit any prefix of second, minute, hour, day → the kernel's period (scale·unit/n). */
function readRate(textArg: string, scale: number): ArgResult<number> {
  const slash = textArg.indexOf('/');
  let mult = 1;
  if (slash >= 0) {
    const u = textArg.slice(slash + 1).toLowerCase();
    const unit = u.length > 0 ? UNITS.find(([n]) => n.startsWith(u)) : undefined;
    if (unit === undefined) return bad(`bad rate '${textArg}': expected n/second, n/minute, n/hour or n/day`);
    mult = unit[1];
  }
  const n = readUint(slash < 0 ? textArg : textArg.slice(0, slash), 1, 0xffffffff);
  if (n === undefined) return bad(`bad rate '${textArg}': expected a positive number before '/'`);
  const period = Math.floor((scale * mult) / n);
  if (period === 0) return bad(`rate too fast: '${textArg}'`);
  return ok(period);
}

/** The kernel period back to the `n/unit` iptables-save prints (libxtables' print_rate). */
function showRate(period: number, scale: number): string {
  const rates: ReadonlyArray<readonly [string, number]> = [['day', scale * 86400], ['hour', scale * 3600], ['min', scale * 60], ['sec', scale]];
  let i = 1;
  for (; i < rates.length; i++) {
    const m = (rates[i] as readonly [string, number])[1];
    if (period > m || Math.floor(m / period) < m % period) break;
  }
  const [name, m] = rates[i - 1] as readonly [string, number];
  return `${Math.floor(m / period)}/${name}`;
}

const LIMIT_SCALE = 10000;

export const limit: MatchSpec = opaqueMatchSpec({
  name: 'limit',
  reason: 'rate limit: whether it matches depends on the packet rate',
  options: [
    option<number>({ name: 'limit', args: 1, parse: (a) => readRate(a[0] ?? '', LIMIT_SCALE), show: (p) => showRate(p, LIMIT_SCALE) }),
    option<number>({ name: 'limit-burst', args: 1, parse: uint(0, 10000, 'a burst'), show: (b) => (b === 5 ? undefined : String(b)) }),
  ],
  print(inst) {
    const l = get<number>(inst, 'limit');
    const b = get<number>(inst, 'limit-burst');
    const rate = showRate(l?.value ?? Math.floor((LIMIT_SCALE * 3600) / 3), LIMIT_SCALE);
    return `--limit ${rate}${b && b.value !== 5 ? ` --limit-burst ${b.value}` : ''}`;
  },
});

const HL_SCALE = 1_000_000;

interface HlRate {
  /** Packet mode: the kernel period; byte mode: the rate as written (`4kb/s`). */
  readonly period?: number;
  readonly bytes?: string;
}

function readHlRate(args: readonly string[]): ArgResult<HlRate> {
  const a = args[0] ?? '';
  if (/^\d+[kmg]?b\/s$/i.test(a)) return ok({ bytes: a.toLowerCase() });
  const r = readRate(a, HL_SCALE);
  return r.ok ? ok({ period: r.value }) : r;
}

const showHlRate = (r: HlRate): string => r.bytes ?? showRate(r.period ?? 1, HL_SCALE);
const HL_MODES = ['srcip', 'srcport', 'dstip', 'dstport'] as const;

export const hashlimit: MatchSpec = opaqueMatchSpec({
  name: 'hashlimit',
  reason: 'per-flow rate limit: whether it matches depends on the packet rate',
  options: [
    option<HlRate>({ name: 'hashlimit-upto', aliases: ['hashlimit'], args: 1, parse: readHlRate, show: showHlRate }),
    option<HlRate>({ name: 'hashlimit-above', args: 1, parse: readHlRate, show: showHlRate }),
    option<string>({ name: 'hashlimit-burst', args: 1, parse: (a) => (/^\d+([kmg]?b)?$/i.test(a[0] ?? '') ? ok((a[0] ?? '').toLowerCase()) : bad(`expected a burst (a number, or bytes like 400kb), got '${a[0]}'`)) }),
    option<string[]>({
      name: 'hashlimit-mode', args: 1,
      parse: (a) => {
        const parts = (a[0] ?? '').split(',');
        const badPart = parts.find((p) => !(HL_MODES as readonly string[]).includes(p));
        return badPart === undefined ? ok(HL_MODES.filter((m) => parts.includes(m))) : bad(`unknown mode '${badPart}': expected srcip, srcport, dstip, dstport`);
      },
      show: (v) => v.join(','),
    }),
    option<string>({ name: 'hashlimit-name', args: 1, parse: text(255, 'the name') }),
    option<number>({ name: 'hashlimit-htable-size', args: 1, parse: uint(0, 0xffffffff), show: (n) => (n === 0 ? undefined : String(n)) }),
    option<number>({ name: 'hashlimit-htable-max', args: 1, parse: uint(0, 0xffffffff), show: (n) => (n === 0 ? undefined : String(n)) }),
    option<number>({ name: 'hashlimit-htable-gcinterval', args: 1, parse: uint(0, 0xffffffff), show: (n) => (n === 1000 ? undefined : String(n)) }),
    option<number>({ name: 'hashlimit-htable-expire', args: 1, parse: uint(0, 0xffffffff), show: (n) => (n === 10000 ? undefined : String(n)) }),
    option<number>({ name: 'hashlimit-srcmask', args: 1, parse: uint(0, 128) }),
    option<number>({ name: 'hashlimit-dstmask', args: 1, parse: uint(0, 128) }),
    flag('hashlimit-rate-match'),
    option<number>({ name: 'hashlimit-rate-interval', args: 1, parse: uint(1, 0xffffffff), show: (n) => (n === 1 ? undefined : String(n)) }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['hashlimit-upto', 'hashlimit-above'])) exclusive(inst, ctx, ['hashlimit-upto', 'hashlimit-above']);
    requireSome(inst, ctx, ['hashlimit-name']);
    const bits = familyBits(ctx.family);
    for (const n of ['hashlimit-srcmask', 'hashlimit-dstmask']) {
      const m = get<number>(inst, n);
      if (m && m.value > bits) ctx.error('iptables/invalid-value', `hashlimit --${n}: expected a prefix length in 0-${bits}`, m.span);
    }
  },
  print: (inst, family) => printHashlimit(inst, family),
});

function printHashlimit(inst: ExtInstance, family: IpFamily): string {
  const parts: string[] = [];
  const above = get<HlRate>(inst, 'hashlimit-above');
  const rate = above ?? get<HlRate>(inst, 'hashlimit-upto');
  parts.push(`--hashlimit-${above ? 'above' : 'upto'} ${rate ? showHlRate(rate.value) : '0'}`);
  const burst = get<string>(inst, 'hashlimit-burst');
  if (rate?.value.bytes === undefined) parts.push(`--hashlimit-burst ${burst?.value ?? '5'}`);
  else if (burst) parts.push(`--hashlimit-burst ${burst.value}`);
  const mode = get<string[]>(inst, 'hashlimit-mode');
  if (mode && mode.value.length > 0) parts.push(`--hashlimit-mode ${mode.value.join(',')}`);
  const name = get<string>(inst, 'hashlimit-name');
  parts.push(`--hashlimit-name ${name?.value ?? ''}`);
  const defaults: Readonly<Record<string, number>> = {
    'hashlimit-htable-size': 0, 'hashlimit-htable-max': 0, 'hashlimit-htable-gcinterval': 1000, 'hashlimit-htable-expire': 10000,
  };
  for (const [n, d] of Object.entries(defaults)) {
    const v = get<number>(inst, n);
    if (v && v.value !== d) parts.push(`--${n} ${v.value}`);
  }
  const bits = familyBits(family);
  for (const n of ['hashlimit-srcmask', 'hashlimit-dstmask']) {
    const v = get<number>(inst, n);
    if (v && v.value !== bits) parts.push(`--${n} ${v.value}`);
  }
  if (has(inst, 'hashlimit-rate-match')) {
    parts.push('--hashlimit-rate-match');
    const iv = get<number>(inst, 'hashlimit-rate-interval');
    if (iv && iv.value !== 1) parts.push(`--hashlimit-rate-interval ${iv.value}`);
  }
  return parts.join(' ');
}

const RECENT_MODES = ['set', 'rcheck', 'update', 'remove'];

export const recent: MatchSpec = opaqueMatchSpec({
  name: 'recent',
  reason: 'recent list: whether it matches depends on earlier packets',
  options: [
    flag('set', true), flag('rcheck', true), flag('update', true), flag('remove', true),
    option<number>({ name: 'seconds', args: 1, parse: uint(1, 0xffffffff, 'a number of seconds') }),
    flag('reap'),
    option<number>({ name: 'hitcount', args: 1, parse: uint(1, 65535, 'a hit count') }),
    flag('rttl'),
    option<string>({ name: 'name', args: 1, parse: text(199, 'the list name') }),
    option<AddressSpec>({
      name: 'mask', args: 1,
      parse: (a, ctx) => {
        const r = readCidr(a[0] ?? '', ctx.family);
        return r.ok ? ok({ family: ctx.family, value: r.value.value, mask: r.value.mask }) : r;
      },
    }),
    flag('rsource'), flag('rdest'),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, RECENT_MODES, 'recent: expected one of --set, --rcheck, --update, --remove')) exclusive(inst, ctx, RECENT_MODES);
    exclusive(inst, ctx, ['rsource', 'rdest']);
    needs(inst, ctx, 'reap', 'seconds');
    if (has(inst, 'rttl') && !has(inst, 'rcheck') && !has(inst, 'update')) {
      ctx.error('iptables/conflicting-options', 'recent: --rttl only works with --rcheck or --update');
    }
    if ((has(inst, 'seconds') || has(inst, 'hitcount')) && (has(inst, 'set') || has(inst, 'remove'))) {
      ctx.error('iptables/conflicting-options', 'recent: --seconds and --hitcount only work with --rcheck or --update');
    }
  },
  print(inst, family) {
    const parts: string[] = [];
    for (const m of RECENT_MODES) {
      const o = get(inst, m);
      if (o) parts.push(`${o.invert ? '! ' : ''}--${m}`);
    }
    const sec = get<number>(inst, 'seconds');
    if (sec) parts.push(`--seconds ${sec.value}`);
    if (has(inst, 'reap')) parts.push('--reap');
    const hc = get<number>(inst, 'hitcount');
    if (hc) parts.push(`--hitcount ${hc.value}`);
    if (has(inst, 'rttl')) parts.push('--rttl');
    parts.push(`--name ${get<string>(inst, 'name')?.value ?? 'DEFAULT'}`);
    const mask = get<AddressSpec>(inst, 'mask');
    const full = family === 'ipv4' ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    parts.push(`--mask ${mask ? formatAddressSpec({ ...mask.value, prefix: familyBits(family) }).replace(/\/\d+$/, '') : full}`);
    parts.push(has(inst, 'rdest') ? '--rdest' : '--rsource');
    return parts.join(' ');
  },
});

export const connlimit: MatchSpec = opaqueMatchSpec({
  name: 'connlimit',
  reason: 'connection limit: depends on the connections the host is tracking',
  options: [
    option<number>({ name: 'connlimit-upto', args: 1, parse: uint(0, 0xffffffff, 'a connection count') }),
    option<number>({ name: 'connlimit-above', args: 1, parse: uint(0, 0xffffffff, 'a connection count') }),
    option<number>({ name: 'connlimit-mask', args: 1, parse: uint(0, 128, 'a prefix length') }),
    flag('connlimit-saddr'), flag('connlimit-daddr'),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['connlimit-upto', 'connlimit-above'])) exclusive(inst, ctx, ['connlimit-upto', 'connlimit-above']);
    exclusive(inst, ctx, ['connlimit-saddr', 'connlimit-daddr']);
    const m = get<number>(inst, 'connlimit-mask');
    if (m && m.value > familyBits(ctx.family)) ctx.error('iptables/invalid-value', `connlimit --connlimit-mask: expected 0-${familyBits(ctx.family)}`, m.span);
  },
  print(inst, family) {
    const up = get<number>(inst, 'connlimit-upto');
    const above = get<number>(inst, 'connlimit-above');
    const head = up ? `--connlimit-upto ${up.value}` : `--connlimit-above ${above?.value ?? 0}`;
    const mask = get<number>(inst, 'connlimit-mask')?.value ?? familyBits(family);
    return `${head} --connlimit-mask ${mask} ${has(inst, 'connlimit-daddr') ? '--connlimit-daddr' : '--connlimit-saddr'}`;
  },
});

const U64_MAX = 0xffffffffffffffffn;

export const connbytes: MatchSpec = opaqueMatchSpec({
  name: 'connbytes',
  reason: 'connection byte/packet counters are not known offline',
  options: [
    option<readonly [bigint, bigint]>({
      name: 'connbytes', args: 1, invert: true,
      parse: (a) => {
        const s = a[0] ?? '';
        const colon = s.indexOf(':');
        const lo = colon < 0 ? readU64(s) : colon === 0 ? 0n : readU64(s.slice(0, colon));
        const hiText = colon < 0 ? '' : s.slice(colon + 1);
        const hi = hiText === '' ? U64_MAX : readU64(hiText);
        if (lo === undefined || hi === undefined) return bad(`expected a range of 64-bit counters (a:b), got '${s}'`);
        if (lo > hi) return bad(`the range ${s} is empty: its start is above its end`);
        return ok([lo, hi] as const);
      },
      show: ([lo, hi]) => (hi === U64_MAX ? String(lo) : `${lo}:${hi}`),
    }),
    option<string>({ name: 'connbytes-mode', args: 1, parse: oneOf(['packets', 'bytes', 'avgpkt'], 'a mode', true) }),
    option<string>({ name: 'connbytes-dir', args: 1, parse: oneOf(['original', 'reply', 'both'], 'a direction', true) }),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['connbytes']);
    requireSome(inst, ctx, ['connbytes-mode']);
    requireSome(inst, ctx, ['connbytes-dir']);
  },
});

export const quota: MatchSpec = opaqueMatchSpec({
  name: 'quota',
  reason: 'byte quota: depends on the traffic already counted',
  options: [
    option<bigint>({
      name: 'quota', args: 1, invert: true,
      parse: (a) => { const v = readU64(a[0] ?? ''); return v === undefined ? bad(`expected a byte count in 0-${U64_MAX}, got '${a[0]}'`) : ok(v); },
      show: String,
    }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['quota']); },
});

export const statistic: MatchSpec = opaqueMatchSpec({
  name: 'statistic',
  reason: 'statistic: matches a random or every-nth share of the packets',
  options: [
    option<string>({ name: 'mode', args: 1, parse: oneOf(['random', 'nth'], 'a mode', true) }),
    option<number>({
      name: 'probability', args: 1, invert: true,
      parse: (a) => { const p = Number(a[0]); return /^[0-9.eE+-]+$/.test(a[0] ?? '') && p >= 0 && p <= 1 ? ok(p) : bad(`expected a probability in 0-1, got '${a[0]}'`); },
      // The kernel keeps p·2^31 as an integer; iptables-save prints that back.
      show: (p) => (Math.round(p * 0x80000000) / 0x80000000).toFixed(11),
    }),
    option<number>({ name: 'every', args: 1, invert: true, parse: uint(1, 0xffffffff) }),
    option<number>({ name: 'packet', args: 1, parse: uint(0, 0xffffffff) }),
  ],
  check(inst, ctx) {
    const mode = get<string>(inst, 'mode');
    if (!requireSome(inst, ctx, ['mode'])) return;
    if (mode?.value === 'random' && !has(inst, 'probability')) ctx.error('iptables/missing-option', 'statistic: --mode random needs --probability');
    if (mode?.value === 'nth' && !(has(inst, 'every') && has(inst, 'packet'))) ctx.error('iptables/missing-option', 'statistic: --mode nth needs --every and --packet');
    if (mode?.value === 'random' && (has(inst, 'every') || has(inst, 'packet'))) ctx.error('iptables/conflicting-options', 'statistic: --every and --packet only work with --mode nth');
    if (mode?.value === 'nth' && has(inst, 'probability')) ctx.error('iptables/conflicting-options', 'statistic: --probability only works with --mode random');
    const every = get<number>(inst, 'every');
    const packet = get<number>(inst, 'packet');
    if (every && packet && packet.value >= every.value) ctx.error('iptables/invalid-value', 'statistic: --packet must be below --every', packet.span);
  },
});

export const nfacct: MatchSpec = opaqueMatchSpec({
  name: 'nfacct',
  reason: 'nfacct only counts packets (it needs an accounting object in the kernel)',
  options: [option<string>({ name: 'nfacct-name', args: 1, parse: text(31, 'the object name') })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['nfacct-name']); },
});

/** `8bit`, `5kbit`, … → bits; rateest prints rates in bits. */
function showBits(v: string): string {
  const m = /^(\d+)(k|m|g)?bit$/i.exec(v);
  if (!m) return v;
  const mult = { k: 1000, m: 1_000_000, g: 1_000_000_000 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return `${Number(m[1]) * mult}bit`;
}

const rateValue = (name: string) => option<string>({ name, args: 'optional', show: (v) => (v === undefined ? undefined : showBits(v)) });

export const rateest: MatchSpec = opaqueMatchSpec({
  name: 'rateest',
  reason: 'rate estimator: depends on measured traffic rates',
  options: [
    flag('rateest-delta'),
    option<string>({ name: 'rateest1', aliases: ['rateest'], args: 1 }),
    rateValue('rateest-bps1'), rateValue('rateest-pps1'),
    flag('rateest-lt', true), flag('rateest-gt', true), flag('rateest-eq', true),
    rateValue('rateest-bps'), rateValue('rateest-pps'),
    option<string>({ name: 'rateest2', args: 1 }),
    rateValue('rateest-bps2'), rateValue('rateest-pps2'),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['rateest1']); },
  print(inst) {
    return inst.options.map((o) => {
      const name = o.name === 'rateest1' && o.given === 'rateest' ? 'rateest' : o.name;
      const arg = o.args[0] === undefined ? '' : ` ${/bit$/i.test(o.args[0]) ? showBits(o.args[0]) : quoteArg(o.args[0])}`;
      return `${o.invert ? '! ' : ''}--${name}${arg}`;
    }).join(' ');
  },
});
