/**
 * Top-down pass: which packets reach each rule. Base chains start with every well-formed packet
 * of the families their table sees; a user chain starts with the union of what its jump / goto
 * sites send it. Chains are visited callers first (call loops are cut; lint reports them), each once.
 */
import type { Action } from '../../model/action.js';
import type { Family } from '../../model/address.js';
import { assertNever } from '../../model/assert-never.js';
import { tableSeesFamily } from '../../model/ruleset.js';
import type { Table } from '../../model/ruleset.js';
import type { PreparedChain, PreparedRule } from '../simulate/index-ruleset.js';
import { FALSE } from './bdd.js';
import { type SymbolicRuleset, isEarly } from './walk.js';

export interface RuleReach {
  /**
   * Packets that may reach the rule, by PreparedRule.id: `base ∖ minus` (kept apart because `base`
   * is shared by a batch of rules and large, `minus` small: tests intersect `minus` first).
   */
  readonly base: Map<number, number>;
  readonly minus: Map<number, number>;
  /** Packets entering each chain that is reached at all. */
  readonly entry: Map<PreparedChain, number>;
  /** Whether a chain runs before conntrack. */
  readonly early: Map<PreparedChain, boolean>;
  /** Every chain, in the order walked (callers first); unreached user chains are absent. */
  readonly order: readonly PreparedChain[];
  /** Chains walked with their final entry (a call loop may add entering packets after the walk). */
  readonly settled: ReadonlySet<PreparedChain>;
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

type CallHook = (target: PreparedChain, entering: number) => void;
/** The packets reaching a rule are `base ∖ minus`. */
type RuleHook = (pr: PreparedRule, base: number, minus: number) => void;

/** Rules whose subtractions walk() collects before applying them (measured on a 3.8k-rule chain). */
const WALK_BATCH = 128;

/**
 * Walks the chain forwards with the packets `entry`: `onRule` sees the packets that reach each
 * rule, as `base ∖ minus`, `onCall` those each jump / goto sends to its target. Returns what falls
 * off the end. Rules that only take packets away (verdicts, returns) are collected into `minus`
 * and subtracted from `base` once per batch of WALK_BATCH rules: consecutive rules share most of
 * the large set's nodes they would each visit, so one subtraction of their union costs about as
 * much as one of them alone. A jump, goto or verdict map needs the set itself and subtracts first.
 */
export function walk(sym: SymbolicRuleset, pc: PreparedChain, entry: number, early: boolean, onRule: RuleHook, onCall: CallHook): number {
  const { bdd } = sym.space;
  const comp = sym.compiler(early);
  let r = entry;
  let minus = FALSE;
  let batch = 0;
  const settle = (): number => {
    if (minus !== FALSE) r = bdd.diff(r, minus);
    minus = FALSE;
    batch = 0;
    return r;
  };
  for (const pr of pc.rules) {
    if (batch >= WALK_BATCH) settle();
    onRule(pr, r, minus);
    if (r === FALSE) continue;
    const t = comp.rule(pr.rule.match);
    const a = pr.rule.action;
    switch (a.kind) {
      case 'accept': case 'drop': case 'reject': case 'return': case 'queue':
        minus = bdd.or(minus, t.h);
        batch++;
        // A rule that takes every packet entering the chain leaves nothing: no need to wait.
        if (bdd.implies(entry, t.h)) settle();
        break;
      case 'opaque':
        if (a.terminal) {
          minus = bdd.or(minus, t.h);
          batch++;
        }
        break;
      case 'continue': case 'nat':
        break;
      case 'dispatch': {
        settle();
        let y = bdd.and(r, bdd.or(t.h, t.u));
        let cont = FALSE;
        for (const c of a.cases) {
          const tc = comp.rule(c.match);
          cont = bdd.or(cont, passOn(sym, c.action, bdd.and(y, bdd.or(tc.h, tc.u)), pc.table, early, onCall));
          y = bdd.diff(y, tc.h);
        }
        r = bdd.or(bdd.diff(r, t.h), bdd.or(y, cont));
        break;
      }
      case 'jump': case 'goto':
        settle();
        r = bdd.or(bdd.diff(r, t.h), passOn(sym, a, bdd.and(r, bdd.or(t.h, t.u)), pc.table, early, onCall));
        break;
      default: assertNever(a);
    }
  }
  return settle();
}

/** The packets x that continue with the next rule after the action (and the calls it makes). */
function passOn(sym: SymbolicRuleset, a: Action, x: number, table: Table, early: boolean, onCall: CallHook): number {
  if (x === FALSE) return FALSE;
  switch (a.kind) {
    case 'continue': case 'nat': case 'dispatch': return x;
    case 'opaque': return a.terminal ? FALSE : x;
    case 'jump': case 'goto': {
      const target = sym.prepared.findChain(table, a.chain);
      if (target === undefined) return x;
      onCall(target, x);
      return a.kind === 'jump' ? sym.space.bdd.and(x, sym.summary(target, early).ret) : FALSE;
    }
    default: return FALSE;
  }
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
  const base = new Map<number, number>();
  const minus = new Map<number, number>();
  const walked = new Map<PreparedChain, number>();
  for (const pc of order) {
    const e = early.get(pc) ?? false;
    const start = entry.get(pc) ?? FALSE;
    walked.set(pc, start);
    walk(sym, pc, start, e,
      (pr, b, m) => {
        base.set(pr.id, b);
        minus.set(pr.id, m);
      },
      (target, x) => entry.set(target, bdd.or(entry.get(target) ?? FALSE, x)));
  }
  const settled = new Set(order.filter((pc) => walked.get(pc) === (entry.get(pc) ?? FALSE)));
  return { base, minus, entry, early, order, settled };
}
