import { describe, expect, it } from 'vitest';
import { buildFrame, buildIpPacket, frameProblem, internetChecksum, parseMac, tagLimit } from './frame.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';

function pkt(text: string, extra: Record<string, unknown> = {}): Packet {
  const r = packetFromText(text, extra);
  if (!r.packet) throw new Error(r.errors.join('; '));
  return r.packet;
}

/** Sum of the pseudo-header and the transport bytes; a correct checksum makes it 0. */
function transportSum(ip: Uint8Array, v6: boolean, proto: number): number {
  const hl = v6 ? 40 : 20;
  const l4 = ip.slice(hl);
  const pseudo = v6 ? new Uint8Array(40) : new Uint8Array(12);
  if (v6) {
    pseudo.set(ip.slice(8, 40), 0);
    new DataView(pseudo.buffer).setUint32(32, l4.length);
    pseudo[39] = proto;
  } else {
    pseudo.set(ip.slice(12, 20), 0);
    pseudo[9] = proto;
    new DataView(pseudo.buffer).setUint16(10, l4.length);
  }
  const all = new Uint8Array(pseudo.length + l4.length);
  all.set(pseudo, 0);
  all.set(l4, pseudo.length);
  return internetChecksum(all);
}

describe('frames built from packets', () => {
  it('IPv4 TCP: exact length, fields in place, both checksums valid', () => {
    const p = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags SA ttl 7 len 100 tos 16');
    const ip = buildIpPacket(p, 4660);
    expect(ip.length).toBe(100);
    const v = new DataView(ip.buffer);
    expect(ip[0]).toBe(0x45);
    expect(ip[1]).toBe(16);
    expect(v.getUint16(2)).toBe(100);
    expect(v.getUint16(4)).toBe(4660);
    expect(ip[8]).toBe(7);
    expect(ip[9]).toBe(6);
    expect([...ip.slice(12, 20)]).toEqual([198, 18, 0, 5, 198, 19, 0, 2]);
    expect(internetChecksum(ip, 0, 20)).toBe(0);
    expect(v.getUint16(20)).toBe(40000);
    expect(v.getUint16(22)).toBe(22);
    expect(ip[33]).toBe(0x12);
    expect((ip[32] ?? 0) >> 4).toBe(5);
    expect(transportSum(ip, false, 6)).toBe(0);
  });

  it('a known IPv4 header checksum (RFC 1071 style example)', () => {
    const h = Uint8Array.from([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
    expect(internetChecksum(h)).toBe(0xb861);
  });

  it('IPv4 UDP and ICMP checksums; ICMP echo carries the tag as identifier', () => {
    const u = buildIpPacket(pkt('udp 198.18.1.1:5353 -> 198.19.9.9:53 len 61'), 9);
    expect(u.length).toBe(61);
    expect(new DataView(u.buffer).getUint16(24)).toBe(41);
    expect(transportSum(u, false, 17)).toBe(0);
    const e = buildIpPacket(pkt('icmp 198.18.1.1 -> 198.19.9.9 type 8 code 0'), 77);
    expect(e.length).toBe(28);
    expect(internetChecksum(e, 20, 28)).toBe(0);
    expect(new DataView(e.buffer).getUint16(24)).toBe(77);
    const err = buildIpPacket(pkt('icmp 198.18.1.1 -> 198.19.9.9 type 3 code 4 len 40'), 78);
    expect(internetChecksum(err, 20, 40)).toBe(0);
    expect(new DataView(err.buffer).getUint16(24)).toBe(0);
  });

  it('IPv6: version, traffic class, flow label tag, payload length, hop limit, checksums', () => {
    const p = pkt('tcp [fd00:f00d:18::5]:1 -> [fd00:f00d:19::7]:443 flags S ttl 0 len 75 tos 0xb8');
    const ip = buildIpPacket(p, 0xabcde);
    const v = new DataView(ip.buffer);
    expect(ip.length).toBe(75);
    expect(v.getUint32(0) >>> 28).toBe(6);
    expect((v.getUint32(0) >>> 20) & 0xff).toBe(0xb8);
    expect(v.getUint32(0) & 0xfffff).toBe(0xabcde);
    expect(v.getUint16(4)).toBe(35);
    expect(ip[6]).toBe(6);
    expect(ip[7]).toBe(0);
    expect(transportSum(ip, true, 6)).toBe(0);
    const i6 = buildIpPacket(pkt('icmpv6 fd00:f00d:18::5 -> fd00:f00d:19::7 type 135'), 5);
    expect(i6.length).toBe(48);
    expect(transportSum(i6, true, 58)).toBe(0);
  });

  it('Ethernet framing and MAC parsing', () => {
    const ip = buildIpPacket(pkt('udp 198.18.1.1:1 -> 198.19.1.1:2'), 1);
    const f = buildFrame(ip, 'ipv4', '02:fd:00:00:00:01', '02:fd:00:00:01:01');
    expect(f.length).toBe(14 + 28);
    expect([...f.slice(0, 6)]).toEqual([2, 0xfd, 0, 0, 1, 1]);
    expect([...f.slice(6, 12)]).toEqual([2, 0xfd, 0, 0, 0, 1]);
    expect([f[12], f[13]]).toEqual([0x08, 0x00]);
    expect(() => parseMac('02:fd:00')).toThrow(/bad MAC/);
  });

  it('refuses what it cannot build exactly', () => {
    expect(frameProblem(pkt('tcp 198.18.0.5:1 -> 198.19.0.2:2', { length: 39 }))).toMatch(/below the 40 bytes/);
    expect(frameProblem(pkt('tcp 198.18.0.5:1 -> 198.19.0.2:2', { length: 1501 }))).toMatch(/exceeds the 1500-byte MTU/);
    expect(frameProblem({ ...pkt('udp 198.18.0.5:1 -> 198.19.0.2:2'), fragment: true })).toMatch(/fragments/);
    expect(frameProblem(pkt('udp 198.18.0.5:1 -> 198.19.0.2:2'))).toBeUndefined();
    expect(() => buildIpPacket(pkt('udp 198.18.0.5:1 -> 198.19.0.2:2'), tagLimit('ipv4'))).toThrow(/tag/);
  });
});
