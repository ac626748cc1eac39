/** Matches on packet header fields: length, ttl, hl, tos, dscp, mark, connmark, pkttype, mac. */
import {
  type Match, type PktType, ANY, NONE, bits, eq, negateIf,
} from '../../../model/match.js';
import { type ArgResult, type MatchSpec, bad, get, ok, option, placed } from '../extension.js';
import { exclusive, requireSome } from '../ext-helpers.js';
import { negateShared, numEq, numRange } from '../shared.js';
import type { ExtInstance } from '../syntax.js';
import { type Range, type ValueMask, hex, readRange, readValueMask, showRange, uint } from '../values.js';

export const length: MatchSpec = {
  kind: 'match',
  name: 'length',
  options: [option<Range>({ name: 'length', args: 1, invert: true, parse: (a) => readRange(a[0] ?? '', 0, 65535, undefined, 'length'), show: showRange })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['length']); },
  toMatch(inst) {
    const l = get<Range>(inst, 'length');
    return l ? negateShared(l.invert, numRange('length', l.value[0], l.value[1])) : ANY;
  },
};

/** ttl (IPv4) and hl (IPv6): -eq (invertible), -lt, -gt; exactly one. */
function hopMatch(name: 'ttl' | 'hl', family: 'ipv4' | 'ipv6'): MatchSpec {
  const eqName = `${name}-eq`;
  const ltName = `${name}-lt`;
  const gtName = `${name}-gt`;
  return {
    kind: 'match',
    name,
    family,
    options: [
      option<number>({ name: eqName, args: 1, invert: true, parse: uint(0, 255, 'a TTL'), show: String }),
      option<number>({ name: ltName, args: 1, parse: uint(0, 255, 'a TTL'), show: String }),
      option<number>({ name: gtName, args: 1, parse: uint(0, 255, 'a TTL'), show: String }),
    ],
    check(inst, ctx) {
      if (requireSome(inst, ctx, [eqName, ltName, gtName])) exclusive(inst, ctx, [eqName, ltName, gtName]);
    },
    toMatch(inst) {
      const e = get<number>(inst, eqName);
      if (e) return negateShared(e.invert, numEq('ttl', e.value));
      const lt = get<number>(inst, ltName);
      if (lt) return lt.value === 0 ? NONE : numRange('ttl', 0, lt.value - 1);
      const gt = get<number>(inst, gtName);
      if (gt) return gt.value === 255 ? NONE : numRange('ttl', gt.value + 1, 255);
      return ANY;
    },
  };
}

export const ttl = hopMatch('ttl', 'ipv4');
export const hl = hopMatch('hl', 'ipv6');

const TOS_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['Minimize-Delay', 0x10], ['Maximize-Throughput', 0x08], ['Maximize-Reliability', 0x04],
  ['Minimize-Cost', 0x02], ['Normal-Service', 0x00],
];

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

function readTos(args: readonly string[]): ArgResult<ValueMask> {
  const a = args[0] ?? '';
  const named = TOS_NAMES.find(([n]) => n.toLowerCase() === a.toLowerCase());
  if (named) return ok({ value: named[1], mask: 0x3f, masked: true });
  const r = readValueMask(a, 0xff);
  return r.ok ? r : bad(`expected a TOS value (0-0xff, optionally /mask) or one of ${TOS_NAMES.map(([n]) => n).join(', ')}, got '${a}'`);
}

export const tos: MatchSpec = {
  kind: 'match',
  name: 'tos',
  options: [option<ValueMask>({ name: 'tos', args: 1, invert: true, parse: readTos, show: (v) => `${hex2(v.value)}/${hex2(v.mask)}` })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['tos']); },
  toMatch(inst) {
    const t = get<ValueMask>(inst, 'tos');
    return t ? negateIf(t.invert, bits('tos', t.value.mask, t.value.value)) : ANY;
  },
};

export const DSCP_CLASSES: ReadonlyArray<readonly [string, number]> = [
  ['CS0', 0x00], ['CS1', 0x08], ['CS2', 0x10], ['CS3', 0x18], ['CS4', 0x20], ['CS5', 0x28], ['CS6', 0x30],
  ['CS7', 0x38], ['BE', 0x00], ['AF11', 0x0a], ['AF12', 0x0c], ['AF13', 0x0e], ['AF21', 0x12], ['AF22', 0x14],
  ['AF23', 0x16], ['AF31', 0x1a], ['AF32', 0x1c], ['AF33', 0x1e], ['AF41', 0x22], ['AF42', 0x24], ['AF43', 0x26],
  ['EF', 0x2e],
];

