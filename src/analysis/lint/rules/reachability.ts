/**
 * Rules that never take a packet: contradictions (`lint/never-matches`), rules no packet gets to
 * (`lint/unreachable-after-terminal`), and rules whose packets earlier rules take together
 * (`lint/shadowed-rule`, or `lint/log-never-fires` for a LOG rule), union-aware: the covering
 * rules are named, greedily in order, until they cover every packet the rule matches.
 */
import { FALSE } from '../../space/bdd.js';
import { witness } from '../../space/witness.js';
import type { PreparedChain, PreparedRule } from '../../simulate/index-ruleset.js';
import { type LintContext, hullsOverlap, verdictOf } from '../context.js';
import type { Finding, RelatedRule } from '../finding.js';

function hookOf(ctx: LintContext, pc: PreparedChain): import('../../../model/ruleset.js').Hook {
  if (pc.chain.base !== undefined) return pc.chain.base.hook;
  // A user chain: the hook of the first base chain of its table.
  const base = pc.table.chains.find((c) => c.base !== undefined);
  return base?.base?.hook ?? 'input';
}

/**
 * Whether what reaches each rule of the chain is what reaches the rule before it minus what that
 * rule takes: true unless a rule dispatches (a verdict map takes packets that `takes` does not
 * count) or a call loop added entering packets after the chain was walked.
 */
function plain(ctx: LintContext, pc: PreparedChain): boolean {
  return ctx.reach.settled.has(pc) && !pc.rules.some((pr) => pr.rule.action.kind === 'dispatch');
}

const taken = new WeakMap<LintContext, Map<PreparedChain, Int32Array>>();

/** `takes` for every rule of the chain (memoised: each shadowed rule scans the rules before it). */
function takenBy(ctx: LintContext, pc: PreparedChain): Int32Array {
  let byChain = taken.get(ctx);
  if (byChain === undefined) taken.set(ctx, (byChain = new Map()));
  let all = byChain.get(pc);
  if (all === undefined) byChain.set(pc, (all = Int32Array.from(pc.rules, (q) => takes(ctx, pc, q))));
  return all;
}

/** The packets rule q takes away from the rest of its chain, of those that reach it. */
function takes(ctx: LintContext, pc: PreparedChain, q: PreparedRule): number {
  const a = q.rule.action;
  switch (a.kind) {
    case 'accept': case 'drop': case 'reject': case 'return': case 'goto': case 'queue': return ctx.must(pc, q);
    case 'opaque': return a.terminal ? ctx.must(pc, q) : FALSE;
    case 'jump': return kept(ctx, pc, q);
    default: return FALSE;
  }
}

function isLog(pr: PreparedRule): boolean {
  return pr.rule.action.kind === 'continue' && pr.rule.effects.some((e) => e.kind === 'log');
}

function callSites(ctx: LintContext, pc: PreparedChain): RelatedRule[] {
  const out: RelatedRule[] = [];
  for (const other of ctx.reach.order) {
    if (other.table !== pc.table) continue;
    for (const pr of other.rules) {
      const a = pr.rule.action;
      if ((a.kind === 'jump' || a.kind === 'goto') && a.chain === pc.chain.name) out.push(ctx.related(pr, `${a.kind} to ${pc.chain.name}`));
    }
  }
  return out.slice(0, 5);
}

/** What an earlier rule matches and does not hand back (a jump's callee may return packets). */
function kept(ctx: LintContext, pc: PreparedChain, q: PreparedRule): number {
  const a = q.rule.action;
  const m = ctx.must(pc, q);
  if (a.kind !== 'jump') return m;
  const target = ctx.sym.prepared.findChain(pc.table, a.chain);
  return target === undefined ? 0 : ctx.space.bdd.diff(m, ctx.sym.summary(target, ctx.early(pc)).ret);
}

/**
 * Earlier rules that together take the target: greedily in order (each takes some of what is
 * left), then pruned to the rules whose matches alone still cover it (packets a pruned rule took
 * would have been taken by the remaining ones, or even earlier).
 */
