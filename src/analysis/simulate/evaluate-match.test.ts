import { describe, expect, it } from 'vitest';
import { anyAddress, parseAddress } from '../../model/address.js';
import {
  and, or, not, ANY, NONE, family, addr, src, dst, num, eq, protocol, bits, iface, ctstate, ctstatus, opaque, type Match,
} from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { evaluateMatch, type MatchContext, addressTypeFromLocals } from './evaluate-match.js';
import { cidr, pkt, withFields } from './testing.js';

const tcp = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S in eth0');
const icmp = pkt('icmp 198.18.0.5 -> 198.19.0.2 type 8 in eth0');
const v6 = pkt('udp [fd00:f00d::5]:5353 -> [fd00:f00d::1]:53 in eth1');

function ctx(over: Partial<MatchContext> = {}): MatchContext {
  return { ctstate: 'new', ctstatus: [], mark: 0, connmark: 0, ...over };
}

function ev(m: Match, p: Packet = tcp, c: Partial<MatchContext> = {}): ReturnType<typeof evaluateMatch> {
  return evaluateMatch(m, p, ctx(c));
}

describe('evaluateMatch: combinators', () => {
  it('any, none, and, or, not', () => {
    expect(ev(ANY)).toBe(true);
    expect(ev(NONE)).toBe(false);
    expect(ev(and(protocol(6), eq('dport', 22)))).toBe(true);
    expect(ev(and(protocol(6), eq('dport', 80)))).toBe(false);
    expect(ev(or(eq('dport', 80), eq('dport', 22)))).toBe(true);
    expect(ev(or(eq('dport', 80), eq('dport', 443)))).toBe(false);
    expect(ev(not(eq('dport', 80)))).toBe(true);
  });

  it('propagates unknown unless a definite value decides', () => {
    const o = opaque('rate limit', '-m limit --limit 5/s');
    expect(ev(o)).toBe('unknown');
    expect(ev(not(o))).toBe('unknown');
    expect(ev(and(o, eq('dport', 80)))).toBe(false);
    expect(ev(and(o, eq('dport', 22)))).toBe('unknown');
    expect(ev(or(o, eq('dport', 22)))).toBe(true);
    expect(ev(or(o, eq('dport', 80)))).toBe('unknown');
  });
});

