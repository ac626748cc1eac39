import { describe, expect, it } from 'vitest';
import { and, or, not, bits, ctstate, eq, iface, num, opaque, protocol, src, dst, addr, type Match } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { explainMismatch } from './explain.js';
import type { MatchContext } from './evaluate-match.js';
import { cidr, pkt } from './testing.js';

const p = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S in eth1');
const icmp = pkt('icmp 198.18.0.5 -> 198.19.0.2 type 8 in eth1');
const ctx: MatchContext = { ctstate: 'new', ctstatus: [], mark: 0, connmark: 0 };

function why(m: Match, packet: Packet = p, c: MatchContext = ctx): string | undefined {
  return explainMismatch(m, packet, c);
}

describe('explainMismatch', () => {
  it('names the first failing predicate with the packet value', () => {
    expect(why(or(eq('dport', 80), eq('dport', 443)))).toBe('dport 22 ≠ 80 and dport 22 ≠ 443');
    expect(why(num('dport', [80, 80], [443, 443]))).toBe('dport 22 ∉ 80,443');
    expect(why(src(cidr('198.19.0.0/16')))).toBe('src 198.18.0.5 ∉ 198.19.0.0/16');
    expect(why(iface('in', 'eth0'))).toBe('in-interface eth1 ≠ eth0');
    expect(why(iface('in', 'fwo', true))).toBe('in-interface eth1 ≠ fwo+');
    expect(why(ctstate('established', 'related'))).toBe('ctstate NEW ∉ ESTABLISHED,RELATED');
    expect(why(protocol(17))).toBe('protocol tcp ≠ udp');
    expect(why(and(protocol(6), eq('dport', 80), src(cidr('10.0.0.0/8'))))).toBe('dport 22 ≠ 80');
    expect(why(num('dport', [1024, 65535]))).toBe('dport 22 ∉ 1024-65535');
  });

  it('is undefined when the match holds', () => {
    expect(why(and(protocol(6), eq('dport', 22)))).toBeUndefined();
  });

  it('explains a negation by what held', () => {
    expect(why(not(src(cidr('198.18.0.0/16'))))).toBe('src 198.18.0.5 ∈ 198.18.0.0/16');
    expect(why(not(dst(cidr('198.19.0.2/32'))))).toBe('dst 198.19.0.2 = 198.19.0.2');
    expect(why(not(iface('in', 'eth1')))).toBe('in-interface eth1 = eth1');
  });

  it('explains fields the packet does not have', () => {
    expect(why(eq('dport', 22), icmp)).toBe('dport: icmp packet has no ports');
    expect(why(not(eq('icmpType', 8)))).toBe('icmp-type: tcp packet is not ICMP');
    expect(why(addr('ctOrigSrc', cidr('198.18.0.0/16')), p, { ...ctx, ctstate: 'invalid' }))
      .toBe('ctorigsrc: packet has no conntrack entry (ctstate INVALID)');
    expect(why(src(cidr('fd00::/8')))).toBe('src: ipv4 packet, ipv6 addresses');
  });

  it('describes flags, marks and ttl', () => {
    expect(why(bits('tcpFlags', 0x12, 0x10))).toBe('tcp flags S: S ≠ A (mask SA)');
    expect(why(bits('mark', 0xffffffff, 1))).toBe('mark 0x0 ≠ 0x1');
    expect(why(bits('mark', 0xff, 1), p, { ...ctx, mark: 0x300 })).toBe('mark 0x300 & 0xff = 0x0 ≠ 0x1');
    expect(why(num('ttl', [101, 255]))).toBe('ttl 64 ∉ 101-255');
  });

  it('says what an undecided rule depends on', () => {
    expect(why(and(protocol(6), opaque('rate limit', '-m limit --limit 5/s')))).toBe('depends on rate limit (-m limit --limit 5/s)');
  });
});
