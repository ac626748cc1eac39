/**
 * Matches on protocol headers fwdoctor does not model field by field (IPsec SPIs, SCTP chunks,
 * DCCP types, ECN bits, IPv6 extension headers, …): read, checked and printed canonically, and
 * converted to opaque predicates. SCTP and DCCP ports are modelled.
 */
import { type Match, and, negateIf, num, opaque } from '../../../model/match.js';
import { type ArgResult, type MatchSpec, type OptionSpec, bad, flag, get, ok, option, placed } from '../extension.js';
import { exclusive, opaqueMatchSpec, requireSome } from '../ext-helpers.js';
import { type ExtOption } from '../syntax.js';
import { type Range, portRange, readRange, readUint, showRange, uint } from '../values.js';

const U32 = 0xffffffff;

/** An SPI-like range option: full range printed only when inverted, `a:a` as `a`. */
function spiOption(name: string, max = U32): OptionSpec {
  return option<Range>({
    name, args: 1, invert: true,
    parse: (a) => readRange(a[0] ?? '', 0, max),
    show: (r: Range, o: ExtOption) => (r[0] === 0 && r[1] === max && !o.invert ? undefined : showRange(r)),
  });
}

export const esp: MatchSpec = opaqueMatchSpec({
  name: 'esp',
  reason: 'IPsec ESP SPI is not modelled',
  protocols: { numbers: [50], message: "the esp match needs '-p esp'" },
  options: [spiOption('espspi')],
});

export const ah: MatchSpec = opaqueMatchSpec({
  name: 'ah',
  family: 'ipv4',
  reason: 'IPsec AH SPI is not modelled',
  protocols: { numbers: [51], message: "the ah match needs '-p ah'" },
  options: [spiOption('ahspi')],
});

export const ah6: MatchSpec = opaqueMatchSpec({
  name: 'ah',
  family: 'ipv6',
  reason: 'IPsec AH header fields are not modelled',
  options: [spiOption('ahspi'), option<number>({ name: 'ahlen', args: 1, invert: true, parse: uint(0, U32), show: String }), flag('ahres')],
});

export const ipcomp: MatchSpec = opaqueMatchSpec({
  name: 'ipcomp',
  reason: 'IPComp CPI is not modelled',
  protocols: { numbers: [108], message: "the ipcomp match needs '-p ipcomp'" },
  options: [spiOption('ipcompspi'), flag('compres')],
});

const portOpt = (name: string, alias: string): OptionSpec =>
  option<Range>({ name, aliases: [alias], args: 1, invert: true, parse: portRange, show: showRange });

function portsOf(inst: Parameters<MatchSpec['toMatch']>[0]): Match[] {
  const out: Match[] = [];
  const s = get<Range>(inst, 'sport');
  if (s) out.push(negateIf(s.invert, num('sport', s.value)));
  const d = get<Range>(inst, 'dport');
  if (d) out.push(negateIf(d.invert, num('dport', d.value)));
  return out;
}

const SCTP_CHUNKS = [
  'DATA', 'INIT', 'INIT_ACK', 'SACK', 'HEARTBEAT', 'HEARTBEAT_ACK', 'ABORT', 'SHUTDOWN', 'SHUTDOWN_ACK', 'ERROR',
  'COOKIE_ECHO', 'COOKIE_ACK', 'ECN_ECNE', 'ECN_CWR', 'SHUTDOWN_COMPLETE', 'I_DATA', 'RE_CONFIG', 'PAD', 'ASCONF',
  'ASCONF_ACK', 'FORWARD_TSN', 'I_FORWARD_TSN',
];

function readChunks(args: readonly string[]): ArgResult<string[]> {
  const how = args[0] ?? '';
  if (!['all', 'any', 'only'].includes(how)) return bad(`expected all, any or only before the chunk list, got '${how}'`, 0);
  const list = args[1] ?? '';
  for (const c of list.split(',')) {
    const name = c.split(':')[0] ?? '';
    if (name !== 'NONE' && name !== 'ALL' && !SCTP_CHUNKS.includes(name.toUpperCase())) return bad(`unknown SCTP chunk type '${name}'`, 1);
  }
  return ok([how, list]);
}

