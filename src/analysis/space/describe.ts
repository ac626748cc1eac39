/**
 * A set → a short human description: disjoint rows, each a product of per-field value sets
 * (protocols, CIDRs, port ranges, states, interfaces), read off the BDD field by field in
 * variable order. At each field the values are grouped by the sub-diagram they lead to, so a row
 * is exact: the set is the union of its rows. Fields left unconstrained, or that the row's
 * protocol does not carry, are not shown.
 */
import { type AddressSet, addressSetOf, complementAddresses, describeAddresses } from '../../model/address.js';
import { formatTcpFlags } from '../../model/packet.js';
import { protocolName } from '../../model/protocol.js';
import { FALSE, TRUE } from './bdd.js';
import { FIELD_NAMES, type FieldName, PORTED, STATES } from './layout.js';
import type { Space } from './space.js';

export type Intervals = [bigint, bigint][];

export interface Row {
  /** Only the fields that constrain the row. */
  readonly fields: Partial<Record<FieldName, Intervals>>;
  /** The row's packets, for a witness. */
  readonly set: number;
}

/** The values of one field, grouped by the node they lead to (FALSE included). Values come as aligned blocks. */
export function partitionField(sp: Space, node: number, name: FieldName, maxBlocks = 4096): Map<number, Intervals> | undefined {
  const f = sp.layout.fields[name];
  const { bdd } = sp;
  const out = new Map<number, Intervals>();
  let blocks = 0;
  const end = f.start + f.width;
  const go = (x: number, depth: number, prefix: bigint): boolean => {
    const v = bdd.varOf(x);
    if (v >= end || depth === f.width) {
      const free = BigInt(f.width - depth);
      const lo = prefix << free;
      const hi = lo | ((1n << free) - 1n);
      const list = out.get(x) ?? [];
      const last = list[list.length - 1];
      if (last !== undefined && last[1] + 1n === lo) last[1] = hi;
      else list.push([lo, hi]);
      out.set(x, list);
      return ++blocks <= maxBlocks;
    }
    if (v > f.start + depth) return go(x, depth + 1, prefix << 1n) && go(x, depth + 1, (prefix << 1n) | 1n);
    return go(bdd.low(x), depth + 1, prefix << 1n) && go(bdd.high(x), depth + 1, (prefix << 1n) | 1n);
  };
  if (f.width === 0) return new Map([[node, [[0n, 0n]]]]);
  return go(node, 0, 0n) ? out : undefined;
}

function mergeSorted(list: Intervals): Intervals {
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Intervals = [];
  for (const [lo, hi] of list) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] + 1n >= lo) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

function fullDomain(sp: Space, name: FieldName): Intervals {
  const f = sp.layout.fields[name];
  if (name === 'ctstate') return [[0n, BigInt(STATES.length - 1)]];
  if (name === 'iif') return [[0n, BigInt(sp.layout.iif.names.length - 1)]];
  if (name === 'oif') return [[0n, BigInt(sp.layout.oif.names.length - 1)]];
  return [[0n, (1n << BigInt(f.width)) - 1n]];
}

function same(a: Intervals, b: Intervals): boolean {
  return a.length === b.length && a.every((x, i) => x[0] === b[i]?.[0] && x[1] === b[i]?.[1]);
}

function applicable(name: FieldName, row: Partial<Record<FieldName, Intervals>>): boolean {
  const protos = row.protocol;
  const fam = row.family;
  const onlyProtos = (ok: readonly number[]): boolean =>
    protos !== undefined && protos.every(([lo, hi]) => { for (let p = lo; p <= hi; p++) if (!ok.includes(Number(p))) return false; return true; });
  switch (name) {
    case 'sport': case 'dport': return onlyProtos(PORTED);
    case 'tcpFlags': case 'tcpOpts': return onlyProtos([6]);
    case 'icmpType': case 'icmpCode': return onlyProtos([1, 58]);
    case 'src4': case 'dst4': return fam === undefined || same(fam, [[0n, 0n]]);
    case 'src6': case 'dst6': case 'fragment': return name === 'fragment' ? fam === undefined || same(fam, [[0n, 0n]]) : fam === undefined || same(fam, [[1n, 1n]]);
    default: return true;
  }
}

/** The set as rows; undefined when it needs more than `maxRows`. */
export function describeRows(sp: Space, set: number, maxRows = 64): Row[] | undefined {
  const r = describeRowsCapped(sp, set, maxRows);
  return r.complete ? r.rows : undefined;
}

