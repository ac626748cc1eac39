/**
 * Rulesets walked symbolically: every chain turned into the sets of packets it may accept, may
 * block, and may hand back (return / fall off its end), the same semantics as the simulator's
 * branch walk (walk.ts in ../simulate) applied to all packets at once. "May" means "on some
 * branch": a packet meeting an undecided rule (opaque match, user-space verdict) goes both ways,
 * as the simulator explores both. Chains are summarised once, bottom-up (packets do not change
 * while they walk, except marks, see CompileContext.markUnknown), so the cost is linear in the
 * number of rules; per-rule reach sets for lint come from a second, top-down pass.
 */
import type { Action } from '../../model/action.js';
import type { Family } from '../../model/address.js';
import type { Hook, Table } from '../../model/ruleset.js';
import { indexRuleset, type PreparedChain, type PreparedRule, type PreparedRuleset } from '../simulate/index-ruleset.js';
import type { Ruleset } from '../../model/ruleset.js';
import { FALSE } from './bdd.js';
import { MatchCompiler } from './compile-match.js';
import type { Space } from './space.js';

/** What a chain may do with the packets that enter it. */
export interface ChainSets {
  acc: number;
  blk: number;
  ret: number;
}

/** The verdict sets of a hook, over both families. */
export interface HookSets {
  /** Accepted on every branch: what `simulate` reports as accepted. */
  readonly accepted: number;
  /** Accepted on some branch. */
  readonly mayAccept: number;
  /** Dropped or rejected on some branch. */
  readonly mayBlock: number;
  /** Notes about approximations that apply. */
  readonly notes: readonly string[];
}

type CallHook = (target: PreparedChain, entering: number) => void;
type RuleHook = (pr: PreparedRule, reach: number) => void;

export function isEarly(pc: PreparedChain): boolean {
  const b = pc.chain.base;
  return b !== undefined && (b.hook === 'prerouting' || b.hook === 'output') && b.priority < -200;
}

export class SymbolicRuleset {
  readonly prepared: PreparedRuleset;
  private readonly compilers: [MatchCompiler, MatchCompiler];
  private readonly summaries: [Map<PreparedChain, ChainSets>, Map<PreparedChain, ChainSets>] = [new Map(), new Map()];
  private readonly onStack = new Set<PreparedChain>();
  readonly notes: string[] = [];

  constructor(readonly space: Space, readonly ruleset: Ruleset) {
    this.prepared = indexRuleset(ruleset);
    let markUnknown = false;
    for (const t of ruleset.tables) for (const c of t.chains) for (const r of c.rules) {
      if (r.effects.some((e) => e.kind === 'mark')) markUnknown = true;
    }
    if (markUnknown) this.notes.push('some rules rewrite packet or connection marks: later mark tests are treated as unknown (over- and under-approximations)');
    this.compilers = [
      new MatchCompiler(space, { early: false, markUnknown }),
      new MatchCompiler(space, { early: true, markUnknown }),
    ];
  }

  compiler(early: boolean): MatchCompiler {
    return this.compilers[early ? 1 : 0];
  }

  /** The chain's behaviour on every packet (memoised). */
  summary(pc: PreparedChain, early: boolean): ChainSets {
    const memo = this.summaries[early ? 1 : 0];
    const hit = memo.get(pc);
    if (hit !== undefined) return hit;
    this.onStack.add(pc);
    const s = this.walk(pc, this.space.valid, early);
    this.onStack.delete(pc);
    memo.set(pc, s);
    return s;
  }

  /** Walks the chain with the packets `entry`; `onRule` sees the packets that reach each rule. */
  walk(pc: PreparedChain, entry: number, early: boolean, onRule?: RuleHook, onCall?: CallHook): ChainSets {
    const { bdd } = this.space;
    const comp = this.compiler(early);
    const s: ChainSets = { acc: FALSE, blk: FALSE, ret: FALSE };
    let r = entry;
    for (const pr of pc.rules) {
      onRule?.(pr, r);
      if (r === FALSE) continue;
      const t = comp.rule(pr.rule.match);
      const x = bdd.and(r, bdd.or(t.h, t.u));
      const skip = bdd.diff(r, t.h);
      const a = pr.rule.action;
      if (a.kind === 'dispatch') {
        let y = x;
        let cont = FALSE;
        for (const c of a.cases) {
          const tc = comp.rule(c.match);
          cont = bdd.or(cont, this.act(c.action, bdd.and(y, bdd.or(tc.h, tc.u)), s, pc.table, early, onCall));
          y = bdd.diff(y, tc.h);
        }
        r = bdd.or(skip, bdd.or(y, cont));
      } else {
        r = bdd.or(skip, this.act(a, x, s, pc.table, early, onCall));
      }
    }
    s.ret = bdd.or(s.ret, r);
    return s;
  }

