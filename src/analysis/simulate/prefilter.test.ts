import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rangeSet, addressSetOf } from '../../model/address.js';
import { and, not, num, addr, ctstate, opaque, iface, type Match } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { evaluateTri, FAILS, ABSENT } from './evaluate-match.js';
import { buildPrefilter, mayMatch, packetKey } from './prefilter.js';
import { pkt, withFields } from './testing.js';

const base4 = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22');
const base6 = pkt('udp [fd00:f00d::5]:40000 -> [fd00:f00d::1]:53');

const arbRange = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
const arbV4 = fc.integer({ min: 0, max: 0xffffffff }).map(BigInt);
const arbLeaf: fc.Arbitrary<Match> = fc.oneof(
  fc.array(arbRange(0, 20), { minLength: 0, maxLength: 3 }).map((rs) => num('protocol', ...rs)),
  fc.array(arbRange(0, 70), { minLength: 1, maxLength: 3 }).map((rs) => num('dport', ...rs)),
  fc.array(arbRange(0, 70), { minLength: 1, maxLength: 3 }).map((rs) => num('sport', ...rs)),
  fc.tuple(arbV4, arbV4).map(([a, b]) => addr('src', rangeSet('ipv4', a < b ? a : b, a < b ? b : a))),
  fc.tuple(arbV4, arbV4, arbV4).map(([a, b, c]) => addr('dst', addressSetOf('ipv4', [[a, a], [b < c ? b : c, b < c ? c : b]]))),
  fc.bigInt({ min: 0n, max: 8n }).map((x) => addr('src', rangeSet('ipv6', x, x + 3n))),
  fc.constant(ctstate('new')),
  fc.constant(opaque('limit', '-m limit')),
  fc.constant(iface('in', 'eth', true)),
);
const arbMatch: fc.Arbitrary<Match> = fc.array(fc.oneof(arbLeaf, arbLeaf.map(not)), { minLength: 1, maxLength: 4 }).map((xs) => and(...xs));
const arbPacket: fc.Arbitrary<Packet> = fc.record({
  v6: fc.boolean(), protocol: fc.constantFrom(1, 6, 17, 58, 47), sport: fc.integer({ min: 0, max: 70 }), dport: fc.integer({ min: 0, max: 70 }),
  src: fc.bigInt({ min: 0n, max: 0xffffffffn }), dst: fc.bigInt({ min: 0n, max: 0xffffffffn }),
}).map((r) => withFields(r.v6 ? base6 : base4, { protocol: r.protocol, sport: r.sport, dport: r.dport, src: r.v6 ? r.src & 15n : r.src, dst: r.dst }));

describe('prefilter', () => {
  it('only rules out rules whose match fails or is absent', () => {
    fc.assert(fc.property(fc.array(arbMatch, { minLength: 1, maxLength: 5 }), arbPacket, (matches, p) => {
      const f = buildPrefilter(matches);
      const k = packetKey(p);
      const ctx = { ctstate: 'new', ctstatus: [], mark: 0, connmark: 0 } as const;
      matches.forEach((m, i) => {
        if (!mayMatch(f, i, k)) expect([FAILS, ABSENT]).toContain(evaluateTri(m, p, ctx));
      });
    }), { numRuns: 2000 });
  });

  it('rules out on protocol, ports, IPv4 addresses and family', () => {
    const ms = [num('protocol', [17, 17]), num('dport', [80, 80]), addr('src', rangeSet('ipv4', 1n, 2n)), addr('src', rangeSet('ipv6', 1n, 2n)), num('dport', [22, 22])];
    const f = buildPrefilter(ms);
    const k = packetKey(base4);
    expect(ms.map((_, i) => mayMatch(f, i, k))).toEqual([false, false, false, false, true]);
    expect(mayMatch(buildPrefilter([num('dport', [22, 22])]), 0, packetKey(pkt('icmp 198.18.0.5 -> 198.19.0.2')))).toBe(false);
  });
});