/** At most `maxRows` rows; `complete` says whether they cover the whole set. */
export function describeRowsCapped(sp: Space, set: number, maxRows = 64): { rows: Row[]; complete: boolean } {
  const { bdd, enc } = sp;
  const rows: Row[] = [];
  const root = bdd.and(set, sp.valid);
  const go = (node: number, i: number, acc: Partial<Record<FieldName, Intervals>>, rowSet: number): boolean => {
    if (node === FALSE) return true;
    const name = FIELD_NAMES[i];
    if (name === undefined || node === TRUE) {
      const fields: Partial<Record<FieldName, Intervals>> = {};
      for (const [k, v] of Object.entries(acc) as [FieldName, Intervals][]) if (applicable(k, acc)) fields[k] = v;
      if (rows.length >= maxRows) return false;
      rows.push({ fields, set: rowSet });
      return true;
    }
    const parts = partitionField(sp, node, name);
    if (parts === undefined) return false;
    for (const [child, list] of parts) {
      const values = mergeSorted(list);
      const next = { ...acc };
      const full = same(values, fullDomain(sp, name));
      if (!full) next[name] = values;
      const narrowed = full ? rowSet : bdd.and(rowSet, enc.inIntervals(name, values));
      if (!go(child, i + 1, next, narrowed)) return false;
    }
    return true;
  };
  const complete = go(root, 0, {}, root);
  return { rows, complete };
}

function expand(list: Intervals): number[] {
  return list.flatMap(([lo, hi]) => Array.from({ length: Number(hi - lo) + 1 }, (_, k) => Number(lo) + k));
}

function ranges(list: Intervals, fmt: (v: bigint) => string = String): string {
  return list.map(([lo, hi]) => (lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`)).join(',');
}

function addresses(family: 'ipv4' | 'ipv6', list: Intervals): string {
  const s: AddressSet = addressSetOf(family, list);
  const text = describeAddresses(s);
  const other = describeAddresses(complementAddresses(s));
  return other.split(',').length < text.split(',').length ? `not ${other}` : text;
}

/** One row as text: `tcp from 198.18.0.0/15 to 198.19.0.1 dport 22 state new in eth0`. */
export function formatRow(sp: Space, row: Row): string {
  const f = row.fields;
  const parts: string[] = [];
  const v6 = f.family !== undefined && same(f.family, [[1n, 1n]]);
  if (f.family !== undefined) parts.push(v6 ? 'ipv6' : 'ipv4');
  if (f.protocol !== undefined) {
    const list = f.protocol;
    const count = list.reduce((n, [lo, hi]) => n + Number(hi - lo) + 1, 0);
    parts.push(count <= 6 ? expand(list).map(protocolName).join(',') : `protocol ${ranges(list)}`);
  }
  const src = f.src4 ?? f.src6;
  const dst = f.dst4 ?? f.dst6;
  if (src !== undefined) parts.push(`from ${addresses(f.src6 !== undefined ? 'ipv6' : 'ipv4', src)}`);
  if (dst !== undefined) parts.push(`to ${addresses(f.dst6 !== undefined ? 'ipv6' : 'ipv4', dst)}`);
  if (f.sport !== undefined) parts.push(`sport ${ranges(f.sport)}`);
  if (f.dport !== undefined) parts.push(`dport ${ranges(f.dport)}`);
  if (f.icmpType !== undefined) parts.push(`type ${ranges(f.icmpType)}`);
  if (f.icmpCode !== undefined) parts.push(`code ${ranges(f.icmpCode)}`);
  if (f.tcpFlags !== undefined) {
    const n = f.tcpFlags.reduce((k, [lo, hi]) => k + Number(hi - lo) + 1, 0);
    parts.push(n <= 4 ? `flags ${ranges(f.tcpFlags, (v) => formatTcpFlags(Number(v)) || '-')}` : `${n} flag combinations`);
  }
  if (f.ctstate !== undefined) parts.push(`state ${expand(f.ctstate).map((v) => STATES[v] ?? String(v)).join(',')}`);
  const ifaces = (names: readonly string[], list: Intervals): string => expand(list).map((k) => names[k] || 'other').join(',');
  if (f.iif !== undefined) parts.push(`in ${ifaces(sp.layout.iif.names, f.iif)}`);
  if (f.oif !== undefined) parts.push(`out ${ifaces(sp.layout.oif.names, f.oif)}`);
  for (const k of ['length', 'ttl', 'tos', 'mark', 'connmark'] as const) {
    const list = f[k];
    if (list !== undefined) parts.push(`${k} ${ranges(list)}`);
  }
  if (f.fragment !== undefined) parts.push(same(f.fragment, [[1n, 1n]]) ? 'fragment' : 'not fragment');
  return parts.length === 0 ? 'all packets' : parts.join(' ');
}

/** The whole set as text (rows joined by `; `), or a count when it is too irregular. */
export function describeSet(sp: Space, set: number, maxRows = 8): string {
  if (bddEmpty(sp, set)) return 'no packets';
  const rows = describeRows(sp, set, maxRows);
  if (rows === undefined) return `an irregular set (more than ${maxRows} rows)`;
  return rows.map((r) => formatRow(sp, r)).join('; ');
}

function bddEmpty(sp: Space, set: number): boolean {
  return sp.bdd.and(set, sp.valid) === FALSE;
}
