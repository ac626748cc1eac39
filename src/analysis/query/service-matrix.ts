/**
 * The service matrix of fffuu (Diekmann et al.): for one TCP service (new connections from source
 * port 10000 to a destination port), the IPv4 address space partitioned into classes of addresses
 * the ruleset treats alike, both as source and as destination, and the edges "sources in class A
 * may reach destinations in class B".
 *
 * Computed exactly on the BDD of accepted packets projected onto (source, destination): the
 * address met first in the variable order (the destination, see layout.ts) gives the rows: the
 * node reached after its bits is the row function of a block of addresses; equal rows are equal
 * nodes. Column classes come from evaluating every distinct row at the boundaries of the blocks
 * of the other address. A class is a pair (row class, column class).
 *
 * Interfaces follow fffuu's generic assignment unless one is given: `lo` carries exactly the
 * sources in 127.0.0.0/8; other packets arrive on some other interface (the matrix shows what
 * some non-loopback interface lets through). With an interface assignment (`ipassmt`), input
 * interfaces are rewritten to the source ranges they carry first (apply-ipassmt.ts), and the
 * packets may arrive on any interface.
 */
import type { Hook, Ruleset } from '../../model/ruleset.js';
import { FALSE, TRUE } from '../space/bdd.js';
import { partitionField } from '../space/describe.js';
import type { FieldName } from '../space/layout.js';
import { Space } from '../space/space.js';
import { SymbolicRuleset } from '../space/walk.js';
import { type AppliedIpassmt, applyIpassmt } from './apply-ipassmt.js';
import type { Ipassmt } from './ipassmt.js';

export interface ServiceMatrixOptions {
  readonly dport: number;
  readonly sport?: number;
  readonly hook?: Hook;
  /** Fix the input interface instead of the generic assignment. */
  readonly iif?: string;
  /** Accepted on some branch of undecided rules (fffuu's upper closure) instead of on every branch. */
  readonly may?: boolean;
  /** fffuu's interface → address assignment; replaces the generic one. */
  readonly ipassmt?: Ipassmt;
  /** Connection state of the packets: `new` (default; TCP SYN) or `established` (TCP ACK). */
  readonly state?: 'new' | 'established';
}

export interface ServiceClass {
  readonly id: number;
  /** Inclusive IPv4 intervals, ascending. */
  readonly intervals: readonly (readonly [bigint, bigint])[];
}

export interface ServiceMatrix {
  readonly classes: readonly ServiceClass[];
  readonly edges: readonly (readonly [number, number])[];
  readonly notes: readonly string[];
}

const LOOPBACK: readonly [number, number] = [0x7f000000, 0x7fffffff];

function boundaries(parts: Map<number, [bigint, bigint][]>, out: Set<bigint>): void {
  for (const list of parts.values()) for (const [lo] of list) out.add(lo);
}

interface Index {
  readonly los: bigint[];
  readonly his: bigint[];
  readonly nodes: number[];
}

function index(parts: Map<number, [bigint, bigint][]>): Index {
  const all: [bigint, bigint, number][] = [];
  for (const [node, list] of parts) for (const [lo, hi] of list) all.push([lo, hi, node]);
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { los: all.map((x) => x[0]), his: all.map((x) => x[1]), nodes: all.map((x) => x[2]) };
}

function lookup(ix: Index, v: bigint): number {
  let lo = 0;
  let hi = ix.los.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (v < (ix.los[mid] as bigint)) hi = mid - 1;
    else if (v > (ix.his[mid] as bigint)) lo = mid + 1;
    else return ix.nodes[mid] as number;
  }
  return FALSE;
}

/**
 * The ruleset with the interface assignment applied, and its header space, per ruleset and
 * assignment: the matrices of several ports share them, and with the space the compiled rules.
 */
const prepared = new WeakMap<Ruleset, Map<Ipassmt | undefined, { assigned: AppliedIpassmt | undefined; sp: Space }>>();

function prepare(input: Ruleset, ipassmt: Ipassmt | undefined): { assigned: AppliedIpassmt | undefined; sp: Space } {
  let byAssignment = prepared.get(input);
  if (byAssignment === undefined) prepared.set(input, (byAssignment = new Map()));
  let hit = byAssignment.get(ipassmt);
  if (hit === undefined) {
    const assigned = ipassmt === undefined ? undefined : applyIpassmt(input, ipassmt);
    hit = { assigned, sp: new Space([assigned?.ruleset ?? input]) };
    byAssignment.set(ipassmt, hit);
  }
  return hit;
}

