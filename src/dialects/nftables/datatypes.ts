/**
 * nft datatypes: what a literal may look like for each type of expression it is compared with
 * (`ip saddr` takes an IPv4 address, `tcp dport` a port or a service name, `ct state` state names).
 */
import { parseIpv4, parseIpv6 } from '../../model/address.js';
import { parseProtocol } from '../../model/protocol.js';
import * as S from './symbols.js';

export type BaseKind = 'integer' | 'bitmask' | 'string' | 'ipv4' | 'ipv6' | 'ether' | 'time' | 'verdict' | 'invalid';

export interface Datatype {
  readonly name: string;
  readonly kind: BaseKind;
  /** Width in bits (strings: 8 × characters). */
  readonly bits: number;
  readonly symbols?: ReadonlyMap<string, number>;
  /** Symbol names are matched without regard to case (days of the week). */
  readonly caseless?: boolean;
  /** Largest valid value when smaller than the width allows (days: 6). */
  readonly max?: bigint;
}

function dt(name: string, kind: BaseKind, bits: number, symbols?: readonly (readonly [string, number])[], caseless = false): Datatype {
  const base = { name, kind, bits, ...(symbols ? { symbols: S.tableMap(symbols) } : {}) };
  return caseless ? { ...base, caseless } : base;
}

export function integerType(bits: number): Datatype {
  return dt('integer', 'integer', bits);
}

const TYPES: readonly Datatype[] = [
  dt('ipv4_addr', 'ipv4', 32), dt('ipv6_addr', 'ipv6', 128), dt('ether_addr', 'ether', 48),
  dt('inet_proto', 'integer', 8), dt('inet_service', 'integer', 16, S.SERVICES), dt('mark', 'integer', 32),
  dt('ifname', 'string', 128), dt('iface_index', 'string', 32), dt('iface_type', 'integer', 16, S.IFACE_TYPE),
  dt('icmp_type', 'integer', 8, S.ICMP_TYPE), dt('icmp_code', 'integer', 8, S.ICMP_CODE),
  dt('icmpv6_type', 'integer', 8, S.ICMPV6_TYPE), dt('icmpv6_code', 'integer', 8, S.ICMPV6_CODE),
  dt('icmpx_code', 'integer', 8, S.ICMPX_CODE),
  dt('ct_state', 'bitmask', 32, S.CT_STATE), dt('ct_status', 'bitmask', 32, S.CT_STATUS),
  dt('ct_event', 'bitmask', 32, S.CT_EVENT), dt('ct_dir', 'integer', 8, S.CT_DIR), dt('ct_label', 'bitmask', 128),
  dt('tcp_flag', 'bitmask', 8, S.TCP_FLAG), dt('pkt_type', 'integer', 8, S.PKT_TYPE), dt('nf_proto', 'integer', 8, S.NF_PROTO),
  dt('ether_type', 'integer', 16, S.ETHER_TYPE), dt('arp_op', 'integer', 16, S.ARP_OP), dt('dscp', 'integer', 6, S.DSCP),
  dt('ecn', 'integer', 2, S.ECN), dt('fib_addrtype', 'integer', 32, S.FIB_ADDRTYPE), { ...dt('day', 'integer', 8, S.DAY, true), max: 6n },
  dt('hour', 'time', 32), dt('time', 'time', 64), dt('dccp_pkttype', 'integer', 4, S.DCCP_PKTTYPE),
  dt('igmp_type', 'integer', 8, S.IGMP_TYPE), dt('mptcp_subtype', 'integer', 4, S.MPTCP_SUBTYPE), dt('mh_type', 'integer', 8, S.MH_TYPE),
  dt('uid', 'integer', 32, [['root', 0]]), dt('gid', 'integer', 32, [['root', 0]]), dt('realm', 'integer', 32, [['default', 0]]),
  dt('devgroup', 'integer', 32, [['default', 0]]), dt('classid', 'integer', 32, [['none', 0], ['root', 0xffffffff]]),
  dt('cgroupsv2', 'string', 64), dt('boolean', 'integer', 1, S.BOOLEAN), dt('string', 'string', 128),
  dt('verdict', 'verdict', 32), dt('integer', 'integer', 32), dt('bitmask', 'bitmask', 32),
  dt('queue', 'integer', 16),
  ...['counter', 'quota', 'limit', 'ct_helper', 'ct_timeout', 'ct_expectation', 'secmark', 'synproxy', 'tunnel'].map((n) => dt(n, 'string', 2048)),
];

