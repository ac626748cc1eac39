/**
 * Recorded kernel cases, one JSON object per line, in the shape of
 * ../shared/corpus/kernel/iptables-filter-sample.jsonl:
 *
 *   {"id": "…", "dialect": "iptables-save", "ruleset": "*filter\n…", "packet": {…DESIGN.md packet…},
 *    "kernel": {"verdict": "drop", "terminal": {"chain": "INPUT", "index": 11}, "matched": [["INPUT", 11]]}}
 *
 * `terminal` is the deciding rule or `{"chain": …, "policy": true}`; `matched` is every rule whose
 * counter moved, as sorted, distinct `[chain, index]` pairs. nftables cases use the
 * nftables-input-sample.jsonl shape instead (`decidedBy` and `[family, table, chain, index]`, plus
 * the trace `events`). An optional `seed` says which generator seed produced the case.
 */
import { type Packet } from '../model/packet.js';
import { type PacketJson, packetFromJson, packetToJson } from '../model/packet-input.js';
import { type KernelOutcome, isPolicy } from './observe.js';

export type RecordDialect = 'iptables-save' | 'ip6tables-save' | 'nftables';

export interface IptablesKernelAnswer {
  readonly verdict: 'accept' | 'drop' | 'reject';
  readonly terminal: { readonly chain: string; readonly index: number } | { readonly chain: string; readonly policy: true };
  readonly matched: readonly (readonly [string, number])[];
}

export interface NftKernelAnswer {
  readonly verdict: 'accept' | 'drop' | 'reject';
  readonly decidedBy:
    | { readonly family: string; readonly table: string; readonly chain: string; readonly index: number }
    | { readonly family: string; readonly table: string; readonly chain: string; readonly policy: true };
  readonly matched: readonly (readonly [string, string, string, number])[];
}

export interface KernelCaseRecord {
  readonly id: string;
  readonly dialect: RecordDialect;
  readonly ruleset: string;
  readonly packet: PacketJson & Record<string, unknown>;
  readonly kernel: IptablesKernelAnswer | NftKernelAnswer;
  readonly events?: readonly string[];
  readonly seed?: number;
}

function byPair(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The answer in the recorded iptables shape (counters view: distinct, sorted). */
export function iptablesAnswer(o: KernelOutcome): IptablesKernelAnswer {
  const seen = new Map<string, readonly [string, number]>();
  for (const m of o.matched) seen.set(`${m.chain}\u0000${m.index}`, [m.chain, m.index]);
  return {
    verdict: o.verdict,
    terminal: isPolicy(o.decidedBy) ? { chain: o.decidedBy.chain, policy: true } : { chain: o.decidedBy.chain, index: o.decidedBy.index },
    matched: [...seen.values()].sort(byPair),
  };
}

/** The answer in the recorded nftables shape (trace view: evaluation order, one entry per rule event). */
export function nftAnswer(o: KernelOutcome): NftKernelAnswer {
  const d = o.decidedBy;
  return {
    verdict: o.verdict,
    decidedBy: isPolicy(d) ? { family: d.family, table: d.table, chain: d.chain, policy: true } : { family: d.family, table: d.table, chain: d.chain, index: d.index },
    matched: o.matched.map((m) => [m.family, m.table, m.chain, m.index] as const),
  };
}

export function makeRecord(
  id: string, dialect: RecordDialect, ruleset: string, packet: Packet, outcome: KernelOutcome, seed?: number,
): KernelCaseRecord {
  const base = { id, dialect, ruleset, packet: packetToJson(packet) };
  const extra = seed !== undefined ? { seed } : {};
  if (dialect === 'nftables') return { ...base, kernel: nftAnswer(outcome), events: outcome.events, ...extra };
  return { ...base, kernel: iptablesAnswer(outcome), ...extra };
}

/** One JSON line (no trailing newline). */
export function formatRecord(r: KernelCaseRecord): string {
  return JSON.stringify(r);
}

export interface RecordProblem {
  readonly line: number;
  readonly message: string;
}

/** Parses a JSON Lines file of cases; bad lines are reported, not thrown. */
export function parseRecords(text: string): { readonly records: KernelCaseRecord[]; readonly problems: RecordProblem[] } {
  const records: KernelCaseRecord[] = [];
  const problems: RecordProblem[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      const o = JSON.parse(line) as Partial<KernelCaseRecord>;
      if (typeof o.id !== 'string' || typeof o.ruleset !== 'string' || typeof o.packet !== 'object' || typeof o.kernel !== 'object') {
        problems.push({ line: i + 1, message: 'expected an object with id, dialect, ruleset, packet and kernel' });
        continue;
      }
      if (o.dialect !== 'iptables-save' && o.dialect !== 'ip6tables-save' && o.dialect !== 'nftables') {
        problems.push({ line: i + 1, message: `unknown dialect ${JSON.stringify(o.dialect)}` });
        continue;
      }
      records.push(o as KernelCaseRecord);
    } catch (e) {
      problems.push({ line: i + 1, message: `not JSON: ${(e as Error).message}` });
    }
  }
  return { records, problems };
}

/** The record's packet as a model Packet (errors as messages). */
export function recordPacket(r: KernelCaseRecord): { readonly packet?: Packet; readonly errors: readonly string[] } {
  return packetFromJson(r.packet);
}

/** Differences between a recorded answer and a fresh kernel outcome, as readable lines (empty = same). */
export function compareWithRecord(r: KernelCaseRecord, o: KernelOutcome): string[] {
  const fresh = r.dialect === 'nftables' ? nftAnswer(o) : iptablesAnswer(o);
  const out: string[] = [];
  const want = r.kernel as unknown as Record<string, unknown>;
  const got = fresh as unknown as Record<string, unknown>;
  const decidedKey = r.dialect === 'nftables' ? 'decidedBy' : 'terminal';
  for (const k of ['verdict', decidedKey, 'matched']) {
    if (JSON.stringify(want[k]) !== JSON.stringify(got[k])) out.push(`${k}: recorded ${JSON.stringify(want[k])}, kernel now ${JSON.stringify(got[k])}`);
  }
  return out;
}