describe('evaluateMatch: fields', () => {
  it('family', () => {
    expect(ev(family('ipv4'))).toBe(true);
    expect(ev(family('ipv6'))).toBe(false);
    expect(ev(family('ipv6'), v6)).toBe(true);
  });

  it('addresses, by family; an address of the other family matches neither way', () => {
    expect(ev(src(cidr('198.18.0.0/16')))).toBe(true);
    expect(ev(dst(cidr('198.18.0.0/16')))).toBe(false);
    expect(ev(not(dst(cidr('198.18.0.0/16'))))).toBe(true);
    expect(ev(src(cidr('fd00:f00d::/32')), v6)).toBe(true);
    expect(ev(src(cidr('198.18.0.0/16')), v6)).toBe(false);
    expect(ev(not(src(cidr('198.18.0.0/16'))), v6)).toBe(false);
    expect(ev(src(anyAddress('ipv4')))).toBe(true);
  });

  it('ports exist only on port protocols: on ICMP neither --dport nor its negation matches', () => {
    expect(ev(num('dport', [20, 23]))).toBe(true);
    expect(ev(num('sport', [1024, 65535]))).toBe(true);
    expect(ev(eq('dport', 22), icmp)).toBe(false);
    expect(ev(not(eq('dport', 22)), icmp)).toBe(false);
    expect(ev(eq('dport', 53), v6)).toBe(true);
  });

  it('ICMP type and code exist only on ICMP packets', () => {
    expect(ev(eq('icmpType', 8), icmp)).toBe(true);
    expect(ev(eq('icmpCode', 0), icmp)).toBe(true);
    expect(ev(not(eq('icmpType', 0)), icmp)).toBe(true);
    expect(ev(eq('icmpType', 8))).toBe(false);
    expect(ev(not(eq('icmpType', 8)))).toBe(false);
  });

  it('length, ttl, dscp and protocol', () => {
    const p = withFields(tcp, { length: 300, ttl: 30, tos: 0xb8 });
    expect(ev(num('length', [107, 503]), p)).toBe(true);
    expect(ev(num('ttl', [101, 255]), p)).toBe(false);
    expect(ev(eq('dscp', 46), p)).toBe(true);
    expect(ev(protocol(17), p)).toBe(false);
  });

  it('tcp flags, mark, connmark and tos as (field & mask) === value, unsigned', () => {
    const syn = bits('tcpFlags', 0x17, 0x02);
    expect(ev(syn)).toBe(true);
    expect(ev(syn, withFields(tcp, { tcpFlags: 0x12 }))).toBe(false);
    expect(ev(syn, v6)).toBe(false);
    expect(ev(not(syn), v6)).toBe(false);
    expect(ev(bits('mark', 0xffffffff, 0xffffffff), tcp, { mark: 0xffffffff })).toBe(true);
    expect(ev(bits('mark', 0xff00, 0x100), tcp, { mark: 0x1234 })).toBe(false);
    expect(ev(bits('mark', 0xff00, 0x1200), tcp, { mark: 0x1234 })).toBe(true);
    expect(ev(bits('connmark', 0xff, 7), tcp, { connmark: 7 })).toBe(true);
    expect(ev(bits('tos', 0xff, 0x10), withFields(tcp, { tos: 0x10 }))).toBe(true);
  });

  it('connmark and ct fields do not exist without a conntrack entry (invalid, untracked)', () => {
    for (const state of ['invalid', 'untracked'] as const) {
      expect(ev(bits('connmark', 0xff, 0), tcp, { ctstate: state })).toBe(false);
      expect(ev(not(bits('connmark', 0xff, 1)), tcp, { ctstate: state })).toBe(false);
      expect(ev(not(ctstatus('assured')), tcp, { ctstate: state })).toBe(false);
      expect(ev(eq('ctProto', 6), tcp, { ctstate: state })).toBe(false);
      expect(ev(addr('ctOrigSrc', cidr('198.18.0.0/16')), tcp, { ctstate: state })).toBe(false);
    }
  });

  it('conntrack tuple: original is the packet, reply its reverse', () => {
    expect(ev(addr('ctOrigSrc', cidr('198.18.0.5/32')))).toBe(true);
    expect(ev(addr('ctOrigDst', cidr('198.19.0.2/32')))).toBe(true);
    expect(ev(addr('ctReplSrc', cidr('198.19.0.2/32')))).toBe(true);
    expect(ev(addr('ctReplDst', cidr('198.18.0.5/32')))).toBe(true);
    expect(ev(eq('ctOrigDport', 22))).toBe(true);
    expect(ev(eq('ctReplSport', 22))).toBe(true);
    expect(ev(eq('ctReplDport', 40000))).toBe(true);
    expect(ev(eq('ctProto', 6))).toBe(true);
    expect(ev({ kind: 'ctdir', dir: 'original' })).toBe(true);
    expect(ev({ kind: 'ctdir', dir: 'reply' })).toBe(false);
  });

  it('interfaces: exact, wildcard prefix, and a packet without one', () => {
    expect(ev(iface('in', 'eth0'))).toBe(true);
    expect(ev(iface('in', 'eth'))).toBe(false);
    expect(ev(iface('in', 'eth', true))).toBe(true);
    expect(ev(iface('in', '', true))).toBe(true);
    expect(ev(iface('out', 'eth0'))).toBe(false);
    expect(ev(not(iface('out', 'eth0')))).toBe(true);
    expect(ev(iface('out', '', true))).toBe(true);
  });

  it('ctstate, with SNAT / DNAT from the status', () => {
    expect(ev(ctstate('new'))).toBe(true);
    expect(ev(ctstate('established', 'related'))).toBe(false);
    expect(ev(ctstate('invalid'), tcp, { ctstate: 'invalid' })).toBe(true);
    expect(ev(ctstate('untracked'), tcp, { ctstate: 'untracked' })).toBe(true);
    expect(ev(ctstate('dnat'), tcp, { ctstate: 'established', ctstatus: ['dnat'] })).toBe(true);
    expect(ev(ctstate('snat'), tcp, { ctstate: 'established', ctstatus: ['dnat'] })).toBe(false);
  });

  it('ctstatus', () => {
    expect(ev(ctstatus('assured'), tcp, { ctstate: 'established', ctstatus: ['assured', 'confirmed'] })).toBe(true);
    expect(ev(ctstatus('expected'))).toBe(false);
    expect(ev(not(ctstatus('confirmed')))).toBe(true);
  });

  it('fragment (IPv4 non-first fragments only)', () => {
    expect(ev({ kind: 'fragment' })).toBe(false);
    expect(ev({ kind: 'fragment' }, withFields(tcp, { fragment: true }))).toBe(true);
    expect(ev(not({ kind: 'fragment' }))).toBe(true);
  });

  it('tcp options, on TCP only', () => {
    const mss: Match = { kind: 'tcpOption', option: 2 };
    expect(ev(mss)).toBe(false);
    expect(ev(not(mss))).toBe(true);
    expect(ev(mss, withFields(tcp, { tcpOptions: [2, 4] }))).toBe(true);
    expect(ev(not(mss), v6)).toBe(false);
  });

  it('addrtype is unknown without the host addresses, decided with them', () => {
    const local: Match = { kind: 'addrtype', field: 'dst', types: ['local'] };
    expect(ev(local)).toBe('unknown');
    const oracle = addressTypeFromLocals([parseAddress('198.19.0.2')!]);
    expect(ev(local, tcp, { addrTypeOf: oracle })).toBe(true);
    expect(ev({ kind: 'addrtype', field: 'src', types: ['local'] }, tcp, { addrTypeOf: oracle })).toBe(false);
    expect(ev({ kind: 'addrtype', field: 'src', types: ['unicast'] }, tcp, { addrTypeOf: oracle })).toBe(true);
    const bcast = pkt('udp 198.18.0.5:68 -> 255.255.255.255:67');
    expect(ev({ kind: 'addrtype', field: 'dst', types: ['broadcast'] }, bcast, { addrTypeOf: oracle })).toBe(true);
  });

  it('pkttype: given, or from the destination address', () => {
    expect(ev({ kind: 'pkttype', type: 'host' })).toBe(true);
    expect(ev({ kind: 'pkttype', type: 'unicast' })).toBe(true);
    expect(ev({ kind: 'pkttype', type: 'broadcast' }, pkt('udp 198.18.0.5:68 -> 255.255.255.255:67'))).toBe(true);
    expect(ev({ kind: 'pkttype', type: 'multicast' }, pkt('udp 198.18.0.5:5353 -> 224.0.0.251:5353'))).toBe(true);
    expect(ev({ kind: 'pkttype', type: 'multicast' }, pkt('udp [fd00:f00d::5]:5353 -> [ff02::fb]:5353'))).toBe(true);
    expect(ev({ kind: 'pkttype', type: 'multicast' }, withFields(tcp, { pkttype: 'multicast' }))).toBe(true);
  });

  it('mac: unknown unless the packet gives one', () => {
    const m: Match = { kind: 'mac', value: 0x001122334455 };
    expect(ev(m)).toBe('unknown');
    expect(ev(m, withFields(tcp, { srcMac: 0x001122334455 }))).toBe(true);
    expect(ev(m, withFields(tcp, { srcMac: 0x001122334456 }))).toBe(false);
  });

  it('ipset: unknown without members, membership with them', () => {
    expect(ev({ kind: 'ipset', name: 'bad', fields: ['src'] })).toBe('unknown');
    const members = cidr('198.18.0.0/24');
    expect(ev({ kind: 'ipset', name: 'bad', fields: ['src'], members })).toBe(true);
    expect(ev({ kind: 'ipset', name: 'bad', fields: ['dst'], members })).toBe(false);
    expect(ev({ kind: 'ipset', name: 'bad', fields: ['src'], members }, v6)).toBe(false);
  });

  it('owner: absent on packets without a socket, so only the negation holds', () => {
    expect(ev(eq('uid', 0))).toBe(false);
    expect(ev(not(eq('uid', 0)))).toBe(true);
    expect(ev(eq('uid', 1000), withFields(tcp, { uid: 1000, hook: 'output' }))).toBe(true);
  });

  it('opaque is unknown', () => {
    expect(ev(opaque('string match', '-m string --string foo --algo bm'))).toBe('unknown');
  });
});
