/**
 * The kernel's answer per packet, read from `nft monitor trace`: every rule whose match held (in
 * evaluation order, with repeats), the rule or policy that decided, and the verdict. A harness-owned
 * table (`inet fwdk`, prerouting priority -350, before raw) sets `meta nftrace` on every packet, so
 * iptables-nft and native nft rulesets are traced alike without touching their rules or indices.
 *
 * The per-rule counters of the same listing are checked against the traces after each ruleset
 * (session.ts), so a lost trace event cannot go unnoticed.
 */
import type { TableFamily } from '../model/ruleset.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inNs } from './exec.js';
import { type Listing, baseChainsOn, handleKey } from './listing.js';
import { type TraceEvent, parseTraceLine, packetTag, formatTraceEvent } from './trace-parse.js';

/** The harness's own nft table. */
export const HARNESS_TABLE = 'fwdk';

export interface KernelRuleRef {
  readonly family: TableFamily;
  readonly table: string;
  readonly chain: string;
  readonly index: number;
  readonly handle: number;
}

export interface KernelPolicyRef {
  readonly family: TableFamily;
  readonly table: string;
  readonly chain: string;
  readonly policy: true;
}

export interface KernelOutcome {
  readonly verdict: 'accept' | 'drop' | 'reject';
  readonly decidedBy: KernelRuleRef | KernelPolicyRef;
  /** Rules whose match held, in evaluation order (a rule reached twice appears twice). */
  readonly matched: readonly KernelRuleRef[];
  /** The packet's trace lines (harness table left out), normalised. */
  readonly events: readonly string[];
}

export type Observation =
  | { readonly ok: true; readonly outcome: KernelOutcome }
  | { readonly ok: false; readonly reason: string; readonly events: readonly string[] };

export function isPolicy(r: KernelRuleRef | KernelPolicyRef): r is KernelPolicyRef {
  return 'policy' in r;
}

/**
 * Turns one packet's trace events into the kernel's outcome. `complete` is false while the packet
 * may still be on its way (no drop, and no accept in the last base chain on the hook yet).
 */
export function outcomeOf(
  events: readonly TraceEvent[], listing: Listing, hook: string, ip: 'ipv4' | 'ipv6',
): { readonly complete: boolean; readonly observation: Observation } {
  const mine = events.filter((e) => e.table !== HARNESS_TABLE || e.family !== 'inet');
  const lines = mine.map(formatTraceEvent);
  const bases = baseChainsOn(listing, hook, ip);
  const last = bases[bases.length - 1];
  const matched: KernelRuleRef[] = [];
  let decided: { ref: KernelRuleRef | KernelPolicyRef; verdict: 'accept' | 'drop' | 'reject' } | undefined;
  let final = false;
  // Every base chain (any hook): events of a packet's earlier hooks (prerouting) come first and
  // are not part of the answer for `hook`, except a drop, which ends the packet there.
  const anyBase = listing.chains.filter((c) => c.hook !== undefined);
  const baseOf = (e: TraceEvent) => anyBase.find((b) => b.family === e.family && b.table === e.table && b.name === e.chain);
  const isLast = (f: string, t: string, c: string): boolean => last !== undefined && last.family === f && last.table === t && last.name === c;
  let current: { family: string; table: string; chain: string; hook?: string } | undefined;
  for (const e of mine) {
    // A user chain is entered through a rule event in a base chain, so the last base chain named is the one running.
    const b = baseOf(e);
    if (b) current = { family: e.family, table: e.table, chain: e.chain, ...(b.hook !== undefined ? { hook: b.hook } : {}) };
    const onHook = current?.hook === hook;
    if (e.kind === 'rule') {
      const r = listing.byHandle.get(handleKey(e.family, e.table, e.chain, e.handle));
      if (!r) return { complete: true, observation: { ok: false, reason: `trace names rule handle ${e.handle} in ${e.family} ${e.table} ${e.chain}, which the listing does not have`, events: lines } };
      const ref: KernelRuleRef = { family: r.family, table: r.table, chain: r.chain, index: r.index, handle: r.handle };
      if (onHook) matched.push(ref);
      if (e.verdict === 'accept' && onHook) {
        decided = { ref, verdict: 'accept' };
        if (current && current.family === e.family && current.table === e.table && isLast(current.family, current.table, current.chain)) final = true;
      } else if (e.verdict === 'drop') {
        decided = { ref, verdict: r.rejects ? 'reject' : 'drop' };
        final = true;
      }
    } else if (e.kind === 'policy' && (onHook || e.policy === 'drop')) {
      decided = { ref: { family: e.family, table: e.table, chain: e.chain, policy: true }, verdict: e.policy };
      if (e.policy === 'drop' || isLast(e.family, e.table, e.chain)) final = true;
    }
    if (final) break;
  }
  if (!final || !decided) {
    const reason = bases.length === 0
      ? `no base chain on the ${hook} hook sees ${ip} packets`
      : `the trace ended before a verdict in ${last ? `${last.family} ${last.table} ${last.name}` : 'the last base chain'}`;
    return { complete: false, observation: { ok: false, reason, events: lines } };
  }
  return { complete: true, observation: { ok: true, outcome: { verdict: decided.verdict, decidedBy: decided.ref, matched, events: lines } } };
}

