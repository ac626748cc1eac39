/**
 * `query`: the packets of a slice that a ruleset accepts (or blocks), as a compact table with one
 * witness per row. Packets are first packets of their flow unless the slice names a state (the
 * state the kernel derives), TCP ones are SYNs unless it names flags. Rows show protocol,
 * addresses, ports, ICMP type and the input interface; the other fields are projected away
 * (a row means "for some value of them"), and each row's witness comes from the exact set.
 */
import type { Packet } from '../../model/packet.js';
import type { Hook, Ruleset } from '../../model/ruleset.js';
import { FALSE } from '../space/bdd.js';
import { describeRowsCapped, formatRow } from '../space/describe.js';
import type { FieldName } from '../space/layout.js';
import { Space } from '../space/space.js';
import { SymbolicRuleset } from '../space/walk.js';
import { firstPackets, witness } from '../space/witness.js';
import { parseSlice } from './slice.js';

export interface QueryOptions {
  /** `accepted` (every branch accepts: what trace reports), `dropped` (some branch blocks). */
  readonly mode: 'accepted' | 'dropped';
  readonly slice: string;
  readonly hook?: Hook;
  readonly maxRows?: number;
}

export interface QueryRow {
  readonly text: string;
  readonly witness: Packet;
}

export interface QueryResult {
  readonly rows: readonly QueryRow[];
  /** False when more rows exist than were shown. */
  readonly complete: boolean;
  readonly empty: boolean;
  readonly errors: readonly string[];
  readonly notes: readonly string[];
}

const PROJECTED: readonly FieldName[] = ['length', 'ttl', 'tos', 'mark', 'connmark', 'tcpOpts', 'fragment', 'oif', 'ctstate', 'tcpFlags'];

/** The slice with the defaults applied: first packets, TCP SYN. */
export function sliceSet(sp: Space, text: string): { set: number; errors: readonly string[]; fields: ReadonlySet<string> } {
  const { bdd, enc } = sp;
  const s = parseSlice(sp, text);
  let set = s.set;
  if (!s.fields.has('ctstate')) set = bdd.and(set, firstPackets(sp));
  if (!s.fields.has('tcpFlags')) set = bdd.and(set, bdd.or(bdd.not(sp.tcp), enc.eq('tcpFlags', 0x02)));
  return { set, errors: s.errors, fields: s.fields };
}

/** Rows of an exact set, described after projecting the fields the slice does not name. */
export function tabulate(sp: Space, exact: number, keep: ReadonlySet<string>, hook: Hook, maxRows: number): { rows: QueryRow[]; complete: boolean } {
  const projected = sp.forget(exact, PROJECTED.filter((f) => !keep.has(f)));
  const { rows, complete } = describeRowsCapped(sp, projected, maxRows);
  const out: QueryRow[] = [];
  for (const r of rows) {
    const w = witness(sp, sp.bdd.and(exact, r.set), hook);
    if (w !== undefined) out.push({ text: formatRow(sp, r), witness: w });
  }
  return { rows: out, complete };
}

export function queryRuleset(rs: Ruleset, o: QueryOptions): QueryResult {
  const sp = new Space([rs]);
  const sym = new SymbolicRuleset(sp, rs);
  const hook = o.hook ?? 'input';
  const s = sliceSet(sp, o.slice);
  if (s.errors.length > 0) return { rows: [], complete: true, empty: true, errors: s.errors, notes: [] };
  const sets = sym.hook(hook);
  const exact = sp.bdd.and(s.set, o.mode === 'accepted' ? sets.accepted : sets.mayBlock);
  const notes = [...sets.notes];
  if (o.mode === 'accepted' && sp.bdd.diff(sp.bdd.and(s.set, sets.mayAccept), sets.accepted) !== FALSE) {
    notes.push('some packets are accepted only on some branches of rules fwdoctor cannot evaluate (rate limits, …): they are not listed as accepted');
  }
  const { rows, complete } = tabulate(sp, exact, s.fields, hook, o.maxRows ?? 40);
  return { rows, complete, empty: exact === FALSE, errors: [], notes };
}
