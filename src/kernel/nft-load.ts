/**
 * Loading a user's nftables ruleset into the lab as the kernel test needs it: counters start at
 * zero (a `nft list ruleset` dump carries `counter packets 12 bytes 3400`, and the harness checks
 * counters against the trace), and `nft -j` JSON is reordered so that it loads — nft lists a
 * verdict map before the chains its elements jump to, and refuses that order on input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunResult, inNs, run } from './exec.js';

/** JSON (`nft -j`) when the document is an object with an "nftables" array. */
export function isNftJson(text: string): boolean {
  return /^\s*\{\s*"nftables"\s*:/.test(text.replace(/^\uFEFF/, ''));
}

/** `counter packets N bytes M` → `counter` (anonymous counters only; named counter objects keep theirs). */
export function zeroCounters(text: string): string {
  return text.replace(/\bcounter\s+packets\s+\d+\s+bytes\s+\d+/g, 'counter');
}

const ORDER: Readonly<Record<string, number>> = { metainfo: 0, table: 1, chain: 2, set: 3, map: 3, flowtable: 3, element: 4, rule: 5 };

/**
 * The JSON document with its objects in an order nft accepts (tables, chains, sets and maps, rules)
 * and rule counters at zero; undefined when it is not an `{"nftables": [...]}` document.
 */
export function normaliseNftJson(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { nftables?: unknown }).nftables)) return undefined;
  const items = (doc as { nftables: unknown[] }).nftables;
  const rank = (o: unknown): number => (typeof o === 'object' && o !== null ? ORDER[Object.keys(o)[0] ?? ''] ?? 6 : 6);
  const sorted = items.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
  const zeroed = JSON.stringify({ nftables: sorted }, (k, v: unknown) => (k === 'counter' && typeof v === 'object' && v !== null && 'packets' in v ? { packets: 0, bytes: 0 } : v));
  return zeroed;
}

/** `flush ruleset`, the JSON document, then the harness's own table (text), inside `ns`. */
export async function loadNftJson(ns: string, text: string, harness: string): Promise<RunResult> {
  const json = normaliseNftJson(text);
  if (json === undefined) return { code: 1, stdout: '', stderr: 'the ruleset is not an nft -j document ({"nftables": [...]})' };
  const flushed = await run(inNs(ns, ['nft', 'flush', 'ruleset']), { timeoutMs: 120_000 });
  if (flushed.code !== 0) return flushed;
  // nft reads JSON from a file path (it cannot open /dev/stdin when that is a socket, as Node's pipes are).
  const dir = mkdtempSync(join(tmpdir(), 'fwdk-json-'));
  const file = join(dir, 'ruleset.json');
  let loaded: RunResult;
  try {
    writeFileSync(file, json);
    loaded = await run(inNs(ns, ['nft', '-j', '-f', file]), { timeoutMs: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (loaded.code !== 0) return loaded;
  return run(inNs(ns, ['nft', '-f', '-']), { input: harness, timeoutMs: 120_000 });
}
