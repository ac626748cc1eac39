/** REJECT (IPv4 and IPv6), LOG, NFLOG, ULOG, MARK, CONNMARK. */
import { CONTINUE, type Effect, type MarkOp, type RejectWith, reject } from '../../../model/action.js';
import { type ArgResult, type TargetOutcome, type TargetSpec, bad, flag, get, has, ok, option, placed } from '../extension.js';
import { exclusive, requireSome, text } from '../ext-helpers.js';
import type { ExtInstance } from '../syntax.js';
import { quoteArg } from '../tokenize.js';
import { type ValueMask, hex, readUint, readValueMask, uint } from '../values.js';

interface RejectName {
  readonly name: string;
  readonly alias: string;
  readonly with: RejectWith;
}

function rw(name: string, alias: string, kind: RejectWith['kind'], code: number): RejectName {
  return { name, alias, with: { kind, code, name } };
}

/** In iptables' own order: the first name or alias the argument is a prefix of wins. */
const REJECT4: readonly RejectName[] = [
  rw('icmp-net-unreachable', 'net-unreach', 'icmp', 0), rw('icmp-host-unreachable', 'host-unreach', 'icmp', 1),
  rw('icmp-proto-unreachable', 'proto-unreach', 'icmp', 2), rw('icmp-port-unreachable', 'port-unreach', 'icmp', 3),
  rw('icmp-net-prohibited', 'net-prohib', 'icmp', 9), rw('icmp-host-prohibited', 'host-prohib', 'icmp', 10),
  rw('tcp-reset', 'tcp-rst', 'tcp-reset', 0), rw('icmp-admin-prohibited', 'admin-prohib', 'icmp', 13),
];

const REJECT6: readonly RejectName[] = [
  rw('icmp6-no-route', 'no-route', 'icmpv6', 0), rw('icmp6-adm-prohibited', 'adm-prohibited', 'icmpv6', 1),
  rw('icmp6-addr-unreachable', 'addr-unreach', 'icmpv6', 3), rw('icmp6-port-unreachable', 'port-unreach', 'icmpv6', 4),
  rw('icmp6-policy-fail', 'policy-fail', 'icmpv6', 5), rw('icmp6-reject-route', 'reject-route', 'icmpv6', 6),
  rw('tcp-reset', 'tcp-rst', 'tcp-reset', 0),
];

const OUTCOMES = new Map<RejectName, TargetOutcome>();

/** One action object per reject type, shared by the rules that use it. */
function outcomeOf(r: RejectName): TargetOutcome {
  let o = OUTCOMES.get(r);
  if (o === undefined) {
    o = { action: reject(r.with), effects: [] };
    OUTCOMES.set(r, o);
  }
  return o;
}

function rejectTarget(family: 'ipv4' | 'ipv6'): TargetSpec {
  const table = family === 'ipv4' ? REJECT4 : REJECT6;
  const dflt = table.find((r) => r.name.endsWith('port-unreachable')) as RejectName;
  // The canonical names first (what iptables-save prints), then iptables' prefix rule.
  const byName = new Map(table.map((r) => [r.name, r] as const));
  return {
    kind: 'target',
    name: 'REJECT',
    family,
    options: [
      option<RejectName>({
        name: 'reject-with', args: 1,
        parse: (a): ArgResult<RejectName> => {
          const exact = byName.get(a[0] ?? '');
          if (exact) return ok(exact);
          const arg = (a[0] ?? '').toLowerCase();
          const r = table.find((x) => x.name.startsWith(arg) || x.alias.startsWith(arg));
          return r ? ok(r) : bad(`unknown reject type '${a[0]}': expected ${table.map((x) => x.name).join(', ')}`);
        },
      }),
    ],
    check(inst, ctx) {
      const w = get<RejectName>(inst, 'reject-with');
      if (w?.value.with.kind === 'tcp-reset' && (ctx.protocol !== 6 || ctx.protocolInverted)) {
        ctx.error('iptables/needs-protocol', "REJECT --reject-with tcp-reset needs '-p tcp'", w.span);
      }
    },
    print: (inst) => `--reject-with ${(get<RejectName>(inst, 'reject-with')?.value ?? dflt).name}`,
    placement: placed({ tables: ['filter'], hooks: ['input', 'forward', 'output'] }),
    toAction: (inst) => outcomeOf(get<RejectName>(inst, 'reject-with')?.value ?? dflt),
  };
}

