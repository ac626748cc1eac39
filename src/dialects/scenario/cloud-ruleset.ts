/**
 * Cloud rules as model rulesets. Every cloud layer becomes an `inet` table whose base chain sits on
 * hook `input` (inbound rules) or `output` (outbound rules), with the native order made explicit:
 * a security group is "any allow matches → accept, else drop"; NACL, NSG and GCP rules are sorted
 * by rule number or priority. Every rule's origin names the native rule (group id + rule id, NACL
 * rule number, NSG name + priority + rule name, GCP rule name + priority), and its text says it in
 * one line so that traces show it.
 */
import { ACCEPT, DROP, RETURN, jump, type Action } from '../../model/action.js';
import type { Match } from '../../model/match.js';
import type { Origin } from '../../model/origin.js';
import { type FilterLayer, filterLayer } from '../../model/path.js';
import type { Chain, Hook, Rule, Ruleset } from '../../model/ruleset.js';
import type { ExportLocation } from './json-doc.js';

export type CloudAction = 'accept' | 'drop' | 'return' | { readonly jump: string };

export interface CloudRule {
  readonly match: Match;
  readonly action: CloudAction;
  /** One line naming the native rule and what it does, shown in traces. */
  readonly text: string;
  readonly native: Readonly<Record<string, string | number>>;
  readonly at?: ExportLocation;
}

export interface CloudChain {
  readonly name: string;
  readonly rules: readonly CloudRule[];
  /** For the base chain: its hook, its policy and what the policy means natively. */
  readonly base?: { readonly hook: Hook; readonly policy: 'accept' | 'drop'; readonly policyText: string };
}

function actionOf(a: CloudAction): Action {
  if (a === 'accept') return ACCEPT;
  if (a === 'drop') return DROP;
  if (a === 'return') return RETURN;
  return jump(a.jump);
}

export function cloudOrigin(dialect: string, text: string, native: Readonly<Record<string, string | number>>, at?: ExportLocation): Origin {
  return {
    dialect, text,
    file: at?.file ?? '', line: at?.line ?? 0, column: at?.column ?? 0,
    native: at === undefined ? native : { ...native, path: at.path },
  };
}

export function cloudRule(dialect: string, r: CloudRule): Rule {
  return { match: r.match, effects: [], action: actionOf(r.action), origin: cloudOrigin(dialect, r.text, r.native, r.at) };
}

/** One table holding `chains`; the table name is what traces print before `/chain/index`. */
export function cloudRuleset(dialect: string, table: string, chains: readonly CloudChain[], rules?: Map<CloudRule, Rule>): Ruleset {
  const built: Chain[] = chains.map((c) => ({
    name: c.name,
    rules: c.rules.map((r) => {
      const hit = rules?.get(r);
      if (hit !== undefined) return hit;
      const m = cloudRule(dialect, r);
      rules?.set(r, m);
      return m;
    }),
    ...(c.base !== undefined ? { base: { hook: c.base.hook, priority: 0, type: 'filter' as const, policy: c.base.policy } } : {}),
    origin: cloudOrigin(dialect, c.base?.policyText ?? `${table} ${c.name}`, { table, chain: c.name }),
  }));
  return { tables: [{ family: 'inet', name: table, source: 'nftables', chains: built, origin: cloudOrigin(dialect, table, { table }) }] };
}

/** A one-chain-per-direction layer: `inbound` on hook input, `outbound` on hook output. */
export interface SimpleLayerSpec {
  readonly dialect: string;
  readonly name: string;
  readonly table: string;
  readonly stateful: boolean;
  readonly protects: 'destination' | 'source';
  readonly inbound: CloudDirection;
  readonly outbound: CloudDirection;
}

export interface CloudDirection {
  readonly chain: string;
  readonly rules: readonly CloudRule[];
  readonly policy: 'accept' | 'drop';
  readonly policyText: string;
  /** User chains the rules jump to. */
  readonly extra?: readonly CloudChain[];
}

export function simpleLayer(s: SimpleLayerSpec, rules?: Map<CloudRule, Rule>): FilterLayer {
  const rs = (d: CloudDirection, hook: Hook): Ruleset => cloudRuleset(s.dialect, s.table, [
    { name: d.chain, rules: d.rules, base: { hook, policy: d.policy, policyText: d.policyText } },
    ...(d.extra ?? []),
  ], rules);
  return filterLayer(s.name, { stateful: s.stateful, protects: s.protects, inbound: rs(s.inbound, 'input'), outbound: rs(s.outbound, 'output') });
}
