/** Named chain priorities (`filter`, `mangle - 5`, …) as numbers, per family (bridge differs). */
import type { NftFamily, Priority } from './syntax.js';

const STANDARD: Readonly<Record<string, number>> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const BRIDGE: Readonly<Record<string, number>> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };

export function priorityNames(family: NftFamily): Readonly<Record<string, number>> {
  if (family === 'bridge') return BRIDGE;
  if (family === 'netdev' || family === 'arp') return { filter: 0 };
  return STANDARD;
}

/** The numeric priority, or undefined when the name is not valid for the family. */
export function resolvePriority(p: Priority, family: NftFamily): number | undefined {
  if (p.kind === 'number') return p.value;
  const base = priorityNames(family)[p.name];
  return base === undefined ? undefined : base + p.offset;
}

/** How `nft list` prints a priority: a name when within 10 of a standard value, else the number. */
export function formatPriority(p: Priority, family: NftFamily): string {
  const n = resolvePriority(p, family);
  if (n === undefined) return p.kind === 'named' ? `${p.name}${p.offset ? (p.offset > 0 ? ` + ${p.offset}` : ` - ${-p.offset}`) : ''}` : String(n);
  for (const [name, v] of Object.entries(priorityNames(family))) {
    const d = n - v;
    if (Math.abs(d) <= 10) return d === 0 ? name : d > 0 ? `${name} + ${d}` : `${name} - ${-d}`;
  }
  return String(n);
}