export function readDscpClass(args: readonly string[]): ArgResult<number> {
  const a = args[0] ?? '';
  const c = DSCP_CLASSES.find(([n]) => n.toLowerCase() === a.toLowerCase());
  return c ? ok(c[1]) : bad(`unknown DSCP class '${a}': expected ${DSCP_CLASSES.map(([n]) => n).join(', ')}`);
}

export const dscp: MatchSpec = {
  kind: 'match',
  name: 'dscp',
  options: [
    option<number>({ name: 'dscp', args: 1, invert: true, parse: uint(0, 0x3f, 'a DSCP value'), show: hex2 }),
    option<number>({ name: 'dscp-class', args: 1, invert: true, parse: readDscpClass }),
  ],
  check(inst, ctx) {
    if (requireSome(inst, ctx, ['dscp', 'dscp-class'])) exclusive(inst, ctx, ['dscp', 'dscp-class']);
  },
  print(inst) {
    const d = get<number>(inst, 'dscp') ?? get<number>(inst, 'dscp-class');
    return d ? `${d.invert ? '! ' : ''}--dscp ${hex2(d.value)}` : '';
  },
  toMatch(inst) {
    const d = get<number>(inst, 'dscp') ?? get<number>(inst, 'dscp-class');
    return d ? negateIf(d.invert, eq('dscp', d.value)) : ANY;
  },
};

function showMark(v: ValueMask): string {
  return v.mask === 0xffffffff ? hex(v.value) : `${hex(v.value)}/${hex(v.mask)}`;
}

function markMatch(name: 'mark' | 'connmark'): MatchSpec {
  return {
    kind: 'match',
    name,
    options: [option<ValueMask>({ name: 'mark', args: 1, invert: true, parse: (a) => readValueMask(a[0] ?? ''), show: showMark })],
    check: (inst, ctx) => { requireSome(inst, ctx, ['mark']); },
    toMatch(inst: ExtInstance): Match {
      const m = get<ValueMask>(inst, 'mark');
      return m ? negateIf(m.invert, bits(name, m.value.mask, m.value.value)) : ANY;
    },
  };
}

export const mark = markMatch('mark');
export const connmark = markMatch('connmark');

const PKT_TYPES: ReadonlyArray<readonly [string, PktType]> = [
  ['unicast', 'unicast'], ['broadcast', 'broadcast'], ['multicast', 'multicast'], ['otherhost', 'other'], ['host', 'unicast'],
];

export const pkttype: MatchSpec = {
  kind: 'match',
  name: 'pkttype',
  options: [
    option<PktType>({
      name: 'pkt-type', args: 1, invert: true,
      parse: (a) => {
        const t = PKT_TYPES.find(([n]) => n === (a[0] ?? '').toLowerCase());
        return t ? ok(t[1]) : bad(`unknown packet type '${a[0]}': expected unicast, broadcast, multicast or otherhost`);
      },
      show: (t) => PKT_TYPES.find(([, v]) => v === t)?.[0] ?? t,
    }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['pkt-type']); },
  toMatch(inst) {
    const t = get<PktType>(inst, 'pkt-type');
    return t ? negateIf(t.invert, { kind: 'pkttype', type: t.value }) : ANY;
  },
};

function readMac(args: readonly string[]): ArgResult<number> {
  const parts = (args[0] ?? '').split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    return bad(`expected a MAC address like 00:11:22:33:44:55, got '${args[0]}'`);
  }
  return ok(parts.reduce((acc, p) => acc * 256 + parseInt(p, 16), 0));
}

function showMac(v: number): string {
  const out: string[] = [];
  let x = v;
  for (let i = 0; i < 6; i++) { out.unshift((x % 256).toString(16).padStart(2, '0')); x = Math.floor(x / 256); }
  return out.join(':');
}

export const mac: MatchSpec = {
  kind: 'match',
  name: 'mac',
  options: [option<number>({ name: 'mac-source', args: 1, invert: true, parse: readMac, show: showMac })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['mac-source']); },
  placement: placed({ hooks: ['prerouting', 'input', 'forward'] }),
  toMatch(inst) {
    const m = get<number>(inst, 'mac-source');
    return m ? negateIf(m.invert, { kind: 'mac', value: m.value }) : ANY;
  },
};


