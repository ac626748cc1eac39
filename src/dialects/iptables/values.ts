/**
 * Argument readers shared by the extensions: numbers as libxtables reads them (strtoul base 0),
 * ports and port ranges (with service names), value/mask pairs, and IPv4/IPv6 addresses.
 */
import { parseIpv6 } from '../../model/address.js';
import { type ArgResult, ok, bad } from './extension.js';
import { parseCNumber } from './protocols.js';
import { lookupService } from './services.js';
import type { IpFamily } from './syntax.js';

export const U32_MAX = 0xffffffff;

/** An unsigned number in [min, max] (decimal, 0x hex or 0 octal). */
export function readUint(text: string, min: number, max: number): number | undefined {
  const n = parseCNumber(text);
  return n === undefined || n < min || n > max ? undefined : n;
}

export function uint(min: number, max: number, what = 'a number') {
  return (args: readonly string[]): ArgResult<number> => {
    const text = args[0] ?? '';
    const n = readUint(text, min, max);
    return n === undefined ? bad(`expected ${what} in ${min}-${max}, got '${text}'`) : ok(n);
  };
}

/** An unsigned 64-bit number, exact. */
export function readU64(text: string): bigint | undefined {
  if (!/^(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(text)) return undefined;
  const v = BigInt(text.startsWith('0x') || text === '0' ? text : text.startsWith('0') ? `0o${text.slice(1)}` : text);
  return v <= 0xffffffffffffffffn ? v : undefined;
}

/** A port number or service name (iptables asks for a service first; none is all digits). */
export function readPort(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const n = readUint(text, 0, 65535);
    if (n !== undefined) return n;
  }
  const s = lookupService(text);
  if (s !== undefined) return s;
  return readUint(text, 0, 65535);
}

export type Range = readonly [number, number];

/**
 * `a`, `a:b`, `a:`, `:b` or `:` with ports or service names (the tcp/udp form).
 * An empty side means 0 or 65535; `a:b` with a > b is an error.
 */
export function readPortRange(text: string): ArgResult<Range> {
  return readRange(text, 0, 65535, readPort, 'port');
}

/** The same shape over plain numbers in [min, max] (`--length`, `--espspi`, `--mh-type`). */
export function readRange(
  text: string, min: number, max: number,
  one: (s: string) => number | undefined = (s) => readUint(s, min, max), what = 'number',
): ArgResult<Range> {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const v = one(text);
    return v === undefined ? bad(`expected a ${what} in ${min}-${max}, got '${text}'`) : ok([v, v]);
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const lo = a === '' ? min : one(a);
  const hi = b === '' ? max : one(b);
  if (lo === undefined) return bad(`expected a ${what} in ${min}-${max}, got '${a}'`);
  if (hi === undefined) return bad(`expected a ${what} in ${min}-${max}, got '${b}'`);
  if (lo > hi) return bad(`the range ${text} is empty: its start ${lo} is above its end ${hi}`);
  return ok([lo, hi]);
}

export function portRange(args: readonly string[]): ArgResult<Range> {
  return readPortRange(args[0] ?? '');
}

/** `a` or `a:b` as iptables-save prints a range. */
export function showRange(r: Range): string {
  return r[0] === r[1] ? String(r[0]) : `${r[0]}:${r[1]}`;
}

export interface ValueMask {
  readonly value: number;
  readonly mask: number;
  /** Whether a mask was written. */
  readonly masked: boolean;
}

/** `value[/mask]` with 32-bit numbers (marks); the mask defaults to all ones. */
export function readValueMask(text: string, max = U32_MAX): ArgResult<ValueMask> {
  const slash = text.indexOf('/');
  const v = readUint(slash < 0 ? text : text.slice(0, slash), 0, max);
  if (v === undefined) return bad(`expected a number in 0-0x${max.toString(16)} (optionally /mask), got '${text}'`);
  if (slash < 0) return ok({ value: v, mask: max, masked: false });
  const m = readUint(text.slice(slash + 1), 0, max);
  if (m === undefined) return bad(`expected a mask in 0-0x${max.toString(16)} after '/', got '${text.slice(slash + 1)}'`);
  return ok({ value: v, mask: m, masked: true });
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/**
 * `a.b.c.d` or `a.b.c.d/len` (no leading zeros in the quad, as the model's parser; a length of 1-3
 * digits up to 32) read from character codes: `value * 64 + len` (len 32 without a `/`), or -1 for
 * anything else (the slow path decides). A hot path, so no regex and no allocation. Reads
 * text[from, to).
 */
export function scanCidr4(text: string, from = 0, to = text.length): number {
  const n = to;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = from;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else if (c === 47) break;
    else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  v = v * 256 + part;
  let len = 32;
  if (i < n) {
    if (n - i - 1 < 1 || n - i - 1 > 3) return -1;
    len = 0;
    for (let k = i + 1; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c < 48 || c > 57) return -1;
      len = len * 10 + (c - 48);
    }
    if (len > 32) return -1;
  }
  return v * 64 + len;
}

