/**
 * Per-ruleset indexes built once, so that tracing many packets does no repeated work: chains by
 * name per table, rule references, and for each (hook, IP family) the base chains in priority order.
 */
import type { Family } from '../../model/address.js';
import type { Chain, Hook, Rule, Ruleset, Table } from '../../model/ruleset.js';
import { tableSeesFamily } from '../../model/ruleset.js';
import { describeRuleAction } from './describe-action.js';
import { type ChainPrefilter, buildPrefilter } from './prefilter.js';
import type { PolicyRef, RuleRef } from './types.js';

export interface PreparedRule {
  readonly rule: Rule;
  readonly ref: RuleRef;
  /** Unique over the ruleset; identifies the rule as a jump site for loop detection. */
  readonly id: number;
  /** What the rule does when it matches, as its dialect spells it ('LOG', 'jump USER1'). */
  readonly actionText: string;
}

export interface PreparedChain {
  readonly table: Table;
  readonly chain: Chain;
  readonly rules: readonly PreparedRule[];
  readonly policyRef: PolicyRef;
  /** Cheap bounds that rule out most non-matching rules without evaluating their match. */
  readonly prefilter: ChainPrefilter;
}

export interface HookPlan {
  /** Base chains on the hook that see the family, ascending priority (ruleset order on ties). */
  readonly chains: readonly PreparedChain[];
  /** One note per group of base chains sharing a priority: the kernel does not fix their order. */
  readonly ambiguities: readonly string[];
}

export interface PreparedRuleset {
  readonly ruleset: Ruleset;
  /** Chain of a table by name (jump / goto targets). */
  findChain(table: Table, name: string): PreparedChain | undefined;
  /** The base chains a packet of this family meets at this hook (nat chains excluded). */
  plan(hook: Hook, family: Family): HookPlan;
}

function ruleRef(table: Table, chain: Chain, rule: Rule, index: number): RuleRef {
  const handle = rule.origin.native['handle'];
  return {
    family: table.family,
    table: table.name,
    chain: chain.name,
    index,
    ...(rule.origin.line > 0 ? { line: rule.origin.line } : {}),
    ...(rule.origin.file !== '' ? { file: rule.origin.file } : {}),
    ...(typeof handle === 'number' ? { handle } : {}),
  };
}

function buildPlan(chains: readonly PreparedChain[], hook: Hook, family: Family): HookPlan {
  const list = chains
    .map((c, order) => ({ c, order }))
    .filter(({ c }) => {
      const b = c.chain.base;
      return b !== undefined && b.hook === hook && b.type !== 'nat' && tableSeesFamily(c.table.family, family);
    })
    .sort((x, y) => (x.c.chain.base?.priority ?? 0) - (y.c.chain.base?.priority ?? 0) || x.order - y.order)
    .map(({ c }) => c);
  const ambiguities: string[] = [];
  for (let i = 0; i < list.length; ) {
    const prio = list[i]?.chain.base?.priority;
    let j = i + 1;
    while (j < list.length && list[j]?.chain.base?.priority === prio) j++;
    if (j - i > 1) {
      const names = list.slice(i, j).map((c) => `${c.table.family} ${c.table.name}/${c.chain.name}`).join(', ');
      ambiguities.push(`ambiguousOrder: base chains ${names} share priority ${String(prio)} on hook ${hook}; the kernel does not fix their order, ruleset order assumed`);
    }
    i = j;
  }
  return { chains: list, ambiguities };
}

export function indexRuleset(rs: Ruleset): PreparedRuleset {
  let nextId = 0;
  const all: PreparedChain[] = [];
  const byTable = new Map<Table, Map<string, PreparedChain>>();
  for (const table of rs.tables) {
    const names = new Map<string, PreparedChain>();
    for (const chain of table.chains) {
      const rules = chain.rules.map((rule, i) => ({
        rule, ref: ruleRef(table, chain, rule, i + 1), id: nextId++, actionText: describeRuleAction(rule),
      }));
      const pc: PreparedChain = {
        table, chain, rules, prefilter: buildPrefilter(chain.rules.map((r) => r.match)),
        policyRef: { family: table.family, table: table.name, chain: chain.name, policy: true },
      };
      if (!names.has(chain.name)) names.set(chain.name, pc);
      all.push(pc);
    }
    byTable.set(table, names);
  }
  const plans = new Map<string, HookPlan>();
  return {
    ruleset: rs,
    findChain: (table, name) => byTable.get(table)?.get(name),
    plan(hook, family) {
      const key = `${hook}/${family}`;
      let p = plans.get(key);
      if (p === undefined) {
        p = buildPlan(all, hook, family);
        plans.set(key, p);
      }
      return p;
    },
  };
}
