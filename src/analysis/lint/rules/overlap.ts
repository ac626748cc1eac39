/**
 * Rules that overlap others: `lint/redundant-rule` (removing it changes no verdict: every packet it
 * takes would get the same verdict from the rest of the chain, computed backwards from the
 * policy) and `lint/conflicting-rules` (a partial overlap with an earlier rule of the other
 * verdict: neither rule contains the other, and the earlier one decides the packets in common).
 */
import type { Match } from '../../../model/match.js';
import { FALSE } from '../../space/bdd.js';
import { witness } from '../../space/witness.js';
import type { PreparedChain, PreparedRule } from '../../simulate/index-ruleset.js';
import { type LintContext, hullsOverlap, verdictOf } from '../context.js';
import type { Finding } from '../finding.js';

/** Pair tests allowed per chain for conflicts, so that a 50k-rule chain stays linear. */
const PAIR_BUDGET = 20_000;

function isGuard(m: Match): boolean {
  switch (m.kind) {
    case 'ctstate': case 'ctstatus': case 'iface': case 'opaque': case 'addrtype': case 'mac': case 'ipset': return true;
    case 'and': case 'or': return m.items.some(isGuard);
    case 'not': return isGuard(m.item);
    default: return false;
  }
}

function hookOf(pc: PreparedChain): import('../../../model/ruleset.js').Hook {
  return pc.chain.base?.hook ?? pc.table.chains.find((c) => c.base !== undefined)?.base?.hook ?? 'input';
}

function checkRedundant(ctx: LintContext, pc: PreparedChain, out: Finding[]): void {
  const { bdd } = ctx.space;
  const entry = ctx.entryOf(pc);
  // What the rest of the chain does, from each rule on (computed once, backwards; a base chain's
  // policy applies at its end, a user chain's end decides nothing).
  const rest = ctx.sym.suffixSets(pc, ctx.early(pc), pc.chain.base !== undefined ? 'policy' : 'ret');
  // Start at the first unconditional verdict: nothing after it matters to what reaches it.
  let last = pc.rules.length;
  for (let i = 0; i < pc.rules.length; i++) {
    const pr = pc.rules[i] as PreparedRule;
    if (verdictOf(pr.rule.action) !== 'other' && bdd.implies(entry, ctx.must(pc, pr))) {
      last = i;
      break;
    }
  }
  for (let i = last - 1; i >= 0; i--) {
    const pr = pc.rules[i] as PreparedRule;
    const v = verdictOf(pr.rule.action);
    const r = ctx.reachOf(pr);
    if (v === 'other' || r === FALSE || pr.rule.effects.length > 0) continue;
    const t = ctx.sym.compiler(ctx.early(pc)).rule(pr.rule.match);
    if (bdd.intersects(r, t.u)) continue;
    // Redundant: the rest gives every packet the rule takes (r ∩ h) its verdict, on every branch.
    const want = (v === 'accept' ? rest.acc : rest.blk)[i + 1] as number;
    const avoid = (v === 'accept' ? rest.blk : rest.acc)[i + 1] as number;
    if (bdd.impliesBoth(r, t.h, want) && !bdd.intersectsAll(r, t.h, avoid) && bdd.intersects(r, t.h)) {
      const w = witness(ctx.space, bdd.and(r, t.h), hookOf(pc));
      const tail = i + 1 < pc.rules.length ? 'the rules after it' : 'the chain policy';
      out.push({
        code: 'lint/redundant-rule', severity: 'info', rule: ctx.ruleOf(pr), location: ctx.locationOf(pr), related: [],
        message: `redundant: ${tail} already ${v === 'accept' ? 'accept' : 'block'} every packet this rule takes`,
        explanation: 'Removing this rule changes the verdict of no packet; it only adds work and room for mistakes.',
        ...(w !== undefined ? { witness: w } : {}),
        suggestion: 'delete the rule (keep it only if it documents intent)',
      });
    }
  }
}

function checkConflicts(ctx: LintContext, pc: PreparedChain, out: Finding[]): void {
  const { bdd } = ctx.space;
  let budget = PAIR_BUDGET;
  // Rules on state, interfaces or undecidable conditions are guards that order the chain on purpose.
  const guards = new Set<number>();
  pc.rules.forEach((pr, j) => {
    if (isGuard(pr.rule.match)) guards.add(j);
  });
  for (let i = 0; i < pc.rules.length && budget > 0; i++) {
    const pr = pc.rules[i] as PreparedRule;
    const v = verdictOf(pr.rule.action);
    if (v === 'other') continue;
    const r = ctx.reachOf(pr);
    if (r === FALSE) continue;
    const mine = bdd.and(ctx.must(pc, pr), ctx.space.valid);
    if (!bdd.intersects(r, mine)) continue;
    for (let j = 0; j < i && budget > 0; j++) {
      const q = pc.rules[j] as PreparedRule;
      const vq = verdictOf(q.rule.action);
      if (vq === 'other' || vq === v || guards.has(j) || !hullsOverlap(pc.prefilter, i, j)) continue;
      budget--;
      const theirs = ctx.must(pc, q);
      const common = bdd.and(mine, theirs);
      if (common === FALSE || common === mine || common === theirs || !bdd.intersects(common, ctx.reachOf(q))) continue;
      const w = witness(ctx.space, bdd.and(common, ctx.reachOf(q)), hookOf(pc));
      out.push({
        code: 'lint/conflicting-rules', severity: 'info', rule: ctx.ruleOf(pr), location: ctx.locationOf(pr),
        related: [ctx.related(q, `overlaps it and decides first (${q.actionText})`)],
        message: `partially overlaps earlier rule #${q.ref.index}, which ${vq === 'accept' ? 'accepts' : 'blocks'} the packets both match`,
        explanation: 'Neither rule contains the other; for the packets in common the earlier rule wins. Check that this is the intended order.',
        ...(w !== undefined ? { witness: w } : {}),
        suggestion: `if the packets in common should be ${v === 'accept' ? 'accepted' : 'blocked'}, move this rule above rule #${q.ref.index}`,
      });
      break;
    }
  }
}

export function checkOverlap(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const pc of ctx.reach.order) {
    if (ctx.entryOf(pc) === FALSE) continue;
    checkRedundant(ctx, pc, out);
    checkConflicts(ctx, pc, out);
  }
  return out;
}
