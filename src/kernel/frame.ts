/**
 * Ethernet frames built byte for byte from a model Packet: IPv4 / IPv6 header, then TCP, UDP, ICMP,
 * ICMPv6 or a bare payload, zero-padded to exactly `packet.length` bytes of IP packet, with every
 * checksum correct (the kernel's conntrack checks them and would call a bad one INVALID).
 *
 * Each packet carries a tag the harness reads back from `nft monitor trace`: the IPv4
 * identification field or the IPv6 flow label. No rule the harness generates looks at either.
 */
import type { Packet } from '../model/packet.js';
import { minimalLength } from '../model/packet.js';

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;

/** Largest IP packet the harness sends (the veth MTU). */
export const MAX_IP_LENGTH = 1500;

/** The tag field's width: 16-bit IPv4 id, 20-bit IPv6 flow label. */
export function tagLimit(family: Packet['family']): number {
  return family === 'ipv4' ? 0x10000 : 0x100000;
}

/** Why a packet cannot be sent as given, or undefined when it can. */
export function frameProblem(p: Packet): string | undefined {
  const min = minimalLength(p.family, p.protocol);
  if (p.length < min) return `length ${p.length} is below the ${min} bytes of the ${p.family} and protocol ${p.protocol} headers`;
  if (p.length > MAX_IP_LENGTH) return `length ${p.length} exceeds the ${MAX_IP_LENGTH}-byte MTU of the test link`;
  if (p.fragment) return 'fragments are not injected (the kernel would hold them for reassembly)';
  if (p.family === 'ipv4' && (p.protocol === 58)) return 'ICMPv6 inside IPv4 is not injected';
  if (p.family === 'ipv6' && (p.protocol === 1)) return 'ICMP inside IPv6 is not injected';
  if (p.protocol === 132 || p.protocol === 33 || p.protocol === 136) return `protocol ${p.protocol} is not injected (its checksum or header is not built)`;
  return undefined;
}

/** One's-complement sum of 16-bit words (not yet complemented). */
function sum16(buf: Uint8Array, start: number, end: number, acc = 0): number {
  let s = acc;
  let i = start;
  for (; i + 1 < end; i += 2) s += ((buf[i] as number) << 8) | (buf[i + 1] as number);
  if (i < end) s += (buf[i] as number) << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function fold(s: number): number {
  let x = s;
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return (~x) & 0xffff;
}

/** The Internet checksum of buf[start, end). */
export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  return fold(sum16(buf, start, end));
}

function writeAddress(buf: Uint8Array, at: number, value: bigint, bytes: number): void {
  for (let i = 0; i < bytes; i++) buf[at + i] = Number((value >> BigInt(8 * (bytes - 1 - i))) & 0xffn);
}

function put16(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >>> 8) & 0xff;
  buf[at + 1] = v & 0xff;
}

function put32(buf: Uint8Array, at: number, v: number): void {
  put16(buf, at, (v >>> 16) & 0xffff);
  put16(buf, at + 2, v & 0xffff);
}

/** Pseudo-header sum for the transport checksum (RFC 793 / RFC 8200 §8.1). */
function pseudoSum(buf: Uint8Array, family: Packet['family'], l4len: number, proto: number): number {
  const [srcAt, addrLen] = family === 'ipv4' ? [12, 8] : [8, 32];
  let s = sum16(buf, srcAt, srcAt + addrLen);
  s += proto;
  s += l4len >>> 16;
  s += l4len & 0xffff;
  return s;
}

/** Sequence number of generated TCP segments; any value does for a first packet. */
const TCP_SEQ = 0x46570001;

/**
 * The IP packet (no Ethernet header) for `p`, tagged with `tag`. Throws on a packet frameProblem
 * rejects: callers check first; reaching it here is a bug.
 */
