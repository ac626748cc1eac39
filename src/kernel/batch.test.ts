import { describe, expect, it } from 'vitest';
import { connectionKey, planBatches } from './batch.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';

const p = (t: string): Packet => {
  const r = packetFromText(t);
  if (!r.packet) throw new Error(r.errors.join('; '));
  return r.packet;
};

describe('conntrack-independent batches', () => {
  it('a connection has one key in both directions; ICMP never collides', () => {
    expect(connectionKey(p('tcp 198.18.0.1:1000 -> 198.19.0.1:22'))).toBe(connectionKey(p('tcp 198.19.0.1:22 -> 198.18.0.1:1000')));
    expect(connectionKey(p('tcp 198.18.0.1:1000 -> 198.19.0.1:22'))).not.toBe(connectionKey(p('udp 198.18.0.1:1000 -> 198.19.0.1:22')));
    expect(connectionKey(p('icmp 198.18.0.1 -> 198.19.0.1 type 8'))).toBeUndefined();
  });

  it('keeps packets of one connection apart, keeps order, respects the size', () => {
    const ps = [
      p('tcp 198.18.0.1:1000 -> 198.19.0.1:22'), p('tcp 198.18.0.2:1000 -> 198.19.0.1:22'),
      p('tcp 198.18.0.1:1000 -> 198.19.0.1:22 flags A'), p('icmp 198.18.0.1 -> 198.19.0.1'), p('udp 198.18.0.3:5 -> 198.19.0.1:53'),
    ];
    expect(planBatches(ps, 10)).toEqual([[0, 1, 3, 4], [2]]);
    expect(planBatches(ps, 2)).toEqual([[0, 1], [2, 3], [4]]);
    for (const b of planBatches(ps, 3)) {
      const keys = b.map((i) => connectionKey(ps[i] as Packet)).filter((k) => k !== undefined);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});
