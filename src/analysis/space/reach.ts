/**
 * Top-down pass: which packets reach each rule. Base chains start with every well-formed packet
 * of the families their table sees; a user chain starts with the union of what its jump / goto
 * sites send it. Chains are visited callers first (call loops are cut; lint reports them).
 */
import type { Family } from '../../model/address.js';
import { tableSeesFamily } from '../../model/ruleset.js';
import type { PreparedChain, PreparedRule } from '../simulate/index-ruleset.js';
import { FALSE } from './bdd.js';
import { type SymbolicRuleset, isEarly } from './walk.js';

export interface RuleReach {
  /** Packets that may reach the rule, by PreparedRule.id. */
  readonly reach: Map<number, number>;
  /** Packets entering each chain that is reached at all. */
  readonly entry: Map<PreparedChain, number>;
  /** Whether a chain runs before conntrack. */
  readonly early: Map<PreparedChain, boolean>;
  /** Every chain, in the order walked (callers first); unreached user chains are absent. */
  readonly order: readonly PreparedChain[];
}

function allChains(sym: SymbolicRuleset): PreparedChain[] {
  const out: PreparedChain[] = [];
  for (const t of sym.ruleset.tables) {
    for (const c of t.chains) {
      const pc = sym.prepared.findChain(t, c.name);
      if (pc !== undefined && pc.chain === c) out.push(pc);
    }
  }
  return out;
}

function callees(sym: SymbolicRuleset, pc: PreparedChain): PreparedChain[] {
  const out: PreparedChain[] = [];
  const visit = (a: PreparedRule['rule']['action']): void => {
    if (a.kind === 'jump' || a.kind === 'goto') {
      const t = sym.prepared.findChain(pc.table, a.chain);
      if (t !== undefined) out.push(t);
    } else if (a.kind === 'dispatch') a.cases.forEach((c) => visit(c.action));
  };
  for (const pr of pc.rules) visit(pr.rule.action);
  return out;
}

export function ruleReach(sym: SymbolicRuleset): RuleReach {
  const { bdd } = sym.space;
  const chains = allChains(sym);
  const early = new Map<PreparedChain, boolean>();
  // Reverse post-order of the call graph from the base chains: callers before callees.
  const post: PreparedChain[] = [];
  const state = new Map<PreparedChain, 1 | 2>();
  const dfs = (pc: PreparedChain, e: boolean): void => {
    state.set(pc, 1);
    if (!early.has(pc)) early.set(pc, e);
    for (const c of callees(sym, pc)) if (!state.has(c)) dfs(c, e);
    state.set(pc, 2);
    post.push(pc);
  };
  const bases = chains.filter((c) => c.chain.base !== undefined);
  for (const b of bases) if (!state.has(b)) dfs(b, isEarly(b));
  const order = post.reverse();
  const entry = new Map<PreparedChain, number>();
  for (const b of bases) {
    let fams = FALSE;
    for (const f of ['ipv4', 'ipv6'] as Family[]) if (tableSeesFamily(b.table.family, f)) fams = bdd.or(fams, sym.space.family(f));
    entry.set(b, bdd.and(sym.space.valid, fams));
  }
  const reach = new Map<number, number>();
  for (const pc of order) {
    const e = early.get(pc) ?? false;
    sym.walk(pc, entry.get(pc) ?? FALSE, e,
      (pr, r) => reach.set(pr.id, bdd.or(reach.get(pr.id) ?? FALSE, r)),
      (target, x) => entry.set(target, bdd.or(entry.get(target) ?? FALSE, x)));
  }
  return { reach, entry, early, order };
}
