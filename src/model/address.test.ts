import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressIn, anyAddress, cidrSet, complementAddresses, describeAddresses, formatIpv4, formatIpv6,
  intervalToCidrs, parseAddress, parseCidr, parseIpv4, parseIpv6, prefixInterval, rangeSet, IPV4_MAX, IPV6_MAX,
} from './address.js';

describe('IPv4', () => {
  it('parses and formats the edges', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0n);
    expect(parseIpv4('255.255.255.255')).toBe(IPV4_MAX);
    expect(formatIpv4(IPV4_MAX)).toBe('255.255.255.255');
    expect(parseIpv4('256.0.0.1')).toBeUndefined();
    expect(parseIpv4('1.2.3')).toBeUndefined();
    expect(parseIpv4('01.2.3.4')).toBeUndefined();
    expect(parseIpv4('1.2.3.4 ')).toBeUndefined();
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: IPV4_MAX }), (v) => {
      expect(parseIpv4(formatIpv4(v))).toBe(v);
    }));
  });

  it('prefixes cover the right interval, /0 and /32 included', () => {
    expect(prefixInterval('ipv4', 0n, 0)).toEqual([0n, IPV4_MAX]);
    const host = parseIpv4('198.18.0.5') as bigint;
    expect(prefixInterval('ipv4', host, 32)).toEqual([host, host]);
    expect(parseCidr('198.18.0.77/24')).toEqual({ family: 'ipv4', value: parseIpv4('198.18.0.77'), length: 24 });
    expect(parseCidr('198.18.0.0/255.255.254.0')?.length).toBe(23);
    expect(parseCidr('198.18.0.0/255.0.255.0')).toBeUndefined();
    expect(parseCidr('198.18.0.0/33')).toBeUndefined();
    const s = cidrSet(parseCidr('198.18.0.77/24')!);
    expect(addressIn(s, parseAddress('198.18.0.0')!)).toBe(true);
    expect(addressIn(s, parseAddress('198.18.0.255')!)).toBe(true);
    expect(addressIn(s, parseAddress('198.18.1.0')!)).toBe(false);
    expect(addressIn(s, parseAddress('fd00:f00d::1')!)).toBe(false);
  });
});

describe('IPv6', () => {
  it('parses the compressed and embedded forms', () => {
    expect(parseIpv6('::')).toBe(0n);
    expect(parseIpv6('::1')).toBe(1n);
    expect(parseIpv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(IPV6_MAX);
    expect(parseIpv6('fd00:f00d::')).toBe(0xfd00f00dn << 96n);
    expect(parseIpv6('::ffff:198.18.0.1')).toBe((0xffffn << 32n) | (parseIpv4('198.18.0.1') as bigint));
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7::8')).toBeUndefined();
    expect(parseIpv6('12345::')).toBeUndefined();
  });

  it('formats per RFC 5952', () => {
    expect(formatIpv6(0n)).toBe('::');
    expect(formatIpv6(1n)).toBe('::1');
    expect(formatIpv6(parseIpv6('fd00:f00d:0:0:1:0:0:0')!)).toBe('fd00:f00d:0:0:1::');
    expect(formatIpv6(parseIpv6('1:0:0:2:0:0:3:4')!)).toBe('1::2:0:0:3:4');
    expect(formatIpv6(parseIpv6('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7');
    expect(formatIpv6(parseIpv6('FD00::A')!)).toBe('fd00::a');
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: IPV6_MAX }), (v) => {
      expect(parseIpv6(formatIpv6(v))).toBe(v);
    }));
  });
});

describe('address sets', () => {
  it('intervalToCidrs covers exactly the interval', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: IPV4_MAX }), fc.bigInt({ min: 0n, max: 70000n }), (lo, span) => {
      const hi = lo + span > IPV4_MAX ? IPV4_MAX : lo + span;
      const cidrs = intervalToCidrs('ipv4', lo, hi);
      let next = lo;
      for (const c of cidrs) {
        const [a, b] = prefixInterval('ipv4', c.value, c.length);
        expect(a).toBe(next);
        next = b + 1n;
      }
      expect(next).toBe(hi + 1n);
    }));
  });

  it('describes sets compactly', () => {
    expect(describeAddresses(anyAddress('ipv4'))).toBe('0.0.0.0/0');
    expect(describeAddresses(cidrSet(parseCidr('198.19.0.0/16')!))).toBe('198.19.0.0/16');
    expect(describeAddresses(complementAddresses(cidrSet(parseCidr('128.0.0.0/1')!)))).toBe('0.0.0.0/1');
    expect(describeAddresses(rangeSet('ipv4', parseIpv4('198.18.0.1')!, parseIpv4('198.18.0.9')!))).toBe('198.18.0.1-198.18.0.9');
    expect(describeAddresses(cidrSet(parseCidr('fd00:f00d::/32')!))).toBe('fd00:f00d::/32');
  });
});