export const REJECT = rejectTarget('ipv4');
export const REJECT6_TARGET = rejectTarget('ipv6');

const LOG_LEVELS: ReadonlyArray<readonly [string, number]> = [
  ['emerg', 0], ['panic', 0], ['alert', 1], ['crit', 2], ['error', 3], ['warning', 4], ['notice', 5], ['info', 6], ['debug', 7],
];

function logEffect(name: string, prefix: string | undefined, textOf: string): Effect {
  return prefix === undefined ? { kind: 'log', name, text: textOf } : { kind: 'log', name, prefix, text: textOf };
}

export const LOG: TargetSpec = {
  kind: 'target',
  name: 'LOG',
  options: [
    option<string>({ name: 'log-prefix', args: 1, parse: (a) => ok((a[0] ?? '').slice(0, 29)), show: (p) => (p === '' ? undefined : quoteArg(p)) }),
    option<number>({
      name: 'log-level', args: 1,
      parse: (a) => {
        const n = readUint(a[0] ?? '', 0, 7) ?? LOG_LEVELS.find(([l]) => l === (a[0] ?? '').toLowerCase())?.[1];
        return n === undefined ? bad(`unknown log level '${a[0]}': expected 0-7 or emerg, alert, crit, error, warning, notice, info, debug`) : ok(n);
      },
      show: (n) => (n === 4 ? undefined : String(n)),
    }),
    flag('log-tcp-sequence'), flag('log-tcp-options'), flag('log-ip-options'), flag('log-uid'), flag('log-macdecode'),
  ],
  check(inst, ctx) {
    const p = get<string>(inst, 'log-prefix');
    if (p && p.args[0] !== undefined && p.args[0].length > 29) {
      ctx.warning('iptables/truncated', 'LOG --log-prefix is longer than 29 characters: iptables cuts it', p.span);
    }
  },
  toAction: (inst, ctx) => ({ action: CONTINUE, effects: [logEffect('LOG', get<string>(inst, 'log-prefix')?.value, ctx.text)] }),
};

export const NFLOG: TargetSpec = {
  kind: 'target',
  name: 'NFLOG',
  options: [
    option<string>({ name: 'nflog-prefix', args: 1, parse: text(127, 'the prefix'), show: (p) => (p === '' ? undefined : quoteArg(p)) }),
    option<number>({ name: 'nflog-group', args: 1, parse: uint(0, 65535, 'a group'), show: (n) => (n === 0 ? undefined : String(n)) }),
    option<number>({ name: 'nflog-size', args: 1, parse: uint(0, 0xffffffff, 'a size'), show: String }),
    // Never worked; iptables-nft accepts and drops it.
    option<number>({ name: 'nflog-range', args: 1, parse: uint(0, 0xffffffff, 'a size'), show: () => undefined }),
    option<number>({ name: 'nflog-threshold', args: 1, parse: uint(1, 65535, 'a threshold'), show: String }),
  ],
  check(inst, ctx) {
    const r = get(inst, 'nflog-range');
    if (r) ctx.warning('iptables/deprecated', 'NFLOG --nflog-range never worked and is ignored; use --nflog-size', r.span);
  },
  toAction: (inst, ctx) => ({ action: CONTINUE, effects: [logEffect('NFLOG', get<string>(inst, 'nflog-prefix')?.value, ctx.text)] }),
};

export const ULOG: TargetSpec = {
  kind: 'target',
  name: 'ULOG',
  family: 'ipv4',
  options: [
    option<number>({ name: 'ulog-nlgroup', args: 1, parse: uint(1, 32, 'a netlink group'), show: (n) => (n === 1 ? undefined : String(n)) }),
    option<string>({ name: 'ulog-prefix', args: 1, parse: text(31, 'the prefix'), show: quoteArg }),
    option<number>({ name: 'ulog-cprange', args: 1, parse: uint(0, 0xffffffff), show: (n) => (n === 0 ? undefined : String(n)) }),
    option<number>({ name: 'ulog-qthreshold', args: 1, parse: uint(1, 50), show: (n) => (n === 1 ? undefined : String(n)) }),
  ],
  toAction: (inst, ctx) => ({ action: CONTINUE, effects: [logEffect('ULOG', get<string>(inst, 'ulog-prefix')?.value, ctx.text)] }),
};

