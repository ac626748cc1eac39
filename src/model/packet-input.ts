/**
 * Packets from the JSON contract of DESIGN.md and from the one-line text form of the CLI
 * (`tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S in eth0`). Errors are returned, never thrown.
 */
import { type Family, parseAddress, formatValue } from './address.js';
import { type CtState, CT_STATES, type PktType } from './match.js';
import { type Packet, TCP_FLAGS, minimalLength, formatTcpFlags } from './packet.js';
import { parseProtocol, protocolName, hasPorts } from './protocol.js';
import { type Hook, HOOKS } from './ruleset.js';

export interface PacketResult {
  readonly packet?: Packet;
  readonly errors: readonly string[];
}

/** The JSON shape of DESIGN.md's packet contract. */
export interface PacketJson {
  family?: string;
  protocol: string | number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  tcpFlags?: string;
  icmpType?: number;
  icmpCode?: number;
  iif?: string;
  oif?: string;
  ttl?: number;
  length?: number;
  tos?: number;
  mark?: number;
  ctstate?: string;
  hook?: string;
}

function parseFlags(text: string, errors: string[]): number {
  let f = 0;
  for (const ch of text.toUpperCase()) {
    const bit = (TCP_FLAGS as Record<string, number>)[ch];
    if (bit === undefined) errors.push(`tcpFlags: unknown flag letter '${ch}' (expected letters of FSRPAUEC)`);
    else f |= bit;
  }
  return f;
}

