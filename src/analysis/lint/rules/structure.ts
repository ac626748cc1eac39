/**
 * The shape of the ruleset: user chains nothing jumps to (`lint/unused-chain`), chains that call
 * each other in a loop (`lint/jump-loop`, which the kernel refuses to load), and rules without a
 * comment (`lint/undocumented-rule`, one finding per chain).
 */
import type { Chain, Table } from '../../../model/ruleset.js';
import type { Action } from '../../../model/action.js';
import type { LintContext } from '../context.js';
import type { Finding } from '../finding.js';

function targets(a: Action): string[] {
  if (a.kind === 'jump' || a.kind === 'goto') return [a.chain];
  if (a.kind === 'dispatch') return a.cases.flatMap((c) => targets(c.action));
  return [];
}

function loc(c: Chain): { file: string; line: number; column: number } {
  return { file: c.origin.file, line: c.origin.line, column: c.origin.column };
}

function checkTable(ctx: LintContext, t: Table, out: Finding[]): void {
  const edges = new Map<string, { to: string; line: number; index: number }[]>();
  const called = new Set<string>();
  for (const c of t.chains) {
    edges.set(c.name, c.rules.flatMap((r, i) => targets(r.action).map((to) => ({ to, line: r.origin.line, index: i + 1 }))));
    for (const e of edges.get(c.name) ?? []) called.add(e.to);
  }
  for (const c of t.chains) {
    if (c.base !== undefined || called.has(c.name)) continue;
    out.push({
      code: 'lint/unused-chain', severity: 'warning', location: loc(c),
      rule: { family: t.family, table: t.name, chain: c.name },
      message: `chain ${c.name} is never used: no rule jumps to it (${c.rules.length} rule${c.rules.length === 1 ? '' : 's'})`,
      explanation: 'Rules in a chain nothing jumps to never see a packet; often a jump was forgotten or removed.',
      related: [],
      suggestion: `add a jump to ${c.name} where its packets should go, or delete the chain`,
    });
  }
  // Cycles: depth-first search with colours; report each loop once, at its first chain.
  const colour = new Map<string, 1 | 2>();
  const path: string[] = [];
  const reported = new Set<string>();
  const dfs = (name: string): void => {
    colour.set(name, 1);
    path.push(name);
    for (const e of edges.get(name) ?? []) {
      if (!edges.has(e.to)) continue;
      if (colour.get(e.to) === 1) {
        const cycle = path.slice(path.indexOf(e.to));
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const c = t.chains.find((x) => x.name === e.to) as Chain;
          out.push({
            code: 'lint/jump-loop', severity: 'error', location: { file: c.origin.file, line: e.line, column: 1 },
            rule: { family: t.family, table: t.name, chain: name, index: e.index },
            message: `jump loop: ${[...cycle, e.to].join(' → ')}`,
            explanation: 'The kernel refuses a ruleset whose chains can jump in a circle (iptables-restore fails with "Too many levels of links").',
            related: [],
            suggestion: `remove the jump from ${name} to ${e.to}`,
          });
        }
      } else if (!colour.has(e.to)) dfs(e.to);
    }
    path.pop();
    colour.set(name, 2);
  };
  for (const c of t.chains) if (!colour.has(c.name)) dfs(c.name);
  void ctx;
}

export function checkStructure(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.ruleset.tables) checkTable(ctx, t, out);
  return out;
}

export function checkDocumentation(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.ruleset.tables) {
    for (const c of t.chains) {
      const bare = c.rules.map((r, i) => ({ r, i })).filter(({ r }) => r.comment === undefined || r.comment.trim() === '');
      const first = bare[0];
      if (first === undefined) continue;
      out.push({
        code: 'lint/undocumented-rule', severity: 'info',
        location: { file: first.r.origin.file, line: first.r.origin.line, column: first.r.origin.column },
        rule: { family: t.family, table: t.name, chain: c.name, index: first.i + 1, text: first.r.origin.text },
        message: `${bare.length} of ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'} in ${t.name}/${c.name} have no comment`,
        explanation: 'The field guide\'s hardening checklist: document every rule with its business reason, so that audits can tell intent from accident.',
        related: bare.slice(1, 4).map(({ r, i }) => ({
          message: 'also without a comment',
          rule: { family: t.family, table: t.name, chain: c.name, index: i + 1, text: r.origin.text },
          location: { file: r.origin.file, line: r.origin.line, column: r.origin.column },
        })),
        suggestion: 'add `-m comment --comment "why"` (nft: `comment "why"`) to each rule',
      });
    }
  }
  return out;
}
