/**
 * Other targets: TPROXY, NFQUEUE, SET, TEE, AUDIT, SECMARK, CONNSECMARK, SYNPROXY, HMARK, LED,
 * RATEEST, IDLETIMER, DNPT, SNPT. Those fwdoctor cannot evaluate are opaque actions (terminal when
 * they may end evaluation) or opaque side effects.
 */
import { formatIpv4, formatIpv6 } from '../../../model/address.js';
import { type ArgResult, type TargetSpec, bad, flag, get, has, ok, option, placed } from '../extension.js';
import { exclusive, oneOf, requireSome, text } from '../ext-helpers.js';
import { readSetRef, showSetRef, type SetRef } from '../matches/set.js';
import { formatAddressSpec } from '../print-rule.js';
import type { AddressSpec } from '../syntax.js';
import { alwaysQuote } from '../tokenize.js';
import { type ValueMask, hex, readAddress, readCidr, readPort, readUint, readValueMask, uint } from '../values.js';
import { effectTarget } from './mangle.js';

export const TPROXY: TargetSpec = {
  kind: 'target',
  name: 'TPROXY',
  protocols: { numbers: [6, 17], message: "TPROXY needs '-p tcp' or '-p udp'" },
  options: [
    option<number>({ name: 'on-port', args: 1, parse: (a) => { const p = readPort(a[0] ?? ''); return p === undefined ? bad(`invalid port '${a[0]}'`) : ok(p); }, show: String }),
    option<bigint>({ name: 'on-ip', args: 1, parse: (a, ctx) => { const v = readAddress(a[0] ?? '', ctx.family); return v === undefined ? bad(`invalid address '${a[0]}'`) : ok(v); } }),
    option<ValueMask>({ name: 'tproxy-mark', args: 1, parse: (a) => readValueMask(a[0] ?? '') }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['on-port']); },
  print(inst, family) {
    const ip = get<bigint>(inst, 'on-ip')?.value ?? 0n;
    const m = get<ValueMask>(inst, 'tproxy-mark')?.value;
    const mark = m ? `${hex(m.value)}/${hex(m.masked ? m.mask : 0xffffffff)}` : '0x0/0x0';
    return `--on-port ${get<number>(inst, 'on-port')?.value ?? 0} --on-ip ${family === 'ipv4' ? formatIpv4(ip) : formatIpv6(ip)} --tproxy-mark ${mark}`;
  },
  placement: placed({ tables: ['mangle'], hooks: ['prerouting'] }),
  toAction: () => ({ action: { kind: 'opaque', name: 'TPROXY', reason: 'transparent proxying hands the packet to a local socket', terminal: true }, effects: [] }),
};

export const NFQUEUE: TargetSpec = {
  kind: 'target',
  name: 'NFQUEUE',
  options: [
    option<number>({ name: 'queue-num', args: 1, parse: uint(0, 65535, 'a queue number'), show: (n) => (n === 0 ? undefined : String(n)) }),
    option<readonly [number, number]>({
      name: 'queue-balance', args: 1,
      parse: (a): ArgResult<readonly [number, number]> => {
        const m = /^(\d+):(\d+)$/.exec(a[0] ?? '');
        const lo = m ? readUint(m[1] as string, 0, 65535) : undefined;
        const hi = m ? readUint(m[2] as string, 0, 65535) : undefined;
        return lo !== undefined && hi !== undefined && lo < hi ? ok([lo, hi] as const) : bad(`expected a queue range a:b with a < b, got '${a[0]}'`);
      },
      show: ([a, b]) => `${a}:${b}`,
    }),
    flag('queue-bypass'),
    flag('queue-cpu-fanout'),
  ],
  check: (inst, ctx) => { exclusive(inst, ctx, ['queue-num', 'queue-balance']); },
  toAction: (inst, ctx) => ({ action: { kind: 'queue', text: ctx.text, bypass: has(inst, 'queue-bypass') }, effects: [] }),
};

const setRef = (name: string) => option<SetRef>({ name, args: 2, parse: readSetRef, show: showSetRef });

export const SET = effectTarget({
  name: 'SET',
  options: [
    setRef('add-set'), setRef('del-set'), setRef('map-set'),
    option<number>({ name: 'timeout', args: 1, parse: uint(0, 0xffffffff), show: String }),
    flag('exist'), flag('map-mark'), flag('map-prio'), flag('map-queue'),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['add-set', 'del-set', 'map-set'])) exclusive(inst, ctx, ['add-set', 'del-set', 'map-set']);
  },
});

export const TEE = effectTarget({
  name: 'TEE',
  options: [
    option<AddressSpec>({
      name: 'gateway', args: 1,
      parse: (a, ctx) => { const v = readAddress(a[0] ?? '', ctx.family); return v === undefined ? bad(`invalid address '${a[0]}'`) : ok({ family: ctx.family, value: v, mask: 0n, prefix: ctx.family === 'ipv4' ? 32 : 128 }); },
      show: (v) => formatAddressSpec(v).replace(/\/\d+$/, ''),
    }),
    option<string>({ name: 'oif', args: 1, parse: text(15, 'the interface name') }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['gateway']); },
});

