/**
 * Targets that change the packet or its conntrack entry and let evaluation continue: TCPMSS,
 * CLASSIFY, DSCP, TOS, TTL, HL, TRACE, CHECKSUM, ECN, CT, NOTRACK.
 */
import { CONTINUE } from '../../../model/action.js';
import { type ArgResult, type TargetSpec, bad, flag, get, has, ok, option, placed } from '../extension.js';
import { exclusive, requireSome, text, wordList } from '../ext-helpers.js';
import { readDscpClass } from '../matches/packet-fields.js';
import { type ValueMask, readUint, readValueMask, uint } from '../values.js';

/** A target whose only effect fwdoctor does not model: evaluation continues. */
export function effectTarget(spec: Omit<TargetSpec, 'kind' | 'toAction'>): TargetSpec {
  return { ...spec, kind: 'target', toAction: (_inst, ctx) => ({ action: CONTINUE, effects: [{ kind: 'other', name: spec.name, text: ctx.text }] }) };
}

const MANGLE = { tables: ['mangle'] } as const;

export const TCPMSS = effectTarget({
  name: 'TCPMSS',
  protocols: { numbers: [6], message: "TCPMSS needs '-p tcp'" },
  options: [option<number>({ name: 'set-mss', args: 1, parse: uint(0, 65535, 'an MSS'), show: String }), flag('clamp-mss-to-pmtu')],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['set-mss', 'clamp-mss-to-pmtu'])) exclusive(inst, ctx, ['set-mss', 'clamp-mss-to-pmtu']);
  },
  placement: (inst) => (has(inst, 'clamp-mss-to-pmtu') ? { hooks: ['forward', 'output', 'postrouting'] } : undefined),
});

export const CLASSIFY = effectTarget({
  name: 'CLASSIFY',
  options: [
    option<readonly [number, number]>({
      name: 'set-class', args: 1,
      parse: (a): ArgResult<readonly [number, number]> => {
        const m = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(a[0] ?? '');
        return m ? ok([parseInt(m[1] as string, 16), parseInt(m[2] as string, 16)] as const) : bad(`expected a class MAJOR:MINOR in hex (each 0-ffff), got '${a[0]}'`);
      },
      show: ([maj, min]) => `${maj.toString(16).padStart(4, '0')}:${min.toString(16).padStart(4, '0')}`,
    }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['set-class']); },
  placement: placed({ hooks: ['forward', 'output', 'postrouting'] }),
});

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

export const DSCP = effectTarget({
  name: 'DSCP',
  options: [
    option<number>({ name: 'set-dscp', args: 1, parse: uint(0, 0x3f, 'a DSCP value') }),
    option<number>({ name: 'set-dscp-class', args: 1, parse: readDscpClass }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['set-dscp', 'set-dscp-class'])) exclusive(inst, ctx, ['set-dscp', 'set-dscp-class']);
  },
  print: (inst) => `--set-dscp ${hex2((get<number>(inst, 'set-dscp') ?? get<number>(inst, 'set-dscp-class'))?.value ?? 0)}`,
  placement: placed(MANGLE),
});

const TOS_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['Minimize-Delay', 0x10], ['Maximize-Throughput', 0x08], ['Maximize-Reliability', 0x04], ['Minimize-Cost', 0x02], ['Normal-Service', 0x00],
];

function readSetTos(a: readonly string[]): ArgResult<ValueMask> {
  const named = TOS_NAMES.find(([n]) => n.toLowerCase() === (a[0] ?? '').toLowerCase());
  if (named) return ok({ value: named[1], mask: 0x3f, masked: true });
  return readValueMask(a[0] ?? '', 0xff);
}

const TOS_OPTS = ['set-tos', 'and-tos', 'or-tos', 'xor-tos'];

export const TOS = effectTarget({
  name: 'TOS',
  options: [
    option<ValueMask>({ name: 'set-tos', args: 1, parse: readSetTos }),
    option<number>({ name: 'and-tos', args: 1, parse: uint(0, 0xff) }),
    option<number>({ name: 'or-tos', args: 1, parse: uint(0, 0xff) }),
    option<number>({ name: 'xor-tos', args: 1, parse: uint(0, 0xff) }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, TOS_OPTS)) exclusive(inst, ctx, TOS_OPTS);
  },
  print(inst) {
    const s = get<ValueMask>(inst, 'set-tos');
    const and = get<number>(inst, 'and-tos');
    const or = get<number>(inst, 'or-tos');
    const xor = get<number>(inst, 'xor-tos');
    const [v, m] = s ? [s.value.value, s.value.mask] : and ? [0, ~and.value & 0xff] : or ? [or.value, or.value] : [xor?.value ?? 0, 0];
    return `--set-tos ${hex2(v)}/${hex2(m)}`;
  },
  placement: placed(MANGLE),
});