/** `--set-mark v/m` and friends → the xmark pair (value, mask) iptables-save prints. */
function xmarkOf(inst: ExtInstance): { value: number; mask: number } | undefined {
  const sx = get<ValueMask>(inst, 'set-xmark');
  if (sx) return { value: sx.value.value, mask: sx.value.mask };
  const sm = get<ValueMask>(inst, 'set-mark');
  if (sm) return { value: sm.value.value, mask: (sm.value.value | sm.value.mask) >>> 0 };
  const and = get<number>(inst, 'and-mark');
  if (and) return { value: 0, mask: ~and.value >>> 0 };
  const or = get<number>(inst, 'or-mark');
  if (or) return { value: or.value, mask: or.value };
  const xor = get<number>(inst, 'xor-mark');
  if (xor) return { value: xor.value, mask: 0 };
  return undefined;
}

const markValue = uint(0, 0xffffffff, 'a 32-bit value');
const valueMask = (a: readonly string[]): ArgResult<ValueMask> => readValueMask(a[0] ?? '');
const SET_OPTIONS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];
const setOptions = [
  option<ValueMask>({ name: 'set-xmark', args: 1, parse: valueMask }),
  option<ValueMask>({ name: 'set-mark', args: 1, parse: valueMask }),
  option<number>({ name: 'and-mark', args: 1, parse: markValue }),
  option<number>({ name: 'or-mark', args: 1, parse: markValue }),
  option<number>({ name: 'xor-mark', args: 1, parse: markValue }),
];

function markEffect(target: 'mark' | 'connmark', op: MarkOp, value: number, mask: number): Effect {
  return { kind: 'mark', target, op, value, mask };
}

export const MARK: TargetSpec = {
  kind: 'target',
  name: 'MARK',
  options: setOptions,
  check(inst, ctx) {
    if (requireSome(inst, ctx, SET_OPTIONS, 'MARK: expected one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark')) exclusive(inst, ctx, SET_OPTIONS);
  },
  print(inst) {
    const x = xmarkOf(inst) ?? { value: 0, mask: 0 };
    return `--set-xmark ${hex(x.value)}/${hex(x.mask)}`;
  },
  toAction(inst) {
    const x = xmarkOf(inst) ?? { value: 0, mask: 0 };
    return { action: CONTINUE, effects: [markEffect('mark', 'set', x.value, x.mask)] };
  },
};

const maskOpt = (name: string) => option<number>({ name, args: 1, parse: markValue });
const CONN_ACTIONS = [...SET_OPTIONS, 'save-mark', 'restore-mark'];

export const CONNMARK: TargetSpec = {
  kind: 'target',
  name: 'CONNMARK',
  options: [...setOptions, flag('save-mark'), flag('restore-mark'), maskOpt('nfmask'), maskOpt('ctmask'), maskOpt('mask')],
  check(inst, ctx) {
    if (requireSome(inst, ctx, CONN_ACTIONS, 'CONNMARK: expected --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark, --save-mark or --restore-mark')) {
      exclusive(inst, ctx, CONN_ACTIONS);
    }
    if (has(inst, 'mask') && (has(inst, 'nfmask') || has(inst, 'ctmask'))) exclusive(inst, ctx, ['mask', 'nfmask']);
  },
  print(inst) {
    const x = xmarkOf(inst);
    if (x) return `--set-xmark ${hex(x.value)}/${hex(x.mask)}`;
    const m = get<number>(inst, 'mask')?.value;
    const nf = get<number>(inst, 'nfmask')?.value ?? m ?? 0xffffffff;
    const ct = get<number>(inst, 'ctmask')?.value ?? m ?? 0xffffffff;
    return `--${has(inst, 'save-mark') ? 'save' : 'restore'}-mark --nfmask ${hex(nf)} --ctmask ${hex(ct)}`;
  },
  toAction(inst, ctx) {
    const x = xmarkOf(inst);
    if (x) return { action: CONTINUE, effects: [markEffect('connmark', 'set', x.value, x.mask)] };
    const m = get<number>(inst, 'mask')?.value;
    const nf = get<number>(inst, 'nfmask')?.value ?? m ?? 0xffffffff;
    const ct = get<number>(inst, 'ctmask')?.value ?? m ?? 0xffffffff;
    if (nf !== ct) return { action: CONTINUE, effects: [{ kind: 'other', name: 'CONNMARK', text: ctx.text }] };
    const op: MarkOp = has(inst, 'save-mark') ? 'save' : 'restore';
    return { action: CONTINUE, effects: [markEffect('connmark', op, 0, nf)] };
  },
};