export const sctp: MatchSpec = {
  kind: 'match',
  name: 'sctp',
  protocols: { numbers: [132], message: "the sctp match needs '-p sctp'" },
  options: [
    portOpt('sport', 'source-port'), portOpt('dport', 'destination-port'),
    option<string[]>({ name: 'chunk-types', args: 2, invert: true, parse: readChunks, show: (v) => v.join(' ') }),
  ],
  toMatch(inst, ctx) {
    const parts = portsOf(inst);
    if (get(inst, 'chunk-types')) parts.push(opaque('SCTP chunk types are not modelled', ctx.text));
    return and(...parts);
  },
};

const DCCP_TYPES = ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'];

export const dccp: MatchSpec = {
  kind: 'match',
  name: 'dccp',
  protocols: { numbers: [33], message: "the dccp match needs '-p dccp'" },
  options: [
    portOpt('sport', 'source-port'), portOpt('dport', 'destination-port'),
    option<string[]>({
      name: 'dccp-types', args: 1, invert: true,
      parse: (a) => {
        const parts = (a[0] ?? '').split(',').map((x) => x.toUpperCase());
        const unknown = parts.find((p) => !DCCP_TYPES.includes(p));
        return unknown === undefined ? ok(DCCP_TYPES.filter((t) => parts.includes(t))) : bad(`unknown DCCP type '${unknown}'`);
      },
      show: (v) => v.join(','),
    }),
    option<number>({ name: 'dccp-option', args: 1, invert: true, parse: uint(1, 255, 'a DCCP option'), show: String }),
  ],
  toMatch(inst, ctx) {
    const parts = portsOf(inst);
    if (get(inst, 'dccp-types') || get(inst, 'dccp-option')) parts.push(opaque('DCCP packet types and options are not modelled', ctx.text));
    return and(...parts);
  },
};

export const ecn: MatchSpec = opaqueMatchSpec({
  name: 'ecn',
  reason: 'ECN bits are not modelled',
  options: [
    flag('ecn-tcp-ece', true), flag('ecn-tcp-cwr', true),
    option<number>({ name: 'ecn-ip-ect', args: 1, invert: true, parse: uint(0, 3, 'an ECT codepoint'), show: String }),
  ],
  check(inst, ctx) {
    requireSome(inst, ctx, ['ecn-tcp-ece', 'ecn-tcp-cwr', 'ecn-ip-ect']);
    if ((get(inst, 'ecn-tcp-ece') || get(inst, 'ecn-tcp-cwr')) && (ctx.protocol !== 6 || ctx.protocolInverted)) {
      ctx.error('iptables/needs-protocol', "ecn: --ecn-tcp-ece and --ecn-tcp-cwr need '-p tcp'");
    }
  },
});

export const tcpmss: MatchSpec = opaqueMatchSpec({
  name: 'tcpmss',
  reason: 'the TCP MSS option is not modelled',
  protocols: { numbers: [6], message: "the tcpmss match needs '-p tcp'" },
  options: [option<Range>({ name: 'mss', args: 1, invert: true, parse: (a) => readRange(a[0] ?? '', 0, 65535), show: showRange })],
  check: (inst, ctx) => { requireSome(inst, ctx, ['mss']); },
});

const MH_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['binding-refresh-request', 0], ['brr', 0], ['home-test-init', 1], ['hoti', 1], ['careof-test-init', 2], ['coti', 2],
  ['home-test', 3], ['hot', 3], ['careof-test', 4], ['cot', 4], ['binding-update', 5], ['bu', 5],
  ['binding-acknowledgement', 6], ['ba', 6], ['binding-error', 7], ['be', 7],
];

function mhOne(s: string): number | undefined {
  const named = MH_TYPES.find(([n]) => n === s.toLowerCase());
  return named ? named[1] : readUint(s, 0, 255);
}

