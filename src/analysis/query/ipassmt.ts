/**
 * An interface → IPv4 address assignment ("ipassmt") in fffuu's file format: one entry per
 * interface, `eth0 = [10.0.0.0/8, 192.168.1.1, 10.1.0.1-10.1.0.9]` (the addresses that may arrive
 * on it) or `eth1 = all_but_those_ips [10.0.0.0/8]` (everything else). Entries may span lines;
 * `#` starts a comment (an extension). CIDRs with host bits set (`131.159.14.3/25`) mean their
 * prefix, as in fffuu. Errors are returned as diagnostics with file:line:column, never thrown.
 */
import { type Diagnostic, type Parsed, error } from '../../diagnostics/diagnostic.js';
import { type SourceFile, spanAt } from '../../diagnostics/source.js';
import { IPV4_MAX, parseIpv4, prefixInterval } from '../../model/address.js';

export interface IpassmtEntry {
  readonly iface: string;
  /** Inclusive IPv4 intervals the interface carries (already complemented for all_but_those_ips). */
  readonly ranges: readonly (readonly [bigint, bigint])[];
  readonly negated: boolean;
}

export interface Ipassmt {
  readonly entries: readonly IpassmtEntry[];
}


function normalise(ranges: (readonly [bigint, bigint])[]): [bigint, bigint][] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1];
    else out.push([lo, hi]);
  }
  return out;
}

export function complementRanges(ranges: readonly (readonly [bigint, bigint])[]): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let next = 0n;
  for (const [lo, hi] of normalise([...ranges])) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= IPV4_MAX) out.push([next, IPV4_MAX]);
  return out;
}

/** One address item: a.b.c.d, a.b.c.d/n or a.b.c.d-e.f.g.h. */
function parseItem(text: string): readonly [bigint, bigint] | string {
  const range = /^([\d.]+)-([\d.]+)$/.exec(text);
  if (range) {
    const lo = parseIpv4(range[1] as string);
    const hi = parseIpv4(range[2] as string);
    if (lo === undefined || hi === undefined || lo > hi) return `expected an IPv4 range a.b.c.d-e.f.g.h, got '${text}'`;
    return [lo, hi];
  }
  const cidr = /^([\d.]+)(?:\/(\d+))?$/.exec(text);
  const v = cidr ? parseIpv4(cidr[1] as string) : undefined;
  const len = cidr?.[2] === undefined ? 32 : Number(cidr[2]);
  if (v === undefined || len > 32) return `expected an IPv4 address, CIDR or range, got '${text}'`;
  return prefixInterval('ipv4', v, len);
}

export function parseIpassmt(file: SourceFile): Parsed<Ipassmt> {
  const diagnostics: Diagnostic[] = [];
  const entries: IpassmtEntry[] = [];
  const text = file.text.replace(/#[^\n]*/g, (c) => ' '.repeat(c.length));
  const at = (from: number, to: number) => spanAt(file, from, to);
  const entry = /([^\s=[\],]+)\s*=\s*(all_but_those_ips\s*)?\[([^\]]*)\]/gy;
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  skipSpace();
  while (pos < text.length) {
    entry.lastIndex = pos;
    const m = entry.exec(text);
    if (!m) {
      const end = text.indexOf('\n', pos);
      const found = text.slice(pos, end < 0 ? undefined : end).trim();
      diagnostics.push(error('ipassmt/syntax', `expected 'IFACE = [ADDRESSES]' or 'IFACE = all_but_those_ips [ADDRESSES]', got '${found}'`, at(pos, pos + found.length)));
      if (end < 0) break;
      pos = end + 1;
      skipSpace();
      continue;
    }
    const iface = m[1] as string;
    const listStart = m.index + m[0].indexOf('[') + 1;
    const ranges: [bigint, bigint][] = [];
    let offset = listStart;
    for (const raw of (m[3] as string).split(',')) {
      const item = raw.trim();
      const col = offset + raw.indexOf(item);
      offset += raw.length + 1;
      if (item === '') continue;
      const r = parseItem(item);
      if (typeof r === 'string') diagnostics.push(error('ipassmt/bad-address', `${iface}: ${r}`, at(col, col + item.length)));
      else ranges.push([r[0], r[1]]);
    }
    if (entries.some((e) => e.iface === iface)) {
      diagnostics.push(error('ipassmt/duplicate-interface', `interface '${iface}' is assigned twice (expected one entry per interface)`, at(m.index, m.index + iface.length)));
    }
    const negated = m[2] !== undefined;
    entries.push({ iface, ranges: negated ? complementRanges(ranges) : normalise(ranges), negated });
    pos = m.index + m[0].length;
    skipSpace();
  }
  return { value: { entries }, diagnostics };
}
