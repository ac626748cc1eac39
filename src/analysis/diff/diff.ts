/**
 * `diff`: the traffic whose verdict changes between two rulesets (any dialects), per hook, as
 * rows of the now-accepted and now-blocked sets, each with a witness packet traced through both
 * rulesets to name the rules responsible. Both rulesets share one header space (interface classes
 * of both), so their accepted sets compare as node ids: equal means equivalent.
 * By default the packets compared are first packets of their flows (TCP SYN, derived state), as
 * `query` does; a slice (`state established`, `udp`) widens or narrows that.
 */
import type { Packet } from '../../model/packet.js';
import { HOOKS, type Hook, type Ruleset } from '../../model/ruleset.js';
import { prepare } from '../simulate/index.js';
import type { PolicyRef, RuleRef } from '../simulate/types.js';
import { FALSE } from '../space/bdd.js';
import { Space } from '../space/space.js';
import { SymbolicRuleset } from '../space/walk.js';
import { sliceSet, tabulate } from '../query/query.js';

export interface DiffRow {
  readonly hook: Hook;
  readonly change: 'now-accepted' | 'now-blocked';
  readonly text: string;
  readonly witness: Packet;
  readonly old: { verdict: string; decidedBy: RuleRef | PolicyRef };
  readonly new: { verdict: string; decidedBy: RuleRef | PolicyRef };
}

export interface DiffResult {
  readonly equivalent: boolean;
  readonly rows: readonly DiffRow[];
  readonly complete: boolean;
  readonly errors: readonly string[];
  readonly notes: readonly string[];
}

function hooksOf(rs: Ruleset): Set<Hook> {
  const out = new Set<Hook>();
  for (const t of rs.tables) for (const c of t.chains) if (c.base !== undefined && c.base.type !== 'nat') out.add(c.base.hook);
  return out;
}

export function diffRulesets(before: Ruleset, after: Ruleset, o: { slice?: string; hooks?: readonly Hook[]; maxRows?: number } = {}): DiffResult {
  const sp = new Space([before, after]);
  const { bdd } = sp;
  const a = new SymbolicRuleset(sp, before);
  const b = new SymbolicRuleset(sp, after);
  const slice = sliceSet(sp, o.slice ?? '');
  if (slice.errors.length > 0) return { equivalent: false, rows: [], complete: true, errors: slice.errors, notes: [] };
  const used = new Set([...hooksOf(before), ...hooksOf(after)]);
  const hooks = o.hooks ?? HOOKS.filter((h) => used.has(h));
  const simA = prepare(before);
  const simB = prepare(after);
  const rows: DiffRow[] = [];
  let equivalent = true;
  let complete = true;
  const keep = new Set([...slice.fields, 'ctstate']);
  for (const hook of hooks) {
    const sa = a.hook(hook).accepted;
    const sb = b.hook(hook).accepted;
    for (const [change, set] of [['now-accepted', bdd.diff(sb, sa)], ['now-blocked', bdd.diff(sa, sb)]] as const) {
      const exact = bdd.and(set, slice.set);
      if (exact === FALSE) continue;
      equivalent = false;
      const t = tabulate(sp, exact, keep, hook, o.maxRows ?? 30);
      complete &&= t.complete;
      for (const r of t.rows) {
        const w = { ...r.witness, hook };
        const ra = simA.simulate(w);
        const rb = simB.simulate(w);
        rows.push({ hook, change, text: r.text, witness: w, old: { verdict: ra.verdict, decidedBy: ra.decidedBy }, new: { verdict: rb.verdict, decidedBy: rb.decidedBy } });
      }
    }
  }
  return { equivalent, rows, complete, errors: [], notes: [...new Set([...a.notes, ...b.notes])] };
}
