/**
 * Syntax tree → canonical iptables-save text (iptables 1.8.9, nf_tables back end). Each table
 * block is printed as the state it leaves behind: its chains with policy and counters, then the
 * rules chain by chain as `-A` lines in their final order (after -I, -D, -R, -F, …). Comments and
 * blank lines outside tables are kept where they were; for canonical input the output is the input.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { printRuleBody } from './print-rule.js';
import { type ResolvedTable, resolveTable } from './resolve.js';
import type { Counters, IptablesSyntax, TableBlock } from './syntax.js';

const counters = (c: Counters | undefined): string => (c === undefined ? '[0:0]' : `[${c.packets}:${c.bytes}]`);

export function printTable(t: ResolvedTable, family: IptablesSyntax['family']): string[] {
  const lines = [`*${t.name}`];
  for (const c of t.chains) lines.push(`:${c.name} ${c.builtin ? (c.policy ?? 'ACCEPT') : '-'} ${counters(c.counters)}`);
  for (const c of t.chains) {
    for (const r of c.rules) {
      const body = printRuleBody(r, family);
      const chainName = c.name;
      const head = r.counters ? `[${r.counters.packets}:${r.counters.bytes}] ` : '';
      const rule = r.jump !== undefined && r.rule.target ? body.replace(new RegExp(`(-[jg]) ${escapeRe(r.rule.target.name)}$`), `$1 ${r.jump}`) : body;
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
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function printBlock(block: TableBlock, family: IptablesSyntax['family'], ignored: Diagnostic[]): string[] {
  return printTable(resolveTable(block, family, ignored), family);
}