/** Trace events grouped per injected packet, keyed by `family:tag`. */
interface PacketRecord {
  readonly key: string;
  readonly events: TraceEvent[];
}

/** A long-lived `nft -a monitor trace` in the firewall namespace. */
export class TraceMonitor {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly byTraceId = new Map<string, PacketRecord>();
  private readonly byKey = new Map<string, PacketRecord>();
  private readonly sentinels = new Set<number>();
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  private exited: string | undefined;

  private constructor(child: ChildProcessWithoutNullStreams, private readonly sentinelIf: string) {
    this.child = child;
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    const stderr: string[] = [];
    child.stderr.on('data', (b: Buffer) => stderr.push(b.toString('utf8')));
    child.on('error', (e) => { this.exited = `nft monitor could not start: ${e.message}`; });
    child.on('close', (code) => { this.exited = `nft monitor exited (code ${String(code)}): ${stderr.join('').trim()}`; this.wake(); });
  }

  static start(ns: string, sentinelIf: string): TraceMonitor {
    const argv = inNs(ns, ['nft', '-a', 'monitor', 'trace']);
    return new TraceMonitor(spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }), sentinelIf);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get failure(): string | undefined {
    return this.exited;
  }

  private onLine(line: string): void {
    const e = parseTraceLine(line);
    if (!e) return;
    if (e.kind === 'packet' && e.table === HARNESS_TABLE && e.family === 'inet') {
      const t = packetTag(e.fields);
      if (!t) return;
      if (t.iif === this.sentinelIf) {
        this.sentinels.add(t.tag);
        this.byTraceId.delete(e.id);
        this.wake();
        return;
      }
      const rec: PacketRecord = { key: `${t.family}:${t.tag}`, events: [e] };
      this.byTraceId.set(e.id, rec);
      this.byKey.set(rec.key, rec);
      return;
    }
    const rec = this.byTraceId.get(e.id);
    if (rec) {
      rec.events.push(e);
      this.wake();
    }
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w && (this.exited !== undefined || w.test())) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves when `test` holds (checked on every event) or after `timeoutMs`; returns whether it held. */
  waitFor(test: () => boolean, timeoutMs: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { test, resolve: () => { clearTimeout(timer); resolve(test()); } };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(test());
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  sawSentinel(n: number): boolean {
    return this.sentinels.has(n);
  }

  /** Forgets every packet seen so far (call before a batch, so tags can be reused). */
  reset(): void {
    this.byTraceId.clear();
    this.byKey.clear();
    this.sentinels.clear();
  }

  eventsOf(family: 'ipv4' | 'ipv6', tag: number): readonly TraceEvent[] {
    return this.byKey.get(`${family}:${tag}`)?.events ?? [];
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
