/**
 * Rulesets walked symbolically: every chain turned into the sets of packets it may accept, may
 * block, and may hand back (return / fall off its end), the same semantics as the simulator's
 * branch walk (walk.ts in ../simulate) applied to all packets at once. "May" means "on some
 * branch": a packet meeting an undecided rule (opaque match, user-space verdict) goes both ways,
 * as the simulator explores both. Chains are summarised once, bottom-up and from their last rule
 * backwards (packets do not change while they walk, except marks, see
 * CompileContext.markUnknown); per-rule reach sets for lint come from a forward, top-down pass.
 */
import type { Action } from '../../model/action.js';
import type { Family } from '../../model/address.js';
import type { Hook, Table } from '../../model/ruleset.js';
import { indexRuleset, type PreparedChain, type PreparedRule, type PreparedRuleset } from '../simulate/index-ruleset.js';
import type { Ruleset } from '../../model/ruleset.js';
import { FALSE, TRUE } from './bdd.js';
import { assertNever } from '../../model/assert-never.js';
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
    const { bdd } = this.space;
    const s = this.suffix(pc, 0, early);
    this.onStack.delete(pc);
    const out = { acc: bdd.and(s.acc, this.space.valid), blk: bdd.and(s.blk, this.space.valid), ret: bdd.and(s.ret, this.space.valid) };
    memo.set(pc, out);
    return out;
  }

  /**
   * What the rules from `from` to the end do with every packet, computed backwards from the end
   * (everything falls off it: `ret`). Rule by rule: ite(holds, its outcome, the rest), with unknown
   * packets going both ways. Each step combines one rule's small match with the suffix, instead of
   * accumulating large reach sets forwards, so a chain costs about the sum of its rules' sizes.
   */
  suffix(pc: PreparedChain, from: number, early: boolean): ChainSets {
    const comp = this.compiler(early);
    let next: ChainSets = { acc: FALSE, blk: FALSE, ret: TRUE };
    for (let i = pc.rules.length - 1; i >= from; i--) {
      const pr = pc.rules[i] as PreparedRule;
      const t = comp.rule(pr.rule.match);
      const a = pr.rule.action;
      let take: ChainSets;
      if (a.kind === 'dispatch') {
        take = next;
        for (let k = a.cases.length - 1; k >= 0; k--) {
          const c = a.cases[k] as (typeof a.cases)[number];
          take = this.branch(comp.rule(c.match), this.outcome(c.action, take, pc.table, early), take);
        }
      } else {
        take = this.outcome(a, next, pc.table, early);
      }
      next = this.branch(t, take, next);
    }
    return next;
  }

  /** Packets where t holds take `take`, where it fails go on with `rest`, unknown ones both. */
  private branch(t: { h: number; u: number }, take: ChainSets, rest: ChainSets): ChainSets {
    const { bdd } = this.space;
    const pick = (x: number, y: number): number => {
      const sure = bdd.ite(t.h, x, y);
      return t.u === FALSE ? sure : bdd.ite(t.u, bdd.or(x, y), sure);
    };
    return { acc: pick(take.acc, rest.acc), blk: pick(take.blk, rest.blk), ret: pick(take.ret, rest.ret) };
  }

  /** What an action does with a packet, given what the rest of the chain (`next`) does with it. */
  private outcome(a: Action, next: ChainSets, table: Table, early: boolean): ChainSets {
    const { bdd } = this.space;
    switch (a.kind) {
      case 'accept': return { acc: TRUE, blk: FALSE, ret: FALSE };
      case 'drop': case 'reject': return { acc: FALSE, blk: TRUE, ret: FALSE };
      case 'continue': case 'nat': case 'dispatch': return next;
      case 'return': return { acc: FALSE, blk: FALSE, ret: TRUE };
      case 'queue': return { acc: TRUE, blk: TRUE, ret: FALSE };
      case 'opaque': return a.terminal ? { acc: TRUE, blk: TRUE, ret: FALSE } : next;
      case 'jump': case 'goto': {
        const target = this.prepared.findChain(table, a.chain);
        if (target === undefined) return next;
        // A loop: the simulator stops and counts the packet as dropped (the kernel refuses such rulesets).
        if (this.onStack.has(target)) return { acc: FALSE, blk: TRUE, ret: FALSE };
        const sum = this.summary(target, early);
        if (a.kind === 'goto') return sum;
        return {
          acc: bdd.or(sum.acc, bdd.and(sum.ret, next.acc)),
          blk: bdd.or(sum.blk, bdd.and(sum.ret, next.blk)),
          ret: bdd.and(sum.ret, next.ret),
        };
      }
      default: return assertNever(a);
    }
  }

  /**
   * Walks the chain forwards with the packets `entry`: `onRule` sees the packets that reach each
   * rule, `onCall` those each jump / goto sends to its target. Returns what falls off the end.
   */
  walk(pc: PreparedChain, entry: number, early: boolean, onRule?: RuleHook, onCall?: CallHook): number {
    const { bdd } = this.space;
    const comp = this.compiler(early);
    let r = entry;
    for (const pr of pc.rules) {
      onRule?.(pr, r);
      if (r === FALSE) continue;
      const t = comp.rule(pr.rule.match);
      const a = pr.rule.action;
      if (a.kind === 'dispatch') {
        let y = bdd.and(r, bdd.or(t.h, t.u));
        let cont = FALSE;
        for (const c of a.cases) {
          const tc = comp.rule(c.match);
          cont = bdd.or(cont, this.passOn(c.action, bdd.and(y, bdd.or(tc.h, tc.u)), pc.table, early, onCall));
          y = bdd.diff(y, tc.h);
        }
        r = bdd.or(bdd.diff(r, t.h), bdd.or(y, cont));
      } else if (a.kind === 'accept' || a.kind === 'drop' || a.kind === 'reject') {
        r = bdd.diff(r, t.h);
      } else {
        r = bdd.or(bdd.diff(r, t.h), this.passOn(a, bdd.and(r, bdd.or(t.h, t.u)), pc.table, early, onCall));
      }
    }
    return r;
  }

  /** The packets x that continue with the next rule after the action (and the calls it makes). */
  private passOn(a: Action, x: number, table: Table, early: boolean, onCall?: CallHook): number {
    if (x === FALSE) return FALSE;
    switch (a.kind) {
      case 'continue': case 'nat': case 'dispatch': return x;
      case 'opaque': return a.terminal ? FALSE : x;
      case 'jump': case 'goto': {
        const target = this.prepared.findChain(table, a.chain);
        if (target === undefined) return x;
        if (this.onStack.has(target)) return FALSE;
        onCall?.(target, x);
        return a.kind === 'jump' ? this.space.bdd.and(x, this.summary(target, early).ret) : FALSE;
      }
      default: return FALSE;
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