const BY_NAME = new Map(TYPES.map((t) => [t.name, t]));

/** A datatype by its nft name (`ipv4_addr`, `inet_service`, …). */
export function datatype(name: string): Datatype | undefined {
  return BY_NAME.get(name.replace(' ', '_'));
}

export function mustType(name: string): Datatype {
  const t = BY_NAME.get(name);
  if (!t) throw new Error(`unknown nft datatype ${name}`);
  return t;
}

export const INVALID: Datatype = dt('invalid', 'invalid', 0);

export type Scalar =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'str'; readonly value: string; readonly wildcard: boolean };

export type ScalarResult = { readonly ok: true; readonly scalar: Scalar } | { readonly ok: false; readonly message: string };

/** Types whose names are resolved on the host (/etc/passwd, /etc/iproute2/…, connlabel.conf). */
const NAMED_ON_HOST = new Set(['ct_label', 'uid', 'gid', 'realm', 'devgroup']);

const ok = (scalar: Scalar): ScalarResult => ({ ok: true, scalar });
const fail = (message: string): ScalarResult => ({ ok: false, message });

function parseInteger(text: string): bigint | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  if (/^\d+$/.test(text)) return BigInt(text);
  return undefined;
}

function parseMac(text: string): bigint | undefined {
  const m = /^([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2})$/i.exec(text);
  if (!m) return undefined;
  let v = 0n;
  for (let i = 1; i <= 6; i++) v = (v << 8n) | BigInt(parseInt(m[i] as string, 16));
  return v;
}

const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** nft time strings (`1d2h3m4s5ms`) in milliseconds. */
export function parseDuration(text: string): bigint | undefined {
  if (/^\d+$/.test(text)) return BigInt(text) * 1000n;
  const m = DURATION_RE.exec(text);
  if (!m || text.length === 0) return undefined;
  const [d, h, mi, s, ms] = [1, 2, 3, 4, 5].map((i) => BigInt(m[i] ?? '0')) as [bigint, bigint, bigint, bigint, bigint];
  return (((d * 24n + h) * 60n + mi) * 60n + s) * 1000n + ms;
}

function parseTimeValue(t: Datatype, text: string): ScalarResult {
  if (t.name === 'hour') {
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? '0') > 60) {
      return fail(`expected a time of day HH:MM[:SS] (00:00 to 23:59:59), got '${text}'`);
    }
    return ok({ kind: 'int', value: BigInt((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? '0')) });
  }
  const dur = parseDuration(text);
  if (dur !== undefined) return ok({ kind: 'int', value: dur });
  const date = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (date && t.name === 'time') {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4] ?? 0), Number(date[5] ?? 0), Number(date[6] ?? 0));
    if (!Number.isNaN(ms)) return ok({ kind: 'int', value: BigInt(ms) });
  }
  return fail(`expected a time such as 30s, 1h30m or "2024-01-01 00:00:00", got '${text}'`);
}

function lookupSymbol(t: Datatype, text: string): number | undefined {
  if (!t.symbols) return undefined;
  const direct = t.symbols.get(text);
  if (direct !== undefined || !t.caseless) return direct;
  for (const [k, v] of t.symbols) if (k.toLowerCase() === text.toLowerCase()) return v;
  return undefined;
}

function expectedText(t: Datatype): string {
  switch (t.name) {
    case 'ipv4_addr': return 'an IPv4 address';
    case 'ipv6_addr': return 'an IPv6 address';
    case 'inet_service': return 'a port number (0-65535) or a service name';
    case 'inet_proto': return 'a protocol name or number (0-255)';
    case 'ether_addr': return 'an Ethernet address';
    default: {
      const names = t.symbols ? [...t.symbols.keys()].slice(0, 12).join(', ') : '';
      const what = t.name === 'integer' ? `an integer of ${t.bits} bits` : `a value of type ${t.name}`;
      return names ? `${what} (${names}${t.symbols && t.symbols.size > 12 ? ', …' : ''})` : what;
    }
  }
}

