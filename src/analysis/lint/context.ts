/**
 * What every lint check works from: the header space, the ruleset walked symbolically, which
 * packets reach each rule, and helpers to name rules in findings.
 */
import type { Action } from '../../model/action.js';
import type { Ruleset } from '../../model/ruleset.js';
import type { PreparedChain, PreparedRule } from '../simulate/index-ruleset.js';
import type { ChainPrefilter } from '../simulate/prefilter.js';
import { FALSE, TRUE } from '../space/bdd.js';
import { type RuleReach, ruleReach } from '../space/reach.js';
import { Space } from '../space/space.js';
import { SymbolicRuleset } from '../space/walk.js';
import type { FindingLocation, FindingRule, RelatedRule } from './finding.js';

export type VerdictKind = 'accept' | 'block' | 'other';

export function verdictOf(a: Action): VerdictKind {
  return a.kind === 'accept' ? 'accept' : a.kind === 'drop' || a.kind === 'reject' ? 'block' : 'other';
}

export class LintContext {
  readonly space: Space;
  readonly sym: SymbolicRuleset;
  readonly reach: RuleReach;
  private readonly lives = new Map<number, boolean>();
  private readonly probe: Uint8Array;

  constructor(readonly ruleset: Ruleset) {
    this.space = new Space([ruleset]);
    this.sym = new SymbolicRuleset(this.space, ruleset);
    this.reach = ruleReach(this.sym);
    this.probe = new Uint8Array(this.space.bdd.nvars);
  }

  early(pc: PreparedChain): boolean {
    return this.reach.early.get(pc) ?? false;
  }

  must(pc: PreparedChain, pr: PreparedRule): number {
    return this.sym.compiler(this.early(pc)).must(pr.rule.match);
  }

  may(pc: PreparedChain, pr: PreparedRule): number {
    return this.sym.compiler(this.early(pc)).may(pr.rule.match);
  }

  /**
   * The packets that may reach the rule within x, built. The reach set is `base ∖ minus` with a
   * large base (RuleReach): x loses `minus` first, so the cost follows x, not the base.
   */
  reachWithin(pr: PreparedRule, x: number): number {
    const [y, base] = this.reachParts(pr, x);
    return this.space.bdd.and(y, base);
  }

  /** [x ∖ minus, base]: the packets reaching the rule within x are their intersection. */
  reachParts(pr: PreparedRule, x: number): [number, number] {
    const base = this.reach.base.get(pr.id) ?? FALSE;
    if (base === FALSE || x === FALSE) return [FALSE, FALSE];
    const minus = this.reach.minus.get(pr.id) ?? FALSE;
    return [minus === FALSE ? x : this.space.bdd.diff(x, minus), base];
  }

  /** Whether some packet that may reach the rule lies in x and in y, decided without building it. */
  reaches(pr: PreparedRule, x: number, y: number = TRUE): boolean {
    const { bdd } = this.space;
    const base = this.reach.base.get(pr.id) ?? FALSE;
    const xy = bdd.and(x, y);
    if (base === FALSE || xy === FALSE) return false;
    const minus = this.reach.minus.get(pr.id) ?? FALSE;
    // Most answers are "yes", and the least member of x ∩ y usually shows it at the cost of a path.
    const p = this.least(xy);
    if (bdd.evaluate(base, p) && !bdd.evaluate(minus, p)) return true;
    return minus === FALSE ? bdd.intersects(xy, base) : !bdd.impliesBoth(xy, base, minus);
  }

  /** The least member of a non-empty set (free variables 0), as bits: a cheap probe (reused: read it at once). */
  least(x: number): Uint8Array {
    const { bdd } = this.space;
    const bits = this.probe.fill(0);
    while (x > TRUE) {
      const lo = bdd.low(x);
      if (lo !== FALSE) x = lo;
      else {
        bits[bdd.varOf(x)] = 1;
        x = bdd.high(x);
      }
    }
    return bits;
  }

  /** Whether some packet that reaches the rule may match it (memoised: several checks ask). */
  live(pc: PreparedChain, pr: PreparedRule): boolean {
    let hit = this.lives.get(pr.id);
    if (hit === undefined) this.lives.set(pr.id, (hit = this.reaches(pr, this.may(pc, pr))));
    return hit;
  }

  /** Whether no packet reaches the rule. */
  unreached(pr: PreparedRule): boolean {
    const base = this.reach.base.get(pr.id) ?? FALSE;
    const minus = this.reach.minus.get(pr.id) ?? FALSE;
    return base === FALSE || (minus !== FALSE && this.space.bdd.implies(base, minus));
  }

  /** Whether every packet that may reach the rule lies in y. */
  reachImplies(pr: PreparedRule, y: number): boolean {
    const base = this.reach.base.get(pr.id) ?? FALSE;
    const minus = this.reach.minus.get(pr.id) ?? FALSE;
    return this.space.bdd.implies(base, minus === FALSE ? y : this.space.bdd.or(y, minus));
  }

  entryOf(pc: PreparedChain): number {
    return this.reach.entry.get(pc) ?? FALSE;
  }

  ruleOf(pr: PreparedRule): FindingRule {
    return { family: pr.ref.family, table: pr.ref.table, chain: pr.ref.chain, index: pr.ref.index, text: pr.rule.origin.text };
  }

  locationOf(pr: PreparedRule): FindingLocation {
    const o = pr.rule.origin;
    return { file: o.file, line: o.line, column: o.column };
  }

  chainRule(pc: PreparedChain): FindingRule {
    return { family: pc.table.family, table: pc.table.name, chain: pc.chain.name };
  }

  chainLocation(pc: PreparedChain): FindingLocation {
    const o = pc.chain.origin;
    return { file: o.file, line: o.line, column: o.column };
  }

  related(pr: PreparedRule, message: string): RelatedRule {
    return { message, rule: this.ruleOf(pr), location: this.locationOf(pr) };
  }
}

/** Whether the hulls of rules i and j in one dimension (pairs lo, hi) do not meet. */
function apart(d: ArrayLike<number>, i: number, j: number): boolean {
  return (d[2 * i] as number) > (d[2 * j + 1] as number) || (d[2 * j] as number) > (d[2 * i + 1] as number);
}

/**
 * Cheap test on the prefilter hulls: false when rules i and j of a chain cannot overlap. Port hulls
 * start at -1 ("absent allowed") for rules without a port test; -1..x overlaps anything below x.
 */
export function hullsOverlap(f: ChainPrefilter, i: number, j: number): boolean {
  const fi = f.family[i] ?? 0;
  const fj = f.family[j] ?? 0;
  if (fi !== 0 && fj !== 0 && fi !== fj) return false;
  if (apart(f.proto, i, j) || apart(f.sport, i, j) || apart(f.dport, i, j)) return false;
  return fi === 6 || fj === 6 || !(apart(f.src4, i, j) || apart(f.dst4, i, j));
}
