/**
 * Rules that overlap others: `lint/redundant-rule` (removing it changes no verdict: every packet it
 * takes would get the same verdict from the rest of the chain, computed backwards from the
 * policy) and `lint/conflicting-rules` (a partial overlap with an earlier rule of the other
 * verdict: neither rule contains the other, and the earlier one decides the packets in common).
 */
import type { Match } from '../../../model/match.js';
import { FALSE } from '../../space/bdd.js';
import type { SuffixSets } from '../../space/walk.js';
import { witnessIn } from '../../space/witness.js';
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

/**
 * Whether the rules from `at` on give every packet of h ∩ base (what the rule takes: see
 * LintContext.reachParts) the verdict v, on every branch, decided on the suffix's parts
 * (SuffixParts: accepted = took ∪ (acc ∖ matched)) without building any set larger than h. When each
 * packet has one outcome there (SuffixSets.exact), "blocked" is "neither accepted nor returned".
 */
function sameVerdict(ctx: LintContext, rest: SuffixSets, at: number, v: 'accept' | 'block', h: number, base: number): boolean {
  const { bdd } = ctx.space;
  const p = rest.parts(at);
  if (rest.exact && v === 'accept') {
    // Every packet the stretch before the stored suffix does not accept is past it, and accepted there.
    const others = bdd.diff(h, p.took);
    return !bdd.intersects(bdd.and(others, p.matched), base) && bdd.impliesBoth(others, base, p.acc);
  }
  if (rest.exact) {
    const past = bdd.diff(h, p.matched);
    return !bdd.intersects(bdd.and(h, p.took), base) && !bdd.intersectsAll(past, base, p.acc)
      && !bdd.intersectsAll(bdd.diff(h, p.held), base, p.ret);
  }
  // Not exact: some packets go both ways; build the suffix's sets.
  const acc = rest.acc(at);
  const blk = rest.blk(at);
  return v === 'accept' ? bdd.impliesBoth(h, base, acc) && !bdd.intersectsAll(h, base, blk)
    : bdd.impliesBoth(h, base, blk) && !bdd.intersectsAll(h, base, acc);
}

/**
 * A quick disproof of sameVerdict on one packet: the least packet of h, when it reaches the rule and
 * the rules from `at` on do not give it the verdict v (exact suffixes only; false proves nothing).
 */
function differs(ctx: LintContext, rest: SuffixSets, at: number, v: 'accept' | 'block', h: number, base: number): boolean {
  if (!rest.exact) return false;
  const { bdd } = ctx.space;
  const x = ctx.least(h);
  if (!bdd.evaluate(base, x)) return false;
  const p = rest.parts(at);
  const accepted = bdd.evaluate(p.took, x) || (!bdd.evaluate(p.matched, x) && bdd.evaluate(p.acc, x));
  return v === 'accept' ? !accepted : accepted || (!bdd.evaluate(p.held, x) && bdd.evaluate(p.ret, x));
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
    if (v === 'other' || pr.rule.effects.length > 0 || ctx.unreached(pr)) continue;
    const t = ctx.sym.compiler(ctx.early(pc)).rule(pr.rule.match);
    if (ctx.reaches(pr, t.u)) continue;
    // Redundant: the rest gives every packet the rule takes (r ∩ h) its verdict, on every branch.
    // What the rule takes lies in what reaches it and may match it.
    if (!ctx.live(pc, pr)) continue;
    const [h, base] = ctx.reachParts(pr, t.h);
    if (h === FALSE || differs(ctx, rest, i + 1, v, h, base) || !bdd.intersects(h, base)) continue;
    if (sameVerdict(ctx, rest, i + 1, v, h, base)) {
      const w = witnessIn(ctx.space, h, base, hookOf(pc));
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
  // Candidates by verdict, in order: the earlier rules of the other verdict that are not guards.
  const byVerdict = { accept: [] as number[], block: [] as number[] };
  pc.rules.forEach((pr, j) => {
    const vj = verdictOf(pr.rule.action);
    if (vj !== 'other' && !isGuard(pr.rule.match)) byVerdict[vj].push(j);
  });
  for (let i = 0; i < pc.rules.length && budget > 0; i++) {
    const pr = pc.rules[i] as PreparedRule;
    const v = verdictOf(pr.rule.action);
    if (v === 'other') continue;
    // What reaches the rule is well formed: its bare match decides whether any of it does.
    const must = ctx.must(pc, pr);
    if (!ctx.live(pc, pr) || (must !== ctx.may(pc, pr) && !ctx.reaches(pr, must))) continue;
    let mine = FALSE;
    const vq = v === 'accept' ? 'block' : 'accept';
    for (const j of byVerdict[vq]) {
      if (j >= i || budget <= 0) break;
      const q = pc.rules[j] as PreparedRule;
      if (!hullsOverlap(pc.prefilter, i, j)) continue;
      budget--;
      const theirs = ctx.must(pc, q);
      // Most pairs that pass the hull test are still disjoint: tell without building anything.
      if (!bdd.intersectsAll(must, theirs, ctx.space.valid)) continue;
      if (mine === FALSE) mine = bdd.and(must, ctx.space.valid);
      const common = bdd.and(mine, theirs);
      if (common === FALSE || common === mine || common === theirs || !ctx.reaches(q, common)) continue;
      const w = witnessIn(ctx.space, ...ctx.reachParts(q, common), hookOf(pc));
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
