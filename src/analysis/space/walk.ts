/**
 * Rulesets walked symbolically: every chain turned into the sets of packets it may accept, may
 * block, and may hand back (return / fall off its end), the same semantics as the simulator's
 * branch walk (walk.ts in ../simulate) applied to all packets at once. "May" means "on some
 * branch": a packet meeting an undecided rule (opaque match, user-space verdict) goes both ways,
 * as the simulator explores both. Chains are summarised once, bottom-up and from their last rule
 * backwards (packets do not change while they walk, except marks, see
 * CompileContext.markUnknown); per-rule reach sets for lint come from a forward, top-down pass
 * (reach.ts).
 */
import type { Action } from '../../model/action.js';
import type { Family } from '../../model/address.js';
import type { Hook, Table } from '../../model/ruleset.js';
import { indexRuleset, type PreparedChain, type PreparedRule, type PreparedRuleset } from '../simulate/index-ruleset.js';
import type { Ruleset } from '../../model/ruleset.js';
import { FALSE, TRUE } from './bdd.js';
import { assertNever } from '../../model/assert-never.js';
import { MatchCompiler } from './compile-match.js';
import { Stretch } from './stretch.js';
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
  /** Accepted on some branch, from rule i on (built on demand for most i: prefer `parts`). */
  acc(i: number): number;
  /** Handed back (returned, or fallen off the end), from rule i on. */
  ret(i: number): number;
  /** Blocked on some branch, from rule i on. */
  blk(i: number): number;
  /** The accepted and returned sets from rule i on, in parts that are not built (SuffixParts). */
  parts(i: number): SuffixParts;
  /**
   * Every packet of the slice has exactly one outcome (no rule is undecided on it and no action
   * goes both ways): the blocked set is then the rest of the slice.
   */
  readonly exact: boolean;
}

/**
 * A suffix of a chain as a stored suffix further down and the verdict rules in between (a stretch,
 * see stretch.ts): accepted = `took ∪ (acc ∖ matched)`, returned = `ret ∖ held`. `matched`, `took`
 * and `held` are unions of a few rules' conditions (small); `acc` and `ret` are large, shared by a
 * batch of SUFFIX_BATCH rules. In an exact suffix, `matched` and `held` are the packets some rule
 * in between matches, and `took` those the first of them accepts.
 */
export interface SuffixParts {
  readonly acc: number;
  readonly ret: number;
  readonly matched: number;
  readonly took: number;
  readonly held: number;
}

export type SuffixMode = 'ret' | 'policy';

/** Rules between the suffixes suffixSets() stores in full (the rest are kept in parts). */
const SUFFIX_BATCH = 128;

export function isEarly(pc: PreparedChain): boolean {
  const b = pc.chain.base;
  return b !== undefined && (b.hook === 'prerouting' || b.hook === 'output') && b.priority < -200;
}

/** Match compilers per space and context: the symbolic rulesets of one space share compiled rules. */
const compilers = new WeakMap<Space, Map<string, MatchCompiler>>();

function compilerFor(space: Space, early: boolean, markUnknown: boolean): MatchCompiler {
  let bySpace = compilers.get(space);
  if (bySpace === undefined) compilers.set(space, (bySpace = new Map()));
  const key = `${early}/${markUnknown}`;
  let c = bySpace.get(key);
  if (c === undefined) bySpace.set(key, (c = new MatchCompiler(space, { early, markUnknown })));
  return c;
}

/** Values every packet of a slice has (a service matrix's protocol and ports, IPv4). */
export interface SliceKey {
  readonly family: 4 | 6;
  readonly proto: number;
  readonly sport: number;
  readonly dport: number;
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
   * slice and meaningless outside. `key`: values every packet of the slice has, so that rules whose
   * prefilter hulls exclude them are skipped without being compiled.
   */
  constructor(readonly space: Space, readonly ruleset: Ruleset, readonly slice: number = TRUE, readonly key?: SliceKey) {
    this.prepared = indexRuleset(ruleset);
    let markUnknown = false;
    for (const t of ruleset.tables) for (const c of t.chains) for (const r of c.rules) {
      if (r.effects.some((e) => e.kind === 'mark')) markUnknown = true;
    }
    if (markUnknown) this.notes.push('some rules rewrite packet or connection marks: later mark tests are treated as unknown (over- and under-approximations)');
    this.compilers = [compilerFor(space, false, markUnknown), compilerFor(space, true, markUnknown)];
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
    const blk = s.exact ? bdd.diff(valid, bdd.or(s.acc(0), s.ret(0))) : bdd.and(s.blk(0), valid);
    const out = { acc: bdd.and(s.acc(0), valid), blk, ret: bdd.and(s.ret(0), valid) };
    memo.set(pc, out);
    return out;
  }

