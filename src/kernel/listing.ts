/**
 * The kernel's own view of the loaded ruleset, from `nft -a -j list ruleset`: for every rule its
 * handle, its 1-based position in its chain, its packet counter and whether it rejects; for every
 * base chain its hook, priority and policy. Trace events name rules by handle; this turns them into
 * the `{table, chain, index}` references of the DESIGN.md contract.
 */
import type { TableFamily } from '../model/ruleset.js';

export interface ListedRule {
  readonly family: TableFamily;
  readonly table: string;
  readonly chain: string;
  readonly handle: number;
  /** 1-based position in the chain. */
  readonly index: number;
  /** Packets counted by the rule's `counter` expression; undefined when it has none. */
  readonly packets?: number;
  /** The rule ends in a reject (native `reject` or the xt REJECT target). */
  readonly rejects: boolean;
}

export interface ListedChain {
  readonly family: TableFamily;
  readonly table: string;
  readonly name: string;
  readonly hook?: string;
  /** filter, nat or route. */
  readonly type?: string;
  readonly priority?: number;
  readonly policy?: 'accept' | 'drop';
}

export interface Listing {
  readonly chains: readonly ListedChain[];
  readonly rules: readonly ListedRule[];
  /** `family table chain handle` → rule. */
  readonly byHandle: ReadonlyMap<string, ListedRule>;
}

export function handleKey(family: string, table: string, chain: string, handle: number): string {
  return `${family} ${table} ${chain} ${handle}`;
}

type Json = Record<string, unknown>;

function isObj(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function rejects(expr: unknown): boolean {
  if (!Array.isArray(expr)) return false;
  return expr.some((e) => isObj(e) && ('reject' in e || (isObj(e.xt) && e.xt.type === 'target' && e.xt.name === 'REJECT')));
}

function counterOf(expr: unknown): number | undefined {
  if (!Array.isArray(expr)) return undefined;
  for (const e of expr) {
    if (isObj(e) && isObj(e.counter) && typeof e.counter.packets === 'number') return e.counter.packets;
  }
  return undefined;
}

/**
 * Parses the JSON listing. Tables whose name is in `ignoreTables` (the harness's own) are left out.
 * Throws on text that is not an nft JSON listing (a bug or a broken tool, not user input).
 */
export function parseListing(text: string, ignoreTables: readonly string[] = []): Listing {
  const doc = JSON.parse(text) as unknown;
  if (!isObj(doc) || !Array.isArray(doc.nftables)) throw new Error('nft -j list ruleset: expected {"nftables": [...]}');
  const chains: ListedChain[] = [];
  const rules: ListedRule[] = [];
  const byHandle = new Map<string, ListedRule>();
  const position = new Map<string, number>();
  for (const item of doc.nftables as unknown[]) {
    if (!isObj(item)) continue;
    if (isObj(item.chain)) {
      const c = item.chain;
      if (ignoreTables.includes(String(c.table))) continue;
      chains.push({
        family: String(c.family) as TableFamily,
        table: String(c.table),
        name: String(c.name),
        ...(typeof c.hook === 'string' ? { hook: c.hook } : {}),
        ...(typeof c.type === 'string' ? { type: c.type } : {}),
        ...(typeof c.prio === 'number' ? { priority: c.prio } : {}),
        ...(c.policy === 'accept' || c.policy === 'drop' ? { policy: c.policy } : {}),
      });
    } else if (isObj(item.rule)) {
      const r = item.rule;
      if (ignoreTables.includes(String(r.table))) continue;
      const chainKey = `${String(r.family)} ${String(r.table)} ${String(r.chain)}`;
      const index = (position.get(chainKey) ?? 0) + 1;
      position.set(chainKey, index);
      const packets = counterOf(r.expr);
      const rule: ListedRule = {
        family: String(r.family) as TableFamily,
        table: String(r.table),
        chain: String(r.chain),
        handle: Number(r.handle),
        index,
        ...(packets !== undefined ? { packets } : {}),
        rejects: rejects(r.expr),
      };
      rules.push(rule);
      byHandle.set(handleKey(rule.family, rule.table, rule.chain, rule.handle), rule);
    }
  }
  return { chains, rules, byHandle };
}

/**
 * Base chains on `hook` that see packets of `ip` and decide verdicts, in the order the kernel runs
 * them. nat chains are left out: they see only the first packet of a connection and never filter.
 */
export function baseChainsOn(listing: Listing, hook: string, ip: 'ipv4' | 'ipv6'): ListedChain[] {
  const sees = (f: TableFamily): boolean => f === 'inet' || (f === 'ip' && ip === 'ipv4') || (f === 'ip6' && ip === 'ipv6');
  return listing.chains
    .filter((c) => c.hook === hook && c.type !== 'nat' && sees(c.family))
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
}