export function buildIpPacket(p: Packet, tag: number): Uint8Array {
  const problem = frameProblem(p);
  if (problem !== undefined) throw new Error(`cannot build a frame: ${problem}`);
  if (!Number.isInteger(tag) || tag < 0 || tag >= tagLimit(p.family)) throw new Error(`tag ${tag} out of range for ${p.family}`);
  const buf = new Uint8Array(p.length);
  const ipLen = p.family === 'ipv4' ? 20 : 40;
  if (p.family === 'ipv4') {
    buf[0] = 0x45;
    buf[1] = p.tos & 0xff;
    put16(buf, 2, p.length);
    put16(buf, 4, tag);
    put16(buf, 6, 0);
    buf[8] = p.ttl & 0xff;
    buf[9] = p.protocol;
    writeAddress(buf, 12, p.src, 4);
    writeAddress(buf, 16, p.dst, 4);
    put16(buf, 10, internetChecksum(buf, 0, 20));
  } else {
    put32(buf, 0, ((6 << 28) | ((p.tos & 0xff) << 20) | (tag & 0xfffff)) >>> 0);
    put16(buf, 4, p.length - 40);
    buf[6] = p.protocol;
    buf[7] = p.ttl & 0xff;
    writeAddress(buf, 8, p.src, 16);
    writeAddress(buf, 24, p.dst, 16);
  }
  const l4 = ipLen;
  const l4len = p.length - ipLen;
  switch (p.protocol) {
    case 6: {
      put16(buf, l4, p.sport ?? 0);
      put16(buf, l4 + 2, p.dport ?? 0);
      put32(buf, l4 + 4, TCP_SEQ);
      put32(buf, l4 + 8, (p.tcpFlags & 0x10) !== 0 ? 1 : 0);
      buf[l4 + 12] = 5 << 4;
      buf[l4 + 13] = p.tcpFlags & 0xff;
      put16(buf, l4 + 14, 64240);
      put16(buf, l4 + 16, fold(sum16(buf, l4, p.length, pseudoSum(buf, p.family, l4len, 6))));
      break;
    }
    case 17: {
      put16(buf, l4, p.sport ?? 0);
      put16(buf, l4 + 2, p.dport ?? 0);
      put16(buf, l4 + 4, l4len);
      const c = fold(sum16(buf, l4, p.length, pseudoSum(buf, p.family, l4len, 17)));
      put16(buf, l4 + 6, c === 0 ? 0xffff : c);
      break;
    }
    case 1:
    case 58: {
      buf[l4] = (p.icmpType ?? 0) & 0xff;
      buf[l4 + 1] = (p.icmpCode ?? 0) & 0xff;
      if (isEchoLike(p)) {
        put16(buf, l4 + 4, tag & 0xffff);
        put16(buf, l4 + 6, 1);
      }
      const acc = p.protocol === 58 ? pseudoSum(buf, p.family, l4len, 58) : 0;
      put16(buf, l4 + 2, fold(sum16(buf, l4, p.length, acc)));
      break;
    }
    default:
      break;
  }
  return buf;
}

/** ICMP messages whose header carries an identifier (echo, timestamp, info, address mask). */
function isEchoLike(p: Packet): boolean {
  const t = p.icmpType ?? -1;
  return p.protocol === 1 ? [0, 8, 13, 14, 15, 16, 17, 18].includes(t) : [128, 129].includes(t);
}

/** Parses `02:fd:00:00:00:01` into 6 bytes. */
export function parseMac(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((x) => !/^[0-9a-fA-F]{2}$/.test(x))) throw new Error(`bad MAC address '${mac}'`);
  return Uint8Array.from(parts.map((x) => parseInt(x, 16)));
}

/** The Ethernet frame carrying `ip` from `srcMac` to `dstMac`. */
export function buildFrame(ip: Uint8Array, family: Packet['family'], srcMac: string, dstMac: string): Uint8Array {
  const frame = new Uint8Array(14 + ip.length);
  frame.set(parseMac(dstMac), 0);
  frame.set(parseMac(srcMac), 6);
  put16(frame, 12, family === 'ipv4' ? ETH_IPV4 : ETH_IPV6);
  frame.set(ip, 14);
  return frame;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
