/** The service matrix as the JSON contract of DESIGN.md and as text in fffuu's layout. */
import { addressSetOf, describeAddresses, formatIpv4 } from '../../model/address.js';
import type { ServiceMatrix } from './service-matrix.js';

function ranges(intervals: readonly (readonly [bigint, bigint])[]): string[] {
  return describeAddresses(addressSetOf('ipv4', intervals)).split(',');
}

export function serviceMatrixToJson(m: ServiceMatrix): Record<string, unknown> {
  return {
    classes: m.classes.map((c) => ({ id: c.id, ranges: ranges(c.intervals) })),
    edges: m.edges.map(([a, b]) => [a, b]),
    ...(m.notes.length > 0 ? { notes: m.notes } : {}),
  };
}

/** Class names a, b, …, z, aa, ab, … as fffuu prints them. */
export function className(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

export function formatServiceMatrix(m: ServiceMatrix, title: string): string {
  const lines = [`=== ${title} ===`];
  for (const c of m.classes) {
    const first = c.intervals[0]?.[0] ?? 0n;
    lines.push(`${className(c.id)} |-> ${ranges(c.intervals).join(' ')}   (e.g. ${formatIpv4(first)})`);
  }
  lines.push('');
  if (m.edges.length === 0) lines.push('(no class may reach any other)');
  for (const [a, b] of m.edges) lines.push(`(${className(a)},${className(b)})   ${className(a)} may open connections to ${className(b)}`);
  return lines.join('\n');
}
