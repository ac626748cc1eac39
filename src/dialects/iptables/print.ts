/**
 * Syntax tree → canonical iptables-save text (iptables 1.8.9, nf_tables back end). Each table
 * block is printed as the state it leaves behind: its chains with policy and counters, then the
 * rules chain by chain as `-A` lines in their final order (after -I, -D, -R, -F, …). Comments and
 * blank lines outside tables are kept where they were; for canonical input the output is the input.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { assertNever } from '../../model/assert-never.js';
import { printRuleBody } from './print-rule.js';
import { BUILTIN_CHAINS, isTableName } from './tables.js';
import { type ResolvedChain, type ResolvedTable, resolveTable, ruleInstance } from './resolve.js';
import type { Counters, IptablesSyntax, TableBlock } from './syntax.js';

const counters = (c: Counters | undefined): string => (c === undefined ? '[0:0]' : `[${c.packets}:${c.bytes}]`);

/**
 * Chains in iptables-save order: every built-in chain of the table in the table's order, then
 * user-defined chains sorted by name (byte order). One exception keeps old dumps intact: a nat
 * block that declares its chains but no INPUT comes from a kernel before 2.6.36, which had none.
 */
function chainOrder(t: ResolvedTable): ResolvedChain[] {
  const builtins = t.chains.filter((c) => c.builtin);
  const declared = builtins.some((c) => c.origin !== undefined);
  const skip = (c: ResolvedChain): boolean =>
    t.name === 'nat' && c.name === 'INPUT' && declared && c.origin === undefined && c.rules.length === 0;
  const order = isTableName(t.name) ? BUILTIN_CHAINS[t.name] : [];
  const sortedBuiltins = builtins.filter((c) => !skip(c)).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const users = t.chains.filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...sortedBuiltins, ...users];
}

export function printTable(t: ResolvedTable, family: IptablesSyntax['family']): string[] {
  const lines = [`*${t.name}`];
  const chains = chainOrder(t);
  for (const c of chains) lines.push(`:${c.name} ${c.builtin ? (c.policy ?? 'ACCEPT') : '-'} ${counters(c.counters)}`);
  for (const c of chains) {
    for (const r of c.rules) {
      const inst = ruleInstance(r);
      const body = inst === undefined ? '' : printRuleBody(inst, family);
      const chainName = c.name;
      const head = r.counters ? `[${r.counters.packets}:${r.counters.bytes}] ` : '';
      const target = inst?.rule.target;
      const rule = r.jump !== undefined && target ? body.replace(new RegExp(`(-[jg]) ${escapeRe(target.name)}$`), `$1 ${r.jump}`) : body;
      lines.push(`${head}-A ${chainName}${rule === '' ? '' : ` ${rule}`}`);
    }
  }
  lines.push('COMMIT');
  return lines;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function printIptablesSave(syntax: IptablesSyntax): string {
  const lines: string[] = [];
  const ignored: Diagnostic[] = [];
  for (const item of syntax.items) {
    switch (item.kind) {
      case 'comment': lines.push(item.text); break;
      case 'blank': lines.push(''); break;
      case 'table': lines.push(...printBlock(item, syntax.family, ignored)); break;
      default: assertNever(item);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function printBlock(block: TableBlock, family: IptablesSyntax['family'], ignored: Diagnostic[]): string[] {
  return printTable(resolveTable(block, family, ignored), family);
}
