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

/**
 * What the rules from position i to the end of a chain do with every packet, for every i (index
 * rules.length: past the last rule). `ret` mode: falling off the end or RETURN hands packets back;
 * `policy` mode (base chains): both give the chain's policy, so `ret` stays empty.
 */
export interface SuffixSets {
  readonly acc: Int32Array;
  readonly blk: Int32Array;
  readonly ret: Int32Array;
}

export type SuffixMode = 'ret' | 'policy';

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
  private readonly suffixMemo = new Map<string, SuffixSets>();
  private readonly chainIds = new Map<PreparedChain, number>();
  private readonly onStack = new Set<PreparedChain>();
  readonly notes: string[] = [];

  /**
   * `slice`: only these packets matter (a service matrix needs one protocol and port): every
   * set is computed within it, so rules outside it cost nothing. Sets are then exact inside the
   * slice and meaningless outside.
   */
  constructor(readonly space: Space, readonly ruleset: Ruleset, readonly slice: number = TRUE) {
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
    const { bdd, valid } = this.space;
    const s = this.suffixSets(pc, early, 'ret');
    const out = { acc: bdd.and(s.acc[0] as number, valid), blk: bdd.and(s.blk[0] as number, valid), ret: bdd.and(s.ret[0] as number, valid) };
    memo.set(pc, out);
    return out;
  }

  /**
   * Every suffix of the chain, computed once, backwards from the end (memoised; lint reads them for
   * redundancy). Rule by rule: ite(holds, its outcome, the rest), unknown packets going both ways.
   * Each step combines one rule's small match with the suffix, instead of accumulating large reach
   * sets forwards, so a chain costs about the sum of its rules' sizes.
   */
  suffixSets(pc: PreparedChain, early: boolean, mode: SuffixMode): SuffixSets {
    let id = this.chainIds.get(pc);
    if (id === undefined) this.chainIds.set(pc, (id = this.chainIds.size));
    const key = `${id}/${early ? 1 : 0}/${mode}`;
    const hit = this.suffixMemo.get(key);
    if (hit !== undefined) return hit;
    const n = pc.rules.length;
    const out: SuffixSets = { acc: new Int32Array(n + 1), blk: new Int32Array(n + 1), ret: new Int32Array(n + 1) };
    const policy = pc.chain.base?.policy;
    const all = this.slice;
    const end: ChainSets = mode === 'ret' || policy === undefined ? { acc: FALSE, blk: FALSE, ret: all }
      : policy === 'accept' ? { acc: all, blk: FALSE, ret: FALSE } : { acc: FALSE, blk: all, ret: FALSE };
    const comp = this.compiler(early);
    this.onStack.add(pc);
    let next = end;
    const put = (i: number, x: ChainSets): void => {
      out.acc[i] = x.acc;
      out.blk[i] = x.blk;
      out.ret[i] = x.ret;
    };
    put(n, next);
    // No packet gets past the first rule that decides every packet: start there (a 50k-rule chain
    // with an early `-j DROP` then costs a few rules). Later suffixes keep the end sets: unused.
    const domain = this.space.bdd.and(this.space.valid, all);
    let cut = n - 1;
    for (let i = 0; i < n; i++) {
      const pr = pc.rules[i] as PreparedRule;
      const k = pr.rule.action.kind;
      if ((k === 'accept' || k === 'drop' || k === 'reject') && this.space.bdd.implies(domain, comp.rule(pr.rule.match).h)) {
        cut = i;
        break;
      }
    }
    for (let i = n - 1; i > cut; i--) put(i, next);
    for (let i = cut; i >= 0; i--) {
      const pr = pc.rules[i] as PreparedRule;
      const a = pr.rule.action;
      let take: ChainSets;
      if (a.kind === 'dispatch') {
        take = next;
        for (let k = a.cases.length - 1; k >= 0; k--) {
          const c = a.cases[k] as (typeof a.cases)[number];
          take = this.branch(comp.rule(c.match), this.outcome(c.action, take, end, pc.table, early), take);
        }
      } else {
        take = this.outcome(a, next, end, pc.table, early);
      }
      next = this.branch(comp.rule(pr.rule.match), take, next);
      put(i, next);
    }
    this.onStack.delete(pc);
    this.suffixMemo.set(key, out);
    return out;
  }

  /** Packets where t holds take `take`, where it fails go on with `rest`, unknown ones both. */
  private branch(t: { h: number; u: number }, take: ChainSets, rest: ChainSets): ChainSets {
    const { bdd } = this.space;
    const h = bdd.and(t.h, this.slice);
    const u = bdd.and(t.u, this.slice);
    if (h === FALSE && u === FALSE) return rest;
    const pick = (x: number, y: number): number => {
      const sure = bdd.ite(h, x, y);
      return u === FALSE ? sure : bdd.ite(u, bdd.or(x, y), sure);
    };
    return { acc: pick(take.acc, rest.acc), blk: pick(take.blk, rest.blk), ret: pick(take.ret, rest.ret) };
  }

  /** What an action does with a packet, given what the rest of the chain (`next`) does with it. */
  private outcome(a: Action, next: ChainSets, end: ChainSets, table: Table, early: boolean): ChainSets {
    const { bdd } = this.space;
    const all = this.slice;
    switch (a.kind) {
      case 'accept': return { acc: all, blk: FALSE, ret: FALSE };
      case 'drop': case 'reject': return { acc: FALSE, blk: all, ret: FALSE };
      case 'continue': case 'nat': case 'dispatch': return next;
      case 'return': return end;
      case 'queue': return { acc: all, blk: all, ret: FALSE };
      case 'opaque': return a.terminal ? { acc: all, blk: all, ret: FALSE } : next;
      case 'jump': case 'goto': {
        const target = this.prepared.findChain(table, a.chain);
        if (target === undefined) return next;
        // A loop: the simulator stops and counts the packet as dropped (the kernel refuses such rulesets).
        if (this.onStack.has(target)) return { acc: FALSE, blk: all, ret: FALSE };
        const sum = this.summary(target, early);
        if (a.kind === 'goto') return { acc: bdd.or(sum.acc, bdd.and(sum.ret, end.acc)), blk: bdd.or(sum.blk, bdd.and(sum.ret, end.blk)), ret: bdd.and(sum.ret, end.ret) };
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

  /** A base chain's verdict sets, its policy applied to what falls off its end (or returns). */
  baseSets(pc: PreparedChain): { acc: number; blk: number } {
    const { bdd, valid } = this.space;
    const s = this.suffixSets(pc, isEarly(pc), 'policy');
    return { acc: bdd.and(s.acc[0] as number, valid), blk: bdd.and(s.blk[0] as number, valid) };
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
