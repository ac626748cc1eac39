/**
 * What every lint check works from: the header space, the ruleset walked symbolically, which
 * packets reach each rule, and helpers to name rules in findings.
 */
import type { Action } from '../../model/action.js';
import type { Ruleset } from '../../model/ruleset.js';
import type { PreparedChain, PreparedRule } from '../simulate/index-ruleset.js';
import type { ChainPrefilter } from '../simulate/prefilter.js';
import { FALSE } from '../space/bdd.js';
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

  constructor(readonly ruleset: Ruleset) {
    this.space = new Space([ruleset]);
    this.sym = new SymbolicRuleset(this.space, ruleset);
    this.reach = ruleReach(this.sym);
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

  reachOf(pr: PreparedRule): number {
    return this.reach.reach.get(pr.id) ?? FALSE;
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

/** Cheap test on the prefilter hulls: false when rules i and j of a chain cannot overlap. */
export function hullsOverlap(f: ChainPrefilter, i: number, j: number): boolean {
  const fi = f.family[i] ?? 0;
  const fj = f.family[j] ?? 0;
  if (fi !== 0 && fj !== 0 && fi !== fj) return false;
  const dims = [f.proto, f.sport, f.dport] as const;
  for (const d of dims) {
    if ((d[2 * i] as number) > (d[2 * j + 1] as number) || (d[2 * j] as number) > (d[2 * i + 1] as number)) {
      // Port hulls start at -1 ("absent allowed") for rules without a port test; -1..x overlaps anything below x.
      return false;
    }
  }
  if (fi !== 6 && fj !== 6) {
    for (const d of [f.src4, f.dst4] as const) {
      if ((d[2 * i] as number) > (d[2 * j + 1] as number) || (d[2 * j] as number) > (d[2 * i + 1] as number)) return false;
    }
  }
  return true;
}
