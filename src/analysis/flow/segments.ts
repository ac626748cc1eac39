/**
 * The base chains of one hook in kernel order, cut at the nat chains: filter-type chains before
 * the first nat chain, the nat chain, filter chains up to the next one, … Each filter segment is a
 * ruleset of its own for the simulator (which evaluates every filter-type base chain of a hook), so
 * that NAT happens between them at its priority, as in the kernel.
 */
import type { Family } from '../../model/address.js';
import type { Chain, Hook, Ruleset, Table } from '../../model/ruleset.js';
import { tableSeesFamily } from '../../model/ruleset.js';
import { prepare, type Simulator } from '../simulate/index.js';
import { defaultNatPriority } from './translate.js';

export interface NatChainRef {
  readonly table: Table;
  readonly chain: Chain;
  readonly priority: number;
}

export type Segment =
  | { readonly kind: 'filter'; readonly sim: Simulator; readonly chains: number }
  | { readonly kind: 'nat'; readonly chains: readonly NatChainRef[]; readonly priority: number };

/** Keeps every chain (jump targets) but only the base chains of `hook` whose priority lies in (lo, hi]. */
function window(rs: Ruleset, hook: Hook, lo: number, hi: number): { rs: Ruleset; count: number } {
  let count = 0;
  const tables = rs.tables.map((t) => ({
    ...t,
    chains: t.chains.map((c) => {
      const b = c.base;
      if (b === undefined) return c;
      const inside = b.hook === hook && b.type !== 'nat' && b.priority > lo && b.priority <= hi;
      if (inside) {
        count++;
        return c;
      }
      const { base: _dropped, ...rest } = c;
      return rest as Chain;
    }),
  }));
  return { rs: { tables }, count };
}

function natChains(rs: Ruleset, hook: Hook, family: Family): NatChainRef[] {
  const out: NatChainRef[] = [];
  for (const table of rs.tables) {
    if (!tableSeesFamily(table.family, family)) continue;
    for (const chain of table.chains) {
      const b = chain.base;
      if (b !== undefined && b.hook === hook && b.type === 'nat') out.push({ table, chain, priority: b.priority });
    }
  }
  return out.sort((a, b) => a.priority - b.priority);
}

/** Builds (once per ruleset, hook and family) the ordered segments. */
export class SegmentCache {
  private readonly cache = new Map<string, readonly Segment[]>();
  constructor(private readonly rs: Ruleset) {}

  segments(hook: Hook, family: Family): readonly Segment[] {
    const key = `${hook}/${family}`;
    let s = this.cache.get(key);
    if (s === undefined) {
      s = this.build(hook, family);
      this.cache.set(key, s);
    }
    return s;
  }

  private build(hook: Hook, family: Family): Segment[] {
    const nats = natChains(this.rs, hook, family);
    const prios = [...new Set(nats.map((n) => n.priority))];
    // Replies are translated back at the kernel's NAT hook even when no nat chain is on this hook.
    const dflt = defaultNatPriority(hook);
    if (prios.length === 0 && dflt !== undefined) prios.push(dflt);
    const out: Segment[] = [];
    let lo = Number.NEGATIVE_INFINITY;
    const pushFilter = (hi: number): void => {
      const w = window(this.rs, hook, lo, hi);
      if (w.count > 0) out.push({ kind: 'filter', sim: prepare(w.rs), chains: w.count });
    };
    for (const p of prios) {
      // Filter chains at the nat chain's own priority run first (the kernel leaves ties unordered).
      pushFilter(p);
      out.push({ kind: 'nat', priority: p, chains: nats.filter((n) => n.priority === p) });
      lo = p;
    }
    pushFilter(Number.POSITIVE_INFINITY);
    return out;
  }
}