  /**
   * Every suffix of the chain, computed once, backwards from the end (memoised; lint reads them for
   * redundancy). Rule by rule: ite(holds, its outcome, the rest), unknown packets going both ways;
   * runs of verdict rules are collected into a stretch (stretch.ts) and applied to the large sets
   * once per SUFFIX_BATCH rules, the suffixes in between kept in parts (SuffixParts).
   */
  suffixSets(pc: PreparedChain, early: boolean, mode: SuffixMode): SuffixSets {
    let id = this.chainIds.get(pc);
    if (id === undefined) this.chainIds.set(pc, (id = this.chainIds.size));
    const key = `${id}/${early ? 1 : 0}/${mode}`;
    const hit = this.suffixMemo.get(key);
    if (hit !== undefined) return hit;
    const n = pc.rules.length;
    const acc = new Int32Array(n + 1);
    const blk = new Int32Array(n + 1);
    const ret = new Int32Array(n + 1);
    const policy = pc.chain.base?.policy;
    const all = this.slice;
    const end: ChainSets = mode === 'ret' || policy === undefined ? { acc: FALSE, blk: FALSE, ret: all }
      : policy === 'accept' ? { acc: all, blk: FALSE, ret: FALSE } : { acc: FALSE, blk: all, ret: FALSE };
    const comp = this.compiler(early);
    this.onStack.add(pc);
    const put = (i: number, x: ChainSets): void => {
      acc[i] = x.acc;
      blk[i] = x.blk;
      ret[i] = x.ret;
    };
    put(n, end);
    // No packet gets past the first rule that decides every packet: start there (a 50k-rule chain
    // with an early `-j DROP` then costs a few rules). Later suffixes keep the end sets: unused.
    const domain = this.space.bdd.and(this.space.valid, all);
    let cut = n - 1;
    const skip = (i: number): boolean => domain !== FALSE && this.outside(pc, i);
    for (let i = 0; i < n; i++) {
      if (skip(i)) continue;
      const pr = pc.rules[i] as PreparedRule;
      const k = pr.rule.action.kind;
      if ((k === 'accept' || k === 'drop' || k === 'reject') && this.space.bdd.implies(domain, comp.rule(pr.rule.match).h)) {
        cut = i;
        break;
      }
    }
    for (let i = n - 1; i > cut; i--) put(i, end);
    const exact = this.isExact(pc, cut, comp, skip);
    const bdd = this.space.bdd;
    // Stretches of verdict rules are decision lists (stretch.ts), applied to the stored suffix below
    // them once per SUFFIX_BATCH rules; other rules are applied one by one. Per rule, what the
    // stretch holds so far: accepted / blocked matched and took, returned matched.
    const part = [0, 1, 2, 3, 4].map(() => new Int32Array(n + 1));
    const stretch = new Stretch(bdd, exact);
    let stored = end;
    for (let i = cut; i >= 0; i--) {
      const pr = pc.rules[i] as PreparedRule;
      const a = pr.rule.action;
      // Undefined: no packet of the slice matches the rule, which changes nothing.
      const t = skip(i) ? undefined : comp.rule(pr.rule.match);
      if (t !== undefined && (a.kind === 'accept' || a.kind === 'drop' || a.kind === 'reject')) {
        const h = bdd.and(t.h, all);
        const u = bdd.and(t.u, all);
        if (h !== FALSE || u !== FALSE) stretch.add(a.kind === 'accept', h, u);
      } else if (t !== undefined) {
        stored = stretch.apply(stored);
        let take: ChainSets;
        if (a.kind === 'dispatch') {
          take = stored;
          for (let k = a.cases.length - 1; k >= 0; k--) {
            const c = a.cases[k] as (typeof a.cases)[number];
            take = this.branch(comp.rule(c.match), this.outcome(c.action, take, end, pc.table, early), take, exact);
          }
        } else {
          take = this.outcome(a, stored, end, pc.table, early);
        }
        stored = this.branch(t, take, stored, exact);
      }
      if (stretch.count >= SUFFIX_BATCH || i === 0) stored = stretch.apply(stored);
      put(i, stored);
      [stretch.accMatched, stretch.accTook, stretch.blkMatched, stretch.blkTook, stretch.retMatched].forEach((x, k) => {
        (part[k] as Int32Array)[i] = x;
      });
    }
    this.onStack.delete(pc);
    // Exact: blk[i] holds -1 until asked for (rules past the cut keep the end sets).
    if (exact) blk.fill(-1, 0, cut + 1);
    const [accM, accT, blkM, blkT, retM] = part as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    const parts = (i: number): SuffixParts => ({
      acc: acc[i] as number, ret: ret[i] as number, matched: accM[i] as number, took: accT[i] as number, held: retM[i] as number,
    });
    const accAt = (i: number): number => bdd.or(accT[i] as number, bdd.diff(acc[i] as number, accM[i] as number));
    const retAt = (i: number): number => bdd.diff(ret[i] as number, retM[i] as number);
    const out: SuffixSets = {
      acc: accAt, ret: retAt, parts, exact,
      blk: (i) => {
        if (!exact) return bdd.or(blkT[i] as number, bdd.diff(blk[i] as number, blkM[i] as number));
        if ((blk[i] as number) < 0) blk[i] = bdd.diff(all, bdd.or(accAt(i), retAt(i)));
        return blk[i] as number;
      },
    };
    this.suffixMemo.set(key, out);
    return out;
  }