  /** Applies an action to the packets x; returns those that continue with the next rule. */
  private act(a: Action, x: number, s: ChainSets, table: Table, early: boolean, onCall?: CallHook): number {
    const { bdd } = this.space;
    if (x === FALSE) return FALSE;
    switch (a.kind) {
      case 'accept': s.acc = bdd.or(s.acc, x); return FALSE;
      case 'drop': case 'reject': s.blk = bdd.or(s.blk, x); return FALSE;
      case 'continue': case 'nat': case 'dispatch': return x;
      case 'return': s.ret = bdd.or(s.ret, x); return FALSE;
      case 'jump': case 'goto': {
        const target = this.prepared.findChain(table, a.chain);
        if (target === undefined) return x;
        if (this.onStack.has(target)) {
          // A loop: the simulator stops and counts the packet as dropped (the kernel refuses such rulesets).
          s.blk = bdd.or(s.blk, x);
          return FALSE;
        }
        onCall?.(target, x);
        const sum = this.summary(target, early);
        s.acc = bdd.or(s.acc, bdd.and(x, sum.acc));
        s.blk = bdd.or(s.blk, bdd.and(x, sum.blk));
        const back = bdd.and(x, sum.ret);
        if (a.kind === 'jump') return back;
        s.ret = bdd.or(s.ret, back);
        return FALSE;
      }
      case 'queue': s.acc = bdd.or(s.acc, x); s.blk = bdd.or(s.blk, x); return FALSE;
      case 'opaque':
        if (!a.terminal) return x;
        s.acc = bdd.or(s.acc, x);
        s.blk = bdd.or(s.blk, x);
        return FALSE;
      default: {
        const never: never = a;
        return never;
      }
    }
  }

  /** A base chain's verdict sets, its policy applied to what falls off its end. */
  baseSets(pc: PreparedChain): { acc: number; blk: number } {
    const { bdd } = this.space;
    const s = this.summary(pc, isEarly(pc));
    const policy = pc.chain.base?.policy ?? 'accept';
    return policy === 'accept' ? { acc: bdd.or(s.acc, s.ret), blk: s.blk } : { acc: s.acc, blk: bdd.or(s.blk, s.ret) };
  }

  /** Verdict sets of a hook: every base chain of each family in priority order, all must accept. */
  hook(hook: Hook): HookSets {
    const { bdd } = this.space;
    let accepted = FALSE;
    let mayAccept = FALSE;
    let mayBlock = FALSE;
    const notes = [...this.notes];
    for (const family of ['ipv4', 'ipv6'] as Family[]) {
      const plan = this.prepared.plan(hook, family);
      notes.push(...plan.ambiguities);
      const fam = bdd.and(this.space.valid, this.space.family(family));
      let certain = fam;
      let may = fam;
      let blocked = FALSE;
      for (const pc of plan.chains) {
        const { acc, blk } = this.baseSets(pc);
        blocked = bdd.or(blocked, bdd.and(may, blk));
        may = bdd.and(may, acc);
        certain = bdd.and(certain, bdd.diff(acc, blk));
      }
      accepted = bdd.or(accepted, certain);
      mayAccept = bdd.or(mayAccept, may);
      mayBlock = bdd.or(mayBlock, blocked);
    }
    return { accepted, mayAccept, mayBlock, notes };
  }

  /** Hooks that have at least one (non-nat) base chain. */
  hooksInUse(): Hook[] {
    const out = new Set<Hook>();
    for (const t of this.ruleset.tables) for (const c of t.chains) if (c.base !== undefined && c.base.type !== 'nat') out.add(c.base.hook);
    return [...out];
  }
}