/** Parses one literal (no ranges, prefixes or lists) as a value of type `t`. */
export function parseScalar(t: Datatype, text: string, quoted = false): ScalarResult {
  const max = t.bits >= 128 ? (1n << 128n) - 1n : (1n << BigInt(t.bits)) - 1n;
  switch (t.kind) {
    case 'ipv4': {
      const v = parseIpv4(text) ?? (/^(0x[0-9a-f]+|\d+)$/i.test(text) && !quoted && BigInt(text) <= max ? BigInt(text) : undefined);
      return v === undefined ? fail(`expected an IPv4 address, got '${text}'`) : ok({ kind: 'int', value: v });
    }
    case 'ipv6': {
      const v = parseIpv6(text);
      return v === undefined ? fail(`expected an IPv6 address, got '${text}'`) : ok({ kind: 'int', value: v });
    }
    case 'ether': {
      const v = parseMac(text);
      return v === undefined ? fail(`expected an Ethernet address, got '${text}'`) : ok({ kind: 'int', value: v });
    }
    case 'string': {
      if (t.name === 'iface_index' && /^\d+$/.test(text) && !quoted) return ok({ kind: 'int', value: BigInt(text) });
      if (text.length === 0) return fail(`expected a non-empty ${t.name === 'ifname' || t.name === 'iface_index' ? 'interface name' : 'string'}`);
      const wildcard = text.endsWith('*') && !text.endsWith('\\*');
      const limit = t.name === 'ifname' || t.name === 'iface_index' ? 15 : t.bits / 8 - 1;
      if (text.length > limit + (wildcard ? 1 : 0)) return fail(`expected at most ${limit} characters, got '${text}' (${text.length})`);
      return ok({ kind: 'str', value: wildcard ? text.slice(0, -1) : text, wildcard });
    }
    case 'time': return parseTimeValue(t, text);
    case 'verdict': return fail(`expected a verdict, got '${text}'`);
    case 'invalid': return fail(`cannot compare with a value of an unknown type: '${text}'`);
    case 'integer':
    case 'bitmask': {
      const sym = lookupSymbol(t, text);
      if (sym !== undefined) return ok({ kind: 'int', value: BigInt(sym) });
      if (t.name === 'inet_proto') {
        if (text === 'comp') return ok({ kind: 'int', value: 108n });
        const p = parseProtocol(text);
        if (p !== undefined && text !== 'all') return ok({ kind: 'int', value: BigInt(p) });
      }
      if (t.name === 'classid') {
        const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(text);
        if (m) return ok({ kind: 'int', value: (BigInt(parseInt(m[1] as string, 16)) << 16n) | BigInt(parseInt(m[2] as string, 16)) });
      }
      if (NAMED_ON_HOST.has(t.name) && /^[A-Za-z_][\w.-]*$/.test(text)) return ok({ kind: 'str', value: text, wildcard: false });
      const n = parseInteger(text);
      if (n === undefined) return fail(`expected ${expectedText(t)}, got '${text}'`);
      if (t.name === 'ct_label') {
        return n < 128n ? ok({ kind: 'int', value: 1n << n }) : fail(`expected a label bit number 0-127, got '${text}'`);
      }
      if (n > max || (t.max !== undefined && n > t.max)) return fail(`expected ${expectedText(t)}, got '${text}' (too large${t.max !== undefined ? `: at most ${t.max}` : ` for ${t.bits} bits`})`);
      return ok({ kind: 'int', value: n });
    }
  }
}

/** Largest value of a type, for ranges such as `tcp dport 1024-` and masks. */
export function maxValue(t: Datatype): bigint {
  return t.bits >= 128 ? (1n << 128n) - 1n : (1n << BigInt(t.bits)) - 1n;
}
