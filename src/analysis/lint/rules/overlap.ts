/**
 * Rules that overlap others: `lint/redundant-rule` (removing it changes no verdict: every packet it
 * takes would get the same verdict from the rest of the chain, computed backwards from the
 * policy) and `lint/conflicting-rules` (a partial overlap with an earlier rule of the other
 * verdict: neither rule contains the other, and the earlier one decides the packets in common).
 */
import type { Match } from '../../../model/match.js';
import { FALSE, TRUE } from '../../space/bdd.js';
import { witness } from '../../space/witness.js';
import type { PreparedChain, PreparedRule } from '../../simulate/index-ruleset.js';
import { type LintContext, hullsOverlap, verdictOf } from '../context.js';
import type { Finding } from '../finding.js';

interface Suffix {
  acc: number;
  blk: number;
}

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

/** Verdict sets of the rest of the chain from rule i on (may-sets), backwards. */
function step(ctx: LintContext, pc: PreparedChain, pr: PreparedRule, next: Suffix, end: Suffix): Suffix {
  const { bdd } = ctx.space;
  const t = ctx.sym.compiler(ctx.early(pc)).rule(pr.rule.match);
  const may = bdd.or(t.h, t.u);
  const a = pr.rule.action;
  let take: Suffix;
  switch (a.kind) {
    case 'accept': take = { acc: TRUE, blk: FALSE }; break;
    case 'drop': case 'reject': take = { acc: FALSE, blk: TRUE }; break;
    case 'continue': case 'nat': take = next; break;
    case 'return': take = end; break;
    case 'jump': case 'goto': {
      const target = ctx.sym.prepared.findChain(pc.table, a.chain);
      if (target === undefined) {
        take = next;
        break;
      }
      const s = ctx.sym.summary(target, ctx.early(pc));
      const after = a.kind === 'jump' ? next : end;
      take = { acc: bdd.or(s.acc, bdd.and(s.ret, after.acc)), blk: bdd.or(s.blk, bdd.and(s.ret, after.blk)) };
      break;
    }
    case 'opaque': take = a.terminal ? { acc: TRUE, blk: TRUE } : next; break;
    default: take = { acc: TRUE, blk: TRUE };
  }
  const skip = bdd.not(t.h);
  return {
    acc: bdd.or(bdd.and(may, take.acc), bdd.and(skip, next.acc)),
    blk: bdd.or(bdd.and(may, take.blk), bdd.and(skip, next.blk)),
  };
}

function checkRedundant(ctx: LintContext, pc: PreparedChain, out: Finding[]): void {
  const { bdd } = ctx.space;
  const policy = pc.chain.base?.policy;
  const end: Suffix = policy === 'accept' ? { acc: TRUE, blk: FALSE } : policy === 'drop' ? { acc: FALSE, blk: TRUE } : { acc: FALSE, blk: FALSE };
  const entry = ctx.entryOf(pc);
  // Start at the first unconditional verdict: nothing after it matters to what reaches it.
  let last = pc.rules.length;
  let suffix = end;
  for (let i = 0; i < pc.rules.length; i++) {
    const pr = pc.rules[i] as PreparedRule;
    const v = verdictOf(pr.rule.action);
    if (v !== 'other' && bdd.implies(entry, ctx.must(pc, pr))) {
      last = i;
      suffix = v === 'accept' ? { acc: TRUE, blk: FALSE } : { acc: FALSE, blk: TRUE };
      break;
    }
  }
  for (let i = last - 1; i >= 0; i--) {
    const pr = pc.rules[i] as PreparedRule;
    const v = verdictOf(pr.rule.action);
    const r = ctx.reachOf(pr);
    if (v !== 'other' && r !== FALSE && pr.rule.effects.length === 0) {
      const t = ctx.sym.compiler(ctx.early(pc)).rule(pr.rule.match);
      const x = bdd.and(r, t.h);
      // Redundant: the rest gives every packet of x this rule's verdict, on every branch.
      const [want, avoid] = v === 'accept' ? [suffix.acc, suffix.blk] : [suffix.blk, suffix.acc];
      if (x !== FALSE && !bdd.intersects(r, t.u) && bdd.implies(x, want) && !bdd.intersects(x, avoid)) {
        const w = witness(ctx.space, x, hookOf(pc));
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
    suffix = step(ctx, pc, pr, suffix, end);
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