  /**
   * Whether the rules up to `cut` give every packet of the slice one outcome: no rule undecided
   * within the slice, only actions that accept, block, return or continue (a jump's callee may
   * itself go both ways, so jumps and gotos to existing chains are not exact).
   */
  private isExact(pc: PreparedChain, cut: number, comp: MatchCompiler, skip: (i: number) => boolean): boolean {
    const { bdd } = this.space;
    const decided = (m: PreparedRule['rule']['match']): boolean => bdd.and(comp.rule(m).u, this.slice) === FALSE;
    const single = (a: Action): boolean => {
      switch (a.kind) {
        case 'accept': case 'drop': case 'reject': case 'continue': case 'nat': case 'return': return true;
        case 'opaque': return !a.terminal;
        case 'queue': return false;
        case 'jump': case 'goto': return this.prepared.findChain(pc.table, a.chain) === undefined;
        case 'dispatch': return a.cases.every((c) => decided(c.match) && single(c.action));
        default: return assertNever(a);
      }
    };
    for (let i = 0; i <= cut; i++) {
      const r = (pc.rules[i] as PreparedRule).rule;
      if (!skip(i) && (!decided(r.match) || !single(r.action))) return false;
    }
    return true;
  }

  /** Whether the prefilter hulls of rule i exclude the values every packet of the slice has. */
  private outside(pc: PreparedChain, i: number): boolean {
    const k = this.key;
    if (k === undefined) return false;
    const f = pc.prefilter;
    const fam = f.family[i] as number;
    const out = (d: Int32Array, v: number): boolean => v < (d[2 * i] as number) || v > (d[2 * i + 1] as number);
    return (fam !== 0 && fam !== k.family) || out(f.proto, k.proto) || out(f.sport, k.sport) || out(f.dport, k.dport);
  }

  /**
   * Packets where t holds take `take`, where it fails go on with `rest`, unknown ones both.
   * `exact`: the blocked sets are not tracked (SuffixSets.exact).
   */
  private branch(t: { h: number; u: number }, take: ChainSets, rest: ChainSets, exact = false): ChainSets {
    const { bdd } = this.space;
    const h = bdd.and(t.h, this.slice);
    const u = bdd.and(t.u, this.slice);
    if (h === FALSE && u === FALSE) return rest;
    const pick = (x: number, y: number): number => {
      const sure = bdd.ite(h, x, y);
      return u === FALSE ? sure : bdd.ite(u, bdd.or(x, y), sure);
    };
    return { acc: pick(take.acc, rest.acc), blk: exact ? FALSE : pick(take.blk, rest.blk), ret: pick(take.ret, rest.ret) };
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
   * A base chain's verdict sets within `domain` (well-formed packets of one family), its policy
   * applied to what falls off its end (or returns): accepted, blocked, and accepted on every branch.
   */
  baseSets(pc: PreparedChain, domain: number): { acc: number; blk: number; sure: number } {
    const { bdd } = this.space;
    const s = this.suffixSets(pc, isEarly(pc), 'policy');
    const acc = bdd.and(s.acc(0), domain);
    if (s.exact) return { acc, blk: bdd.diff(domain, bdd.or(acc, s.ret(0))), sure: acc };
    const blk = bdd.and(s.blk(0), domain);
    return { acc, blk, sure: bdd.diff(acc, blk) };
  }

  /**
   * Verdict sets of a hook: every base chain of each family in priority order, all must accept.
   * Each chain's sets are cut to the family's domain first, and the first chain's are taken as they
   * are (they lie in the domain), so that a large ruleset's sets are traversed as few times as possible.
   * `within`: only these packets (the sets are then the full ones intersected with it, built at a
   * cost that depends on `within` rather than on the whole ruleset).
   */
  hook(hook: Hook, within: number = TRUE): HookSets {
    const { bdd } = this.space;
    let accepted = FALSE;
    let mayAccept = FALSE;
    let mayBlock = FALSE;
    const notes = [...this.notes];
    for (const family of ['ipv4', 'ipv6'] as Family[]) {
      const plan = this.prepared.plan(hook, family);
      notes.push(...plan.ambiguities);
      const fam = bdd.andAll([this.space.valid, this.space.family(family), within]);
      let certain = fam;
      let may = fam;
      let blocked = FALSE;
      for (const pc of plan.chains) {
        const { acc, blk, sure } = this.baseSets(pc, fam);
        blocked = bdd.or(blocked, may === fam ? blk : bdd.and(may, blk));
        may = may === fam ? acc : bdd.and(may, acc);
        certain = certain === fam ? sure : bdd.and(certain, sure);
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