function covering(ctx: LintContext, pc: PreparedChain, i: number, target: number): PreparedRule[] {
  const { bdd } = ctx.space;
  const out: PreparedRule[] = [];
  // A rule covers part of the target when it takes some of the target's packets that reach it. In a
  // plain chain what reaches rule j+1 is what reaches rule j minus what j takes, so this is a test
  // on sets already built; otherwise what is left of the target is `left ∩ target`, `left` starting
  // as the rule's bare match (small sets) and losing what each covering rule takes.
  // What reaches a rule lies in the chain's entry and is well formed: within it the rule's bare
  // match stands for the target, and is smaller.
  const may = ctx.may(pc, pc.rules[i] as PreparedRule);
  if (plain(ctx, pc)) {
    const all = takenBy(ctx, pc);
    for (let j = 0; j < i; j++) {
      const t = all[j] as number;
      if (t === FALSE || !hullsOverlap(pc.prefilter, i, j)) continue;
      const q = pc.rules[j] as PreparedRule;
      if (!ctx.reaches(q, t, may)) continue;
      out.push(q);
      const next = pc.rules[j + 1] as PreparedRule;
      if (!(j + 1 === i ? ctx.live(pc, next) : ctx.reaches(next, may))) break;
    }
  } else {
    let left = may;
    for (let j = 0; j < i; j++) {
      const q = pc.rules[j] as PreparedRule;
      if (!hullsOverlap(pc.prefilter, i, j)) continue;
      const t = takes(ctx, pc, q);
      const x = t === FALSE ? FALSE : bdd.and(left, t);
      if (x === FALSE || !ctx.reaches(q, x, target)) continue;
      out.push(q);
      left = bdd.diff(left, ctx.reachWithin(q, x));
      if (!bdd.intersects(left, target)) break;
    }
  }
  // Drop a rule when the kept earlier ones and all later ones still cover the target: unions of
  // the later ones are precomputed from the end, so this is linear in the number of rules.
  const covers = out.map((q) => kept(ctx, pc, q));
  const later: number[] = new Array<number>(out.length + 1).fill(FALSE);
  for (let k = out.length - 1; k >= 0; k--) later[k] = bdd.or(later[k + 1] as number, covers[k] as number);
  const keep = out.map(() => true);
  let before = FALSE;
  for (let k = 0; k < out.length; k++) {
    if (bdd.implies(target, bdd.or(before, later[k + 1] as number))) keep[k] = false;
    else before = bdd.or(before, covers[k] as number);
  }
  const pruned = out.filter((_, x) => keep[x] === true);
  return pruned.length > 0 ? pruned : out;
}