function intIn(name: string, v: unknown, lo: number, hi: number, errors: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < lo || n > hi) {
    errors.push(`${name}: expected an integer in ${lo}-${hi}, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return n;
}

/** Builds a packet from loose fields, filling defaults the way a first packet of a flow looks. */
export function packetFromJson(obj: unknown): PacketResult {
  const errors: string[] = [];
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { errors: ['expected a JSON object'] };
  const o = obj as Record<string, unknown>;
  const srcA = typeof o.src === 'string' ? parseAddress(o.src) : undefined;
  const dstA = typeof o.dst === 'string' ? parseAddress(o.dst) : undefined;
  if (!srcA) errors.push(`src: expected an IPv4 or IPv6 address, got ${JSON.stringify(o.src)}`);
  if (!dstA) errors.push(`dst: expected an IPv4 or IPv6 address, got ${JSON.stringify(o.dst)}`);
  let fam: Family | undefined = srcA?.family ?? dstA?.family;
  if (o.family !== undefined) {
    if (o.family !== 'ipv4' && o.family !== 'ipv6') errors.push(`family: expected "ipv4" or "ipv6", got ${JSON.stringify(o.family)}`);
    else fam = o.family;
  }
  if (srcA && dstA && srcA.family !== dstA.family) errors.push('src and dst are of different address families');
  if (fam && srcA && srcA.family !== fam) errors.push(`src ${String(o.src)} is not an ${fam} address`);
  const proto = typeof o.protocol === 'number' ? intIn('protocol', o.protocol, 0, 255, errors)
    : typeof o.protocol === 'string' ? parseProtocol(o.protocol) : undefined;
  if (proto === undefined && typeof o.protocol !== 'number') {
    errors.push(`protocol: expected tcp, udp, icmp, icmpv6 or a number, got ${JSON.stringify(o.protocol)}`);
  }
  const hook = o.hook === undefined ? 'input' : String(o.hook);
  if (!HOOKS.includes(hook as Hook)) errors.push(`hook: expected one of ${HOOKS.join(', ')}, got ${JSON.stringify(o.hook)}`);
  const ct = o.ctstate === undefined ? undefined : String(o.ctstate).toLowerCase();
  if (ct !== undefined && !CT_STATES.includes(ct as CtState)) {
    errors.push(`ctstate: expected one of new, established, related, invalid, untracked, got ${JSON.stringify(o.ctstate)}`);
  }
  const sport = intIn('sport', o.sport, 0, 65535, errors);
  const dport = intIn('dport', o.dport, 0, 65535, errors);
  const icmpType = intIn('icmpType', o.icmpType, 0, 255, errors);
  const icmpCode = intIn('icmpCode', o.icmpCode, 0, 255, errors);
  const ttl = intIn('ttl', o.ttl, 0, 255, errors);
  const length = intIn('length', o.length, 0, 65535, errors);
  const tos = intIn('tos', o.tos, 0, 255, errors);
  const mark = intIn('mark', o.mark, 0, 0xffffffff, errors);
  const connmark = intIn('connmark', o.connmark, 0, 0xffffffff, errors);
  const tcpFlags = typeof o.tcpFlags === 'string' ? parseFlags(o.tcpFlags, errors) : undefined;
  for (const k of ['iif', 'oif'] as const) {
    if (o[k] !== undefined && (typeof o[k] !== 'string' || (o[k] as string).length > 15)) {
      errors.push(`${k}: expected an interface name of at most 15 characters`);
    }
  }
  if (proto !== undefined && hasPorts(proto) && dport === undefined && o.dport === undefined) {
    errors.push(`dport: a ${protocolName(proto)} packet needs a destination port`);
  }
  if (errors.length > 0 || !srcA || !dstA || proto === undefined || !fam) return { errors };
  const isTcp = proto === 6;
  const ported = hasPorts(proto);
  const packet: Packet = {
    family: fam,
    protocol: proto,
    src: srcA.value,
    dst: dstA.value,
    ...(ported && dport !== undefined ? { sport: sport ?? 40000, dport } : {}),
    ...(proto === 1 || proto === 58 ? { icmpType: icmpType ?? (proto === 1 ? 8 : 128), icmpCode: icmpCode ?? 0 } : {}),
    tcpFlags: isTcp ? (tcpFlags ?? TCP_FLAGS.S) : 0,
    ...(typeof o.iif === 'string' ? { iif: o.iif } : {}),
    ...(typeof o.oif === 'string' ? { oif: o.oif } : {}),
    ttl: ttl ?? 64,
    length: length ?? minimalLength(fam, proto),
    tos: tos ?? 0,
    mark: mark ?? 0,
    connmark: connmark ?? 0,
    ...(ct !== undefined ? { ctstate: ct as CtState } : {}),
    hook: hook as Hook,
    fragment: o.fragment === true,
    ...(typeof o.pkttype === 'string' ? { pkttype: o.pkttype as PktType } : {}),
    ...(typeof o.uid === 'number' ? { uid: o.uid } : {}),
    ...(typeof o.gid === 'number' ? { gid: o.gid } : {}),
  };
  return { packet, errors: [] };
}

/** The JSON contract form of a packet (the inverse of packetFromJson). */
export function packetToJson(p: Packet): PacketJson & Record<string, unknown> {
  const out: PacketJson & Record<string, unknown> = {
    family: p.family,
    protocol: p.protocol === 6 || p.protocol === 17 || p.protocol === 1 || p.protocol === 58 ? protocolName(p.protocol) : p.protocol,
    src: formatValue(p.family, p.src),
    dst: formatValue(p.family, p.dst),
  };
  if (p.sport !== undefined) out.sport = p.sport;
  if (p.dport !== undefined) out.dport = p.dport;
  if (p.protocol === 6) out.tcpFlags = formatTcpFlags(p.tcpFlags);
  if (p.icmpType !== undefined) out.icmpType = p.icmpType;
  if (p.icmpCode !== undefined) out.icmpCode = p.icmpCode;
  if (p.iif !== undefined) out.iif = p.iif;
  if (p.oif !== undefined) out.oif = p.oif;
  out.ttl = p.ttl;
  out.length = p.length;
  if (p.tos !== 0) out.tos = p.tos;
  if (p.mark !== 0) out.mark = p.mark;
  if (p.ctstate !== undefined) out.ctstate = p.ctstate;
  if (p.hook !== 'input') out.hook = p.hook;
  return out;
}

function splitHostPort(text: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) return v6[2] === undefined ? { host: v6[1] as string } : { host: v6[1] as string, port: v6[2] };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = text.split(':') as [string, string];
    return { host, port };
  }
  return { host: text };
}

const TEXT_KEYS: Readonly<Record<string, string>> = {
  flags: 'tcpFlags', type: 'icmpType', code: 'icmpCode', in: 'iif', iif: 'iif', out: 'oif', oif: 'oif',
  ttl: 'ttl', hl: 'ttl', len: 'length', length: 'length', tos: 'tos', mark: 'mark', state: 'ctstate',
  ctstate: 'ctstate', hook: 'hook', connmark: 'connmark', uid: 'uid', gid: 'gid',
};

/**
 * `PROTO SRC[:PORT] -> DST[:PORT] [key value]…`, e.g.
 * `tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags SA in eth0`, `icmp 198.18.0.5 -> 198.19.0.2 type 8`,
 * `udp [fd00:f00d::5]:5353 -> [fd00:f00d::1]:53`.
 */
export function packetFromText(text: string, defaults: Record<string, unknown> = {}): PacketResult {
  const words = text.trim().split(/\s+/);
  const arrow = words.indexOf('->');
  if (words.length < 4 || arrow !== 2) {
    return { errors: [`expected 'PROTO SRC[:PORT] -> DST[:PORT] [key value]…', got '${text}'`] };
  }
  const [proto, from, , to, ...rest] = words as [string, string, string, string, ...string[]];
  const obj: Record<string, unknown> = { ...defaults, protocol: proto };
  const a = splitHostPort(from);
  const b = splitHostPort(to);
  obj.src = a.host;
  obj.dst = b.host;
  const errors: string[] = [];
  if (a.port !== undefined) obj.sport = /^\d+$/.test(a.port) ? Number(a.port) : a.port;
  if (b.port !== undefined) obj.dport = /^\d+$/.test(b.port) ? Number(b.port) : b.port;
  for (let i = 0; i < rest.length; i += 2) {
    const key = TEXT_KEYS[(rest[i] as string).toLowerCase()];
    const value = rest[i + 1];
    if (key === undefined || value === undefined) {
      errors.push(`unknown or incomplete packet option '${rest[i] ?? ''}' (known: ${Object.keys(TEXT_KEYS).join(', ')})`);
      continue;
    }
    obj[key] = /^(0x[0-9a-f]+|\d+)$/i.test(value) && key !== 'iif' && key !== 'oif' ? Number(value) : value;
  }
  if (errors.length > 0) return { errors };
  return packetFromJson(obj);
}

/** One-line human form, the inverse of packetFromText for the fields it shows. */
export function formatPacket(p: Packet): string {
  const host = (v: bigint, port?: number): string => {
    const a = formatValue(p.family, v);
    if (port === undefined) return a;
    return p.family === 'ipv6' ? `[${a}]:${port}` : `${a}:${port}`;
  };
  let s = `${protocolName(p.protocol)} ${host(p.src, p.sport)} -> ${host(p.dst, p.dport)}`;
  if (p.protocol === 6) s += ` flags ${formatTcpFlags(p.tcpFlags) || '-'}`;
  if (p.icmpType !== undefined) s += ` type ${p.icmpType} code ${p.icmpCode ?? 0}`;
  if (p.iif !== undefined) s += ` in ${p.iif}`;
  if (p.oif !== undefined) s += ` out ${p.oif}`;
  return s;
}