function hopTarget(name: 'TTL' | 'HL', family: 'ipv4' | 'ipv6'): TargetSpec {
  const p = name.toLowerCase();
  const names = [`${p}-set`, `${p}-dec`, `${p}-inc`];
  return effectTarget({
    name,
    family,
    options: [
      option<number>({ name: `${p}-set`, args: 1, parse: uint(0, 255), show: String }),
      option<number>({ name: `${p}-dec`, args: 1, parse: uint(1, 255), show: String }),
      option<number>({ name: `${p}-inc`, args: 1, parse: uint(1, 255), show: String }),
    ],
    check(inst, ctx) {
      if (requireSome(inst, ctx, names)) exclusive(inst, ctx, names);
    },
    placement: placed(MANGLE),
  });
}

export const TTL = hopTarget('TTL', 'ipv4');
export const HL = hopTarget('HL', 'ipv6');

export const TRACE = effectTarget({ name: 'TRACE', options: [] });

export const CHECKSUM = effectTarget({
  name: 'CHECKSUM',
  options: [flag('checksum-fill')],
  check: (inst, ctx) => { requireSome(inst, ctx, ['checksum-fill']); },
  placement: placed(MANGLE),
});

export const ECN = effectTarget({
  name: 'ECN',
  family: 'ipv4',
  options: [
    flag('ecn-tcp-remove'), flag('ecn-tcp-cwr'), flag('ecn-tcp-ece'),
    option<number>({ name: 'ecn-ip-ect', args: 1, parse: uint(0, 3), show: String }),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['ecn-tcp-remove', 'ecn-tcp-cwr', 'ecn-tcp-ece', 'ecn-ip-ect']);
    if (['ecn-tcp-remove', 'ecn-tcp-cwr', 'ecn-tcp-ece'].some((n) => has(inst, n)) && (ctx.protocol !== 6 || ctx.protocolInverted)) {
      ctx.error('iptables/needs-protocol', "ECN: the TCP options need '-p tcp'");
    }
  },
  placement: placed(MANGLE),
});

const CT_EVENTS = ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'] as const;

export const CT: TargetSpec = {
  kind: 'target',
  name: 'CT',
  options: [
    flag('notrack'),
    option<string>({ name: 'helper', args: 1, parse: text(15, 'the helper name') }),
    option<string>({ name: 'timeout', args: 1, parse: text(31, 'the timeout policy name') }),
    option<string[]>({ name: 'ctevents', args: 1, parse: wordList(CT_EVENTS, 'event'), show: (v) => v.join(',') }),
    option<string[]>({ name: 'expevents', args: 1, parse: wordList(['new'], 'event'), show: (v) => v.join(',') }),
    option<number>({ name: 'zone-orig', args: 1, parse: (a) => zone(a), show: String }),
    option<number>({ name: 'zone-reply', args: 1, parse: (a) => zone(a), show: String }),
    option<number>({ name: 'zone', args: 1, parse: (a) => zone(a), show: (n) => (n === 0 ? undefined : String(n)) }),
  ],
  check(inst, ctx) {
    if (has(inst, 'notrack') && inst.options.length > 1) ctx.error('iptables/conflicting-options', 'CT: --notrack cannot be combined with other options');
  },
  placement: placed({ tables: ['raw'] }),
  toAction(inst, ctx) {
    if (has(inst, 'notrack')) return { action: CONTINUE, effects: [{ kind: 'notrack' }] };
    return { action: CONTINUE, effects: [{ kind: 'other', name: 'CT', text: ctx.text }] };
  },
};

function zone(a: readonly string[]): ArgResult<number> {
  const n = readUint(a[0] ?? '', 0, 65535);
  return n === undefined ? bad(`expected a zone in 0-65535, got '${a[0]}'`) : ok(n);
}

export const NOTRACK: TargetSpec = {
  kind: 'target',
  name: 'NOTRACK',
  options: [],
  placement: placed({ tables: ['raw'] }),
  toAction: () => ({ action: CONTINUE, effects: [{ kind: 'notrack' }] }),
};
