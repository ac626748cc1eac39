/**
 * Splitting packets into batches that cannot influence each other through conntrack. Within a batch
 * the conntrack table is not flushed, so two packets of the same connection (either direction)
 * must not share one: the second would see the entry the first created. ICMP messages with an
 * identifier carry the packet's unique tag as that identifier, and other ICMP messages create no
 * entry, so only TCP, UDP and other protocols are keyed.
 */
import type { Packet } from '../model/packet.js';

/** The connection a packet would belong to, direction-independent; undefined when it cannot collide. */
export function connectionKey(p: Packet): string | undefined {
  if (p.protocol === 1 || p.protocol === 58) return undefined;
  const a = `${p.src}:${p.sport ?? ''}`;
  const b = `${p.dst}:${p.dport ?? ''}`;
  return `${p.family}/${p.protocol}/${a < b ? `${a}|${b}` : `${b}|${a}`}`;
}

/** Indices of `packets` grouped into batches of at most `size`, no two of one connection together, order kept within each. */
export function planBatches(packets: readonly Packet[], size: number): number[][] {
  const batches: { items: number[]; keys: Set<string> }[] = [];
  for (const [i, p] of packets.entries()) {
    const key = connectionKey(p);
    let target = batches.find((b) => b.items.length < size && (key === undefined || !b.keys.has(key)));
    if (!target) {
      target = { items: [], keys: new Set() };
      batches.push(target);
    }
    target.items.push(i);
    if (key !== undefined) target.keys.add(key);
  }
  return batches.map((b) => b.items);
}