function shadowFinding(ctx: LintContext, pc: PreparedChain, i: number, target: number): Finding {
  const pr = pc.rules[i] as PreparedRule;
  const hook = hookOf(ctx, pc);
  const mine = verdictOf(pr.rule.action);
  const w = witness(ctx.space, target, hook);
  const base = { rule: ctx.ruleOf(pr), location: ctx.locationOf(pr), ...(w !== undefined ? { witness: w } : {}) };
  if (target === FALSE || ctx.space.bdd.and(target, ctx.entryOf(pc)) === FALSE) {
    return {
      ...base, code: isLog(pr) ? 'lint/log-never-fires' : 'lint/shadowed-rule', severity: 'warning',
      message: `no packet that enters chain ${pc.chain.name} matches this rule`,
      explanation: 'The jumps into this chain only send packets the rule does not match, so it never applies.',
      related: callSites(ctx, pc),
      suggestion: 'move the rule to the chain that sees these packets, or widen the jump condition',
    };
  }
  const cover = covering(ctx, pc, i, target);
  const verdicts = new Set(cover.map((q) => verdictOf(q.rule.action)));
  const differs = mine !== 'other' && [...verdicts].some((v) => v !== 'other' && v !== mine);
  const names = cover.map((q) => `#${q.ref.index}`).join(', ');
  const log = isLog(pr);
  return {
    ...base,
    code: log ? 'lint/log-never-fires' : 'lint/shadowed-rule',
    severity: differs ? 'error' : 'warning',
    message: log
      ? `LOG rule never fires: earlier rule${cover.length > 1 ? 's' : ''} ${names} take every packet it matches`
      : `rule is shadowed by earlier rule${cover.length > 1 ? 's' : ''} ${names}${differs ? ' with a different action' : ''}`,
    explanation: differs
      ? `Every packet this rule matches is decided earlier with the opposite verdict (${mine === 'accept' ? 'DROP before ALLOW' : 'ALLOW before DROP'}): the rule never has the effect it was written for.`
      : 'Every packet this rule matches is taken by earlier rules, so the rule never applies.',
    related: cover.map((q) => ctx.related(q, `covers part of it (${q.actionText})`)),
    suggestion: differs ? `move the rule above rule #${cover[0]?.ref.index ?? 1}, or narrow the earlier rule${cover.length > 1 ? 's' : ''}` : 'delete the rule, or move it above the rules that cover it',
  };
}

export function checkReachability(ctx: LintContext): Finding[] {
  const { bdd } = ctx.space;
  const out: Finding[] = [];
  for (const pc of ctx.reach.order) {
    const entry = ctx.entryOf(pc);
    if (entry === FALSE) continue;
    let deadAfter: PreparedRule | undefined;
    const dead: PreparedRule[] = [];
    pc.rules.forEach((pr, i) => {
      const unreached = ctx.unreached(pr);
      const may = ctx.may(pc, pr);
      // Domain constraints only matter for live rules; a dead rule is reported with its block below.
      if (unreached ? may === FALSE : !bdd.intersects(may, ctx.space.valid)) {
        out.push({
          code: 'lint/never-matches', severity: 'error', rule: ctx.ruleOf(pr), location: ctx.locationOf(pr), related: [],
          message: 'the rule can never match: its conditions contradict each other',
          explanation: 'No packet satisfies all of the rule\'s conditions (for example a TCP flag test on UDP, or a port on a protocol without ports).',
          suggestion: 'fix the condition that cannot hold, or delete the rule',
        });
        return;
      }
      if (unreached) {
        dead.push(pr);
        return;
      }
      // What reaches the rule is well formed: the bare match stands for its well-formed part.
      if (!ctx.live(pc, pr)) out.push(shadowFinding(ctx, pc, i, bdd.andAll([may, ctx.space.valid, entry])));
      if (deadAfter === undefined && ctx.reachImplies(pr, ctx.must(pc, pr)) && i + 1 < pc.rules.length && pr.rule.action.kind !== 'continue') deadAfter = pr;
    });
    if (dead.length > 0) {
      const first = dead[0] as PreparedRule;
      const term = deadAfter;
      const w = witness(ctx.space, bdd.and(ctx.may(pc, first), entry), hookOf(ctx, pc));
      out.push({
        code: 'lint/unreachable-after-terminal', severity: 'warning', rule: ctx.ruleOf(first), location: ctx.locationOf(first),
        message: `${dead.length} rule${dead.length > 1 ? 's' : ''} from here on can never be reached${term !== undefined ? `: no packet gets past rule #${term.ref.index} (${term.actionText})` : ''}`,
        explanation: 'Every packet that enters the chain is decided before these rules, so they are dead code.',
        related: [
          ...(term !== undefined ? [ctx.related(term, 'takes every remaining packet')] : []),
          ...dead.slice(1, 4).map((d) => ctx.related(d, 'also unreachable')),
        ],
        ...(w !== undefined ? { witness: w } : {}),
        suggestion: term !== undefined ? `move the rules above rule #${term.ref.index}, or delete them` : 'delete the unreachable rules',
      });
    }
  }
  return out;
}