export function serviceMatrix(input: Ruleset, o: ServiceMatrixOptions): ServiceMatrix {
  const { assigned, sp } = prepare(input, o.ipassmt);
  const rs = assigned?.ruleset ?? input;
  const { bdd, enc } = sp;
  const lo = enc.eq('iif', sp.layout.iif.classOf('lo'));
  const fromLoopback = enc.range('src4', LOOPBACK[0], LOOPBACK[1]);
  const iface = o.iif !== undefined ? enc.eq('iif', sp.layout.iif.classOf(o.iif))
    : assigned !== undefined ? TRUE
      : bdd.or(bdd.and(lo, fromLoopback), bdd.and(bdd.not(lo), bdd.not(fromLoopback)));
  const established = o.state === 'established';
  const service = bdd.andAll([
    sp.v4, sp.tcp, enc.eq('sport', o.sport ?? 10000), enc.eq('dport', o.dport), enc.eq('ctstate', established ? 1 : 0),
    enc.eq('tcpFlags', established ? 0x10 : 0x02), enc.eq('tcpOpts', 0), iface, sp.valid,
  ]);
  const sym = new SymbolicRuleset(sp, rs, service, { family: 4, proto: 6, sport: o.sport ?? 10000, dport: o.dport });
  const sets = sym.hook(o.hook ?? 'input');
  const allowed = bdd.and(service, o.may === true ? sets.mayAccept : sets.accepted);
  const keep = new Set<FieldName>(['src4', 'dst4']);
  const proj = sp.forget(allowed, Object.values(sp.layout.fields).map((f) => f.name).filter((n) => !keep.has(n)));
  // Rows: the node after the source bits.
  const [first, second]: [FieldName, FieldName] = sp.layout.fields.dst4.start < sp.layout.fields.src4.start ? ['dst4', 'src4'] : ['src4', 'dst4'];
  const rows = partitionField(sp, proj, first, 1 << 20) ?? new Map<number, [bigint, bigint][]>();
  const rowNodes = [...rows.keys()];
  const cols = new Map<number, Index>();
  const rowIx = index(rows);
  const points = new Set<bigint>([0n]);
  boundaries(rows, points);
  for (const r of rowNodes) {
    const p = r === FALSE || r === TRUE ? new Map([[r, [[0n, 0xffffffffn]] as [bigint, bigint][]]]) : partitionField(sp, r, second, 1 << 20);
    const parts = p ?? new Map<number, [bigint, bigint][]>();
    cols.set(r, index(parts));
    boundaries(parts, points);
  }
  const sorted = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Each elementary interval: its row (as source) and its column signature (as destination).
  const byKey = new Map<string, [bigint, bigint][]>();
  const rowOf = new Map<string, number>();
  sorted.forEach((start, k) => {
    const end = (sorted[k + 1] ?? 0x100000000n) - 1n;
    const row = lookup(rowIx, start);
    const col = rowNodes.map((r) => (lookup(cols.get(r) as Index, start) === TRUE ? '1' : '0')).join('');
    const key = `${row}/${col}`;
    const list = byKey.get(key) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined && last[1] + 1n === start) last[1] = end;
    else list.push([start, end]);
    byKey.set(key, list);
    rowOf.set(key, row);
  });
  const keys = [...byKey.keys()];
  const classes: ServiceClass[] = keys.map((key, id) => ({ id, intervals: byKey.get(key) as [bigint, bigint][] }));
  const edges: [number, number][] = [];
  keys.forEach((a, i) => {
    const row = rowOf.get(a) as number;
    const parts = cols.get(row) ?? index(new Map());
    keys.forEach((b, j) => {
      const rep = (byKey.get(b) as [bigint, bigint][])[0]?.[0] ?? 0n;
      // (first = rep of i, second = rep of j) is accepted: an edge source → destination.
      if (lookup(parts, rep) === TRUE) edges.push(first === 'src4' ? [i, j] : [j, i]);
    });
  });
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const notes = [...sets.notes];
  if (assigned !== undefined) {
    notes.push(assigned.mode === 'rewrite' ? 'input interfaces replaced by the source addresses the assignment gives them'
      : `input interfaces constrained to the source addresses the assignment gives them, not replaced: ${assigned.reasons.join('; ')}`);
  }
  return { classes, edges, notes };
}