export const AUDIT = effectTarget({
  name: 'AUDIT',
  options: [option<string>({ name: 'type', args: 1, parse: oneOf(['accept', 'drop', 'reject'], 'an audit type', true) })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['type']); },
});

export const SECMARK = effectTarget({
  name: 'SECMARK',
  options: [option<string>({ name: 'selctx', args: 1, parse: text(255, 'the security context') })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['selctx']); },
  placement: placed({ tables: ['mangle', 'security'] }),
});

export const CONNSECMARK = effectTarget({
  name: 'CONNSECMARK',
  options: [flag('save'), flag('restore')],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['save', 'restore'])) exclusive(inst, ctx, ['save', 'restore']);
  },
  placement: placed({ tables: ['mangle', 'security'] }),
});

export const SYNPROXY: TargetSpec = {
  kind: 'target',
  name: 'SYNPROXY',
  protocols: { numbers: [6], message: "SYNPROXY needs '-p tcp'" },
  options: [
    flag('sack-perm'), flag('timestamp'),
    option<number>({ name: 'wscale', args: 1, parse: uint(0, 14, 'a window scale'), show: String }),
    option<number>({ name: 'mss', args: 1, parse: uint(0, 65535, 'an MSS'), show: String }),
    flag('ecn'),
  ],
  placement: placed({ hooks: ['input', 'forward'] }),
  toAction: () => ({ action: { kind: 'opaque', name: 'SYNPROXY', reason: 'SYNPROXY answers the handshake itself and drops the packet', terminal: true }, effects: [] }),
};

const HMARK_OPTS = [
  'hmark-src-prefix', 'hmark-dst-prefix', 'hmark-sport-mask', 'hmark-dport-mask', 'hmark-spi-mask',
  'hmark-proto-mask', 'hmark-rnd', 'hmark-mod', 'hmark-offset',
];

export const HMARK = effectTarget({
  name: 'HMARK',
  options: [
    ...HMARK_OPTS.map((name) => option<string>({ name, args: 1, parse: (a) => (readUint(a[0] ?? '', 0, 0xffffffff) === undefined ? bad(`expected a number, got '${a[0]}'`) : ok(a[0] ?? '')) })),
    option<string>({ name: 'hmark-tuple', args: 1, parse: (a) => (/^(src|dst|sport|dport|spi|ct)(,(src|dst|sport|dport|spi|ct))*$/.test(a[0] ?? '') ? ok(a[0] ?? '') : bad(`expected a tuple list (src, dst, sport, dport, spi, ct), got '${a[0]}'`)) }),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['hmark-mod']);
    if (has(inst, 'hmark-spi-mask') && (has(inst, 'hmark-sport-mask') || has(inst, 'hmark-dport-mask'))) {
      ctx.error('iptables/conflicting-options', 'HMARK: --hmark-spi-mask cannot be combined with port masks');
    }
  },
});

export const LED = effectTarget({
  name: 'LED',
  options: [
    option<string>({ name: 'led-trigger-id', args: 1, parse: text(26, 'the trigger id'), show: alwaysQuote }),
    option<number>({ name: 'led-delay', args: 1, parse: uint(0, 0xffffffff), show: String }),
    flag('led-always-blink'),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['led-trigger-id']); },
});

export const RATEEST = effectTarget({
  name: 'RATEEST',
  options: [
    option<string>({ name: 'rateest-name', args: 1, parse: text(15, 'the name') }),
    option<string>({ name: 'rateest-interval', args: 1 }),
    option<string>({ name: 'rateest-ewmalog', args: 1 }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['rateest-name']); },
});

export const IDLETIMER = effectTarget({
  name: 'IDLETIMER',
  options: [
    option<number>({ name: 'timeout', args: 1, parse: uint(1, 0xffffffff, 'a timeout'), show: String }),
    option<string>({ name: 'label', args: 1, parse: text(27, 'the label') }),
    flag('alarm'),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['timeout']);
    requireSome(inst, ctx, ['label']);
  },
});

function npt(name: 'DNPT' | 'SNPT'): TargetSpec {
  const prefix = (n: string) => option<AddressSpec>({
    name: n, args: 1,
    parse: (a, ctx) => { const r = readCidr(a[0] ?? '', ctx.family); return r.ok ? ok({ family: ctx.family, ...r.value }) : r; },
    show: formatAddressSpec,
  });
  return effectTarget({
    name,
    family: 'ipv6',
    options: [prefix('src-pfx'), prefix('dst-pfx')],
    check(inst, ctx) {
      requireSome(inst, ctx, ['src-pfx']);
      requireSome(inst, ctx, ['dst-pfx']);
    },
    placement: placed({ tables: ['mangle'] }),
  });
}

export const DNPT = npt('DNPT');
export const SNPT = npt('SNPT');
