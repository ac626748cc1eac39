import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from './address.js';
import { formatPacket, packetFromJson, packetFromText, packetToJson } from './packet-input.js';

describe('packets from JSON', () => {
  it('fills the defaults of a first packet', () => {
    const r = packetFromJson({ protocol: 'tcp', src: '198.18.0.5', dst: '198.19.0.2', dport: 22 });
    expect(r.errors).toEqual([]);
    expect(r.packet).toMatchObject({
      family: 'ipv4', protocol: 6, src: parseIpv4('198.18.0.5'), dst: parseIpv4('198.19.0.2'),
      sport: 40000, dport: 22, tcpFlags: 0x02, ttl: 64, length: 40, hook: 'input', fragment: false,
    });
  });

  it('reads the DESIGN.md example and writes it back', () => {
    const input = { family: 'ipv4', protocol: 'tcp', src: '198.18.0.5', dst: '198.19.0.2', sport: 40000, dport: 22,
      tcpFlags: 'S', iif: 'eth0', ttl: 64, length: 60 };
    const r = packetFromJson(input);
    expect(packetToJson(r.packet!)).toEqual(input);
  });

  it('collects every error with the field name', () => {
    const r = packetFromJson({ protocol: 'tcpx', src: '198.18.0.300', dst: 'fd00:f00d::1', dport: 70000, tcpFlags: 'SX' });
    expect(r.packet).toBeUndefined();
    expect(r.errors).toEqual(expect.arrayContaining([
      expect.stringContaining('src: expected an IPv4 or IPv6 address'),
      expect.stringContaining('protocol: expected tcp, udp, icmp, icmpv6 or a number'),
      expect.stringContaining('dport: expected an integer in 0-65535, got 70000'),
      expect.stringContaining("unknown flag letter 'X'"),
    ]));
  });

  it('rejects mixed families and bad hooks', () => {
    expect(packetFromJson({ protocol: 'udp', src: '198.18.0.1', dst: 'fd00:f00d::1' }).errors).toContain('src and dst are of different address families');
    expect(packetFromJson({ protocol: 'udp', src: '198.18.0.1', dst: '198.18.0.2', hook: 'inbound' }).errors[0]).toMatch(/^hook: expected one of/);
  });
});

describe('packets from text', () => {
  it('parses IPv4 and IPv6 with options', () => {
    const a = packetFromText('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags SA in eth0 ttl 3');
    expect(a.packet).toMatchObject({ sport: 40000, dport: 22, tcpFlags: 0x12, iif: 'eth0', ttl: 3 });
    const b = packetFromText('udp [fd00:f00d::5]:5353 -> [fd00:f00d::1]:53');
    expect(b.packet).toMatchObject({ family: 'ipv6', src: parseIpv6('fd00:f00d::5'), dport: 53, length: 48 });
    const c = packetFromText('icmp 198.18.0.5 -> 198.19.0.2 type 3 code 4');
    expect(c.packet).toMatchObject({ protocol: 1, icmpType: 3, icmpCode: 4 });
    expect(formatPacket(a.packet!)).toBe('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags SA in eth0');
    expect(formatPacket(b.packet!)).toBe('udp [fd00:f00d::5]:5353 -> [fd00:f00d::1]:53');
  });

  it('explains malformed text', () => {
    expect(packetFromText('tcp 198.18.0.5 198.19.0.2').errors[0]).toMatch(/expected 'PROTO SRC\[:PORT\] -> DST\[:PORT\]/);
    expect(packetFromText('tcp 1.2.3.4:1 -> 198.18.0.1:2 colour red').errors[0]).toMatch(/unknown or incomplete packet option 'colour'/);
  });
});
