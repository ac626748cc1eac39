/** `-m conntrack` (every option) and `-m state --state`. */
import { addressDomain } from '../../../model/address.js';
import { fromIntervals } from '../../../model/interval-set.js';
import {
  type AddrField, type CtState, type CtStatus, type Match, type NumField,
  addr, and, ctstatus, negateIf, num, opaque,
} from '../../../model/match.js';
import { type ArgResult, type ConvertContext, type MatchSpec, bad, get, ok, option } from '../extension.js';
import { ctstateShared, negateShared } from '../shared.js';
import { oneOf, requireSome, wordList } from '../ext-helpers.js';
import { formatAddressSpec } from '../print-rule.js';
import { parseIptProtocol } from '../protocols.js';
import type { AddressSpec, ExtInstance } from '../syntax.js';
import { type Range, portRange, readCidr, readRange, showRange } from '../values.js';

export const STATE_WORDS = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
type StateWord = (typeof STATE_WORDS)[number];
const STATUS_WORDS = ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'] as const;
type StatusWord = (typeof STATUS_WORDS)[number];

const readStates = wordList(STATE_WORDS, 'conntrack state');
const readStatus = wordList(STATUS_WORDS, 'conntrack status');

function modelStates(ws: readonly StateWord[]): CtState[] {
  return ws.map((w) => w.toLowerCase() as CtState);
}

function modelStatuses(ws: readonly StatusWord[]): CtStatus[] {
  return ws.filter((w) => w !== 'NONE').map((w) => (w === 'SEEN_REPLY' ? 'seen-reply' : w.toLowerCase()) as CtStatus);
}

function showStatus(ws: readonly StatusWord[]): string {
  const real = ws.filter((w) => w !== 'NONE');
  return real.length === 0 ? 'NONE' : real.join(',');
}

/** An address as conntrack prints it: as written (host bits kept), `/len` unless a single host. */
function readCtAddress(args: readonly string[], family: 'ipv4' | 'ipv6'): ArgResult<AddressSpec> {
  const r = readCidr(args[0] ?? '', family);
  if (!r.ok) return r;
  const c = r.value;
  return ok(c.prefix === undefined ? { family, value: c.value, mask: c.mask } : { family, value: c.value, mask: c.mask, prefix: c.prefix });
}

function showCtAddress(a: AddressSpec): string {
  const full = a.family === 'ipv4' ? 32 : 128;
  const s = formatAddressSpec(a);
  return a.prefix === full ? s.slice(0, s.lastIndexOf('/')) : s;
}

const ADDRS: ReadonlyArray<readonly [string, AddrField]> = [
  ['ctorigsrc', 'ctOrigSrc'], ['ctorigdst', 'ctOrigDst'], ['ctreplsrc', 'ctReplSrc'], ['ctrepldst', 'ctReplDst'],
];
const PORTS: ReadonlyArray<readonly [string, NumField]> = [
  ['ctorigsrcport', 'ctOrigSport'], ['ctorigdstport', 'ctOrigDport'], ['ctreplsrcport', 'ctReplSport'], ['ctrepldstport', 'ctReplDport'],
];

export const conntrack: MatchSpec = {
  kind: 'match',
  name: 'conntrack',
  options: [
    option<StateWord[]>({ name: 'ctstate', args: 1, invert: true, parse: readStates, show: (v) => v.join(',') }),
    option<number>({
      name: 'ctproto', args: 1, invert: true,
      parse: (a) => { const n = parseIptProtocol(a[0] ?? ''); return n === undefined ? bad(`unknown protocol '${a[0]}'`) : ok(n); },
      show: (n) => String(n),
    }),
    ...ADDRS.map(([name]) => option<AddressSpec>({ name, args: 1, invert: true, parse: (a, ctx) => readCtAddress(a, ctx.family), show: showCtAddress })),
    ...PORTS.map(([name]) => option<Range>({ name, args: 1, invert: true, parse: portRange, show: showRange })),
    option<StatusWord[]>({ name: 'ctstatus', args: 1, invert: true, parse: readStatus, show: showStatus }),
    option<Range>({ name: 'ctexpire', args: 1, invert: true, parse: (a) => readRange(a[0] ?? '', 0, 0xffffffff), show: showRange }),
    option<string>({ name: 'ctdir', args: 1, parse: oneOf(['ORIGINAL', 'REPLY'], 'a direction'), show: (d) => d }),
  ],
  check: (inst, ctx) => { if (inst.options.length === 0) ctx.error('iptables/missing-option', 'conntrack: at least one option is required'); },
  toMatch: (inst, ctx) => conntrackMatch(inst, ctx),
};

/** `ctx.text` is printed only for an opaque part (most rules have none). */
function conntrackMatch(inst: ExtInstance, ctx: ConvertContext): Match {
  const parts: Match[] = [];
  const st = get<StateWord[]>(inst, 'ctstate');
  if (st) parts.push(negateShared(st.invert, ctstateShared(modelStates(st.value))));
  const pr = get<number>(inst, 'ctproto');
  if (pr) parts.push(negateIf(pr.invert, num('ctProto', [pr.value, pr.value])));
  for (const [name, field] of ADDRS) {
    const a = get<AddressSpec>(inst, name);
    if (!a) continue;
    const v = a.value;
    const lo = v.value & v.mask;
    const hi = lo | (v.mask ^ (v.family === 'ipv4' ? 0xffffffffn : (1n << 128n) - 1n));
    const set = v.prefix === undefined
      ? undefined
      : { family: v.family, set: fromIntervals(addressDomain[v.family], [[lo, hi]]) };
    parts.push(set ? negateIf(a.invert, addr(field, set)) : opaque('conntrack address with a non-contiguous mask', ctx.text));
  }
  for (const [name, field] of PORTS) {
    const p = get<Range>(inst, name);
    if (p) parts.push(negateIf(p.invert, num(field, p.value)));
  }
  const ss = get<StatusWord[]>(inst, 'ctstatus');
  if (ss) parts.push(negateIf(ss.invert, ctstatus(...modelStatuses(ss.value))));
  if (get(inst, 'ctexpire')) parts.push(opaque('conntrack --ctexpire: the remaining lifetime of the connection is not known offline', ctx.text));
  const dir = get<string>(inst, 'ctdir');
  if (dir) parts.push({ kind: 'ctdir', dir: dir.value === 'ORIGINAL' ? 'original' : 'reply' });
  return and(...parts);
}

export const state: MatchSpec = {
  kind: 'match',
  name: 'state',
  options: [option<StateWord[]>({ name: 'state', args: 1, invert: true, parse: wordList(STATE_WORDS.slice(0, 5), 'state'), show: (v) => v.join(',') })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['state']); },
  toMatch(inst) {
    const st = get<StateWord[]>(inst, 'state');
    return st ? negateShared(st.invert, ctstateShared(modelStates(st.value))) : and();
  },
};
