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

/** Packets an earlier rule takes away from the rest of its chain. */
export function divertedBy(ctx: LintContext, pc: PreparedChain, q: PreparedRule): number {
  const { bdd } = ctx.space;
  const a = q.rule.action;
  const x = bdd.and(ctx.reachOf(q), ctx.must(pc, q));
  if (x === FALSE) return FALSE;
  switch (a.kind) {
    case 'accept': case 'drop': case 'reject': case 'return': case 'goto': case 'queue': return x;
    case 'opaque': return a.terminal ? x : FALSE;
    case 'jump': {
      const target = ctx.sym.prepared.findChain(pc.table, a.chain);
      if (target === undefined) return FALSE;
      return bdd.diff(x, ctx.sym.summary(target, ctx.early(pc)).ret);
    }
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
  let left = target;
  for (let j = 0; j < i && left !== FALSE; j++) {
    const q = pc.rules[j] as PreparedRule;
    if (!hullsOverlap(pc.prefilter, i, j)) continue;
    const d = bdd.and(divertedBy(ctx, pc, q), left);
    if (d === FALSE) continue;
    out.push(q);
    left = bdd.diff(left, d);
  }
  const covers = out.map((q) => bdd.and(kept(ctx, pc, q), target));
  // Drop a rule when the kept earlier ones and all later ones still cover the target: unions of
  // the later ones are precomputed from the end, so this is linear in the number of rules.
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
      const r = ctx.reachOf(pr);
      const may = ctx.may(pc, pr);
      // Domain constraints only matter for live rules; a dead rule is reported with its block below.
      const m = r === FALSE ? may : bdd.and(may, ctx.space.valid);
      if (m === FALSE) {
        out.push({
          code: 'lint/never-matches', severity: 'error', rule: ctx.ruleOf(pr), location: ctx.locationOf(pr), related: [],
          message: 'the rule can never match: its conditions contradict each other',
          explanation: 'No packet satisfies all of the rule\'s conditions (for example a TCP flag test on UDP, or a port on a protocol without ports).',
          suggestion: 'fix the condition that cannot hold, or delete the rule',
        });
        return;
      }
      if (r === FALSE) {
        dead.push(pr);
        return;
      }
      if (!bdd.intersects(r, m)) out.push(shadowFinding(ctx, pc, i, bdd.and(m, entry)));
      if (deadAfter === undefined && bdd.implies(r, ctx.must(pc, pr)) && i + 1 < pc.rules.length && pr.rule.action.kind !== 'continue') deadAfter = pr;
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
