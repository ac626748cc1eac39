import { describe, expect, it } from 'vitest';
import { prefixOf, readCidr, readPortRange, readRange, readU64, readUint, readValueMask } from './values.js';

describe('numbers as libxtables reads them', () => {
  it('accepts decimal, 0x hex and 0 octal within bounds', () => {
    expect(readUint('22', 0, 65535)).toBe(22);
    expect(readUint('0x16', 0, 65535)).toBe(22);
    expect(readUint('026', 0, 65535)).toBe(22);
    expect(readUint('0', 0, 1)).toBe(0);
    expect(readUint('65536', 0, 65535)).toBeUndefined();
    expect(readUint('-1', 0, 65535)).toBeUndefined();
    expect(readUint('', 0, 1)).toBeUndefined();
    expect(readUint('09', 0, 99)).toBeUndefined();
  });

  it('reads 64-bit counters exactly', () => {
    expect(readU64('18446744073709551615')).toBe(0xffffffffffffffffn);
    expect(readU64('18446744073709551616')).toBeUndefined();
    expect(readU64('010')).toBe(8n);
  });
});

describe('port ranges', () => {
  const ok = (s: string) => { const r = readPortRange(s); return r.ok ? r.value : r.message; };
  it('reads single ports, closed and open ranges, and service names', () => {
    expect(ok('22')).toEqual([22, 22]);
    expect(ok('1024:')).toEqual([1024, 65535]);
    expect(ok(':1023')).toEqual([0, 1023]);
    expect(ok(':')).toEqual([0, 65535]);
    expect(ok('ssh:http')).toEqual([22, 80]);
    expect(ok('4:4')).toEqual([4, 4]);
  });

  it('refuses reversed ranges and ports out of range, saying why', () => {
    expect(ok('4:3')).toBe('the range 4:3 is empty: its start 4 is above its end 3');
    expect(ok('65536')).toBe("expected a port in 0-65535, got '65536'");
    expect(ok('nosuchservice')).toBe("expected a port in 0-65535, got 'nosuchservice'");
  });

  it('reads plain numeric ranges with their own bounds', () => {
    const r = readRange(':32', 0, 0xffffffff);
    expect(r.ok && r.value).toEqual([0, 32]);
  });
});

describe('value/mask pairs and addresses', () => {
  it('defaults the mask to all ones', () => {
    expect(readValueMask('0x10')).toEqual({ ok: true, value: { value: 16, mask: 0xffffffff, masked: false } });
    expect(readValueMask('1/0xff')).toEqual({ ok: true, value: { value: 1, mask: 255, masked: true } });
    expect(readValueMask('0x100000000').ok).toBe(false);
  });

  it('keeps the address as written and knows contiguous masks', () => {
    const r = readCidr('10.11.12.13/255.0.255.0', 'ipv4');
    expect(r.ok && r.value).toEqual({ value: 0x0a0b0c0dn, mask: 0xff00ff00n });
    const p = readCidr('10.11.12.13/255.128.0.0', 'ipv4');
    expect(p.ok && p.value).toEqual({ value: 0x0a0b0c0dn, mask: 0xff800000n, prefix: 9 });
    const v6 = readCidr('::1/ffff:ffff::', 'ipv6');
    expect(v6.ok && v6.value.prefix).toBe(32);
  });

  it('refuses other families, bad prefixes and leading zeros', () => {
    expect(readCidr('::1', 'ipv4').ok).toBe(false);
    expect(readCidr('10.0.0.0/33', 'ipv4').ok).toBe(false);
    expect(readCidr('010.0.0.1', 'ipv4').ok).toBe(false);
    expect(readCidr('1.2.3', 'ipv4').ok).toBe(false);
  });

  it('computes prefix lengths of masks', () => {
    expect(prefixOf('ipv4', 0xffffff00n)).toBe(24);
    expect(prefixOf('ipv4', 0n)).toBe(0);
    expect(prefixOf('ipv4', 0xffffffffn)).toBe(32);
    expect(prefixOf('ipv4', 0xff00ff00n)).toBeUndefined();
  });
});