export const mh: MatchSpec = opaqueMatchSpec({
  name: 'mh',
  family: 'ipv6',
  reason: 'the mobility header type is not modelled',
  protocols: { numbers: [135], message: "the mh match needs '-p mobility-header'" },
  options: [
    option<Range>({
      name: 'mh-type', args: 1, invert: true,
      parse: (a) => readRange(a[0] ?? '', 0, 255, mhOne, 'mobility header type'),
      show: (r, o) => (r[0] === 0 && r[1] === 255 && !o.invert ? undefined : showRange(r)),
    }),
  ],
});

const V6_HEADERS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['hop-by-hop', ['hop']], ['ipv6-opts', ['dst']], ['ipv6-route', ['route']], ['ipv6-frag', ['frag']],
  ['ah', ['auth']], ['esp', []], ['ipv6-nonxt', ['none']], ['protocol', ['prot']],
];

export const ipv6header: MatchSpec = opaqueMatchSpec({
  name: 'ipv6header',
  family: 'ipv6',
  reason: 'IPv6 extension headers are not modelled',
  options: [
    option<string[]>({
      name: 'header', args: 1, invert: true,
      parse: (a) => {
        const out: string[] = [];
        for (const p of (a[0] ?? '').split(',')) {
          const h = V6_HEADERS.find(([n, al]) => n === p || al.includes(p));
          if (!h) return bad(`unknown IPv6 extension header '${p}'`);
          out.push(h[0]);
        }
        return ok(V6_HEADERS.map(([n]) => n).filter((n) => out.includes(n)));
      },
      show: (v) => v.join(','),
    }),
    flag('soft'),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['header']); },
});

/** hbh and dst: --X-len and --X-opts. */
function optsHeader(name: 'hbh' | 'dst'): MatchSpec {
  return opaqueMatchSpec({
    name,
    family: 'ipv6',
    reason: `IPv6 ${name === 'hbh' ? 'hop-by-hop' : 'destination'} options are not modelled`,
    options: [
      option<number>({ name: `${name}-len`, args: 1, invert: true, parse: uint(0, U32), show: String }),
      option<string>({ name: `${name}-opts`, args: 1, parse: (a) => (/^\d+(:\d+)?(,\d+(:\d+)?)*$/.test(a[0] ?? '') ? ok(a[0] ?? '') : bad(`expected type[:length],… , got '${a[0]}'`)) }),
    ],
  });
}

export const hbh = optsHeader('hbh');
export const dst = optsHeader('dst');

export const frag: MatchSpec = opaqueMatchSpec({
  name: 'frag',
  family: 'ipv6',
  reason: 'IPv6 fragment headers are not modelled',
  options: [
    spiOption('fragid'), option<number>({ name: 'fraglen', args: 1, invert: true, parse: uint(0, U32), show: String }),
    flag('fragres'), flag('fragfirst'), flag('fragmore'), flag('fraglast'),
  ],
  check: (inst, ctx) => { exclusive(inst, ctx, ['fragmore', 'fraglast']); },
});

export const rt: MatchSpec = opaqueMatchSpec({
  name: 'rt',
  family: 'ipv6',
  reason: 'IPv6 routing headers are not modelled',
  options: [
    option<number>({ name: 'rt-type', args: 1, invert: true, parse: uint(0, 255), show: String }),
    spiOption('rt-segsleft'),
    option<number>({ name: 'rt-len', args: 1, invert: true, parse: uint(0, U32), show: String }),
    flag('rt-0-res'),
    option<string>({ name: 'rt-0-addrs', args: 1 }),
    flag('rt-0-not-strict'),
  ],
});

export const eui64: MatchSpec = opaqueMatchSpec({
  name: 'eui64',
  family: 'ipv6',
  reason: 'EUI-64 source address check against the MAC is not modelled',
  options: [],
  placement: placed({ hooks: ['prerouting', 'input', 'forward'] }),
});