function fastCidr4(text: string): Cidr | undefined {
  const s = scanCidr4(text);
  if (s < 0) return undefined;
  const len = s % 64;
  return { value: BigInt((s - len) / 64), mask: maskOf('ipv4', len), prefix: len };
}

function fastIpv4(text: string): bigint | undefined {
  const s = text.indexOf('/') < 0 ? scanCidr4(text) : -1;
  return s < 0 ? undefined : BigInt((s - (s % 64)) / 64);
}

/** An address of the family, undefined otherwise. */
export function readAddress(text: string, family: IpFamily): bigint | undefined {
  return family === 'ipv4' ? fastIpv4(text) : parseIpv6(text);
}

export function familyBits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

const V4_MAX = 0xffffffffn;
const V6_MAX = (1n << 128n) - 1n;

export function familyMax(family: IpFamily): bigint {
  return family === 'ipv4' ? V4_MAX : V6_MAX;
}

const MASKS: Record<IpFamily, bigint[]> = { ipv4: [], ipv6: [] };
for (const family of ['ipv4', 'ipv6'] as const) {
  const bits = familyBits(family);
  for (let len = 0; len <= bits; len++) {
    const shift = BigInt(bits - len);
    MASKS[family].push(len === 0 ? 0n : (familyMax(family) >> shift) << shift);
  }
}

/** The mask of a prefix length. */
export function maskOf(family: IpFamily, len: number): bigint {
  return MASKS[family][len] as bigint;
}

/** The prefix length of a contiguous mask, undefined when it has holes. */
export function prefixOf(family: IpFamily, mask: bigint): number | undefined {
  const bits = familyBits(family);
  const inv = familyMax(family) ^ mask;
  // A contiguous mask's complement is 2^k - 1.
  if ((inv & (inv + 1n)) !== 0n) return undefined;
  return bits - inv.toString(2).replace(/^0$/, '').length;
}

export interface Cidr {
  readonly value: bigint;
  readonly mask: bigint;
  readonly prefix?: number;
}

/**
 * `addr`, `addr/len` or `addr/mask` (a mask written as an address may have holes). The value is
 * kept as written; `network` clears the host bits.
 */
export function readCidr(text: string, family: IpFamily): ArgResult<Cidr> {
  if (family === 'ipv4') {
    // Hot path: dotted quad with an optional prefix length, without regexes or substrings.
    const fast = fastCidr4(text);
    if (fast !== undefined) return ok(fast);
  }
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const m = slash < 0 ? '' : text.slice(slash + 1);
  const len = slash < 0 ? familyBits(family) : /^\d{1,3}$/.test(m) ? Number(m) : undefined;
  const value = readAddress(addrText, family);
  const fam = family === 'ipv4' ? 'an IPv4' : 'an IPv6';
  if (value === undefined) return bad(`expected ${fam} address, got '${addrText}'`);
  const bits = familyBits(family);
  if (len !== undefined) {
    if (len > bits) return bad(`expected a prefix length in 0-${bits}, got '${m}'`);
    return ok({ value, mask: maskOf(family, len), prefix: len });
  }
  const mask = readAddress(m, family);
  if (mask === undefined) return bad(`expected a prefix length in 0-${bits} or a netmask after '/', got '${m}'`);
  const prefix = prefixOf(family, mask);
  return ok(prefix === undefined ? { value, mask } : { value, mask, prefix });
}

/** `addr[/len]` (IPv4) → the network address with host bits cleared, as a bigint. */
export function ipv4Network(v: bigint, len: number): bigint {
  return len === 32 ? v : v & maskOf('ipv4', len);
}

export function network(c: Cidr): Cidr {
  const value = c.value & c.mask;
  if (value === c.value) return c;
  return c.prefix === undefined ? { value, mask: c.mask } : { value, mask: c.mask, prefix: c.prefix };
}
