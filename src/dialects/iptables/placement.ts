/**
 * Where extensions may be used: some only in one table (DNAT: nat), some only on some hooks
 * (REJECT: INPUT, FORWARD, OUTPUT). A user-defined chain is checked against every hook it can be
 * reached from, as the kernel does when the ruleset is committed.
 */
import { type Diagnostic, error } from '../../diagnostics/diagnostic.js';
import type { Hook } from '../../model/ruleset.js';
import type { ResolvedRule, ResolvedTable } from './resolve.js';
import type { Span } from '../../diagnostics/source.js';
import type { IpFamily } from './syntax.js';

export const HOOK_OF_CHAIN: Readonly<Record<string, Hook>> = {
  PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting',
};

const CHAIN_OF_HOOK: Readonly<Partial<Record<Hook, string>>> = {
  prerouting: 'PREROUTING', input: 'INPUT', forward: 'FORWARD', output: 'OUTPUT', postrouting: 'POSTROUTING',
};

/** The hooks each chain is reached from (built-in chains: their own). */
export function reachingHooks(t: ResolvedTable, edges: ReadonlyMap<string, readonly { to: string }[]>): Map<string, Set<Hook>> {
  const hooks = new Map<string, Set<Hook>>();
  for (const c of t.chains) hooks.set(c.name, new Set());
  for (const c of t.chains) {
    if (!c.builtin) continue;
    const hook = HOOK_OF_CHAIN[c.name];
    if (hook === undefined) continue;
    const stack = [c.name];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const n = stack.pop() as string;
      if (seen.has(n)) continue;
      seen.add(n);
      hooks.get(n)?.add(hook);
      for (const e of edges.get(n) ?? []) stack.push(e.to);
    }
  }
  return hooks;
}

export function checkPlacement(
  t: ResolvedTable, edges: ReadonlyMap<string, readonly { to: string }[]>, _family: IpFamily, out: Diagnostic[],
): void {
  const hooks = reachingHooks(t, edges);
  for (const c of t.chains) {
    const from = hooks.get(c.name) ?? new Set<Hook>();
    for (const r of c.rules) if (r.command.summary?.placements) checkRule(r, c.name, from, out);
  }
}

function checkRule(r: ResolvedRule, chain: string, from: ReadonlySet<Hook>, out: Diagnostic[]): void {
  for (const p of r.command.summary?.placements ?? []) {
    if (p.hooks === undefined) continue;
    const allowed = p.hooks;
    const badHooks = [...from].filter((h) => !allowed.includes(h));
    if (badHooks.length > 0) out.push(wrongChain(p.what, allowed, chain, badHooks, p.span));
  }
}

export function wrongTable(what: string, tables: readonly string[], table: string, span: Span): Diagnostic {
  return error('iptables/wrong-table', `${what} is only valid in the ${tables.join(' or ')} table${tables.length > 1 ? 's' : ''}, not in ${table}`, span);
}

/** `chain` is reached from `badHooks`, where `what` is not allowed. */
export function wrongChain(what: string, allowed: readonly Hook[], chain: string, badHooks: readonly Hook[], span: Span): Diagnostic {
  const names = (hs: readonly Hook[]): string => hs.map((h) => CHAIN_OF_HOOK[h] ?? h).join(', ');
  const via = HOOK_OF_CHAIN[chain] !== undefined ? `in ${chain}` : `in chain ${chain}, which is reached from ${names(badHooks)}`;
  return error('iptables/wrong-chain', `${what} cannot be used ${via}: it is only valid in ${names(allowed)}`, span);
}
