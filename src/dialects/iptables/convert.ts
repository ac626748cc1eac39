/**
 * Syntax tree → vendor-neutral Ruleset: one Table per `*table` (family `ip` for iptables, `ip6`
 * for ip6tables), built-in chains as base chains at the kernel's priorities, rules in their final
 * order with `origin` pointing at the line that added them. Structural errors were reported by
 * the parser; here a rule that cannot be evaluated keeps an opaque match or action instead.
 */
import { type Diagnostic, type Parsed, info, warning } from '../../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../../diagnostics/source.js';
import type { AddressSet } from '../../model/address.js';
import type { Origin } from '../../model/origin.js';
import type { BaseChain, Chain, ChainType, Rule, Ruleset, Table } from '../../model/ruleset.js';
import { finishedRule, modelRule, ruleOrigin } from './convert-early.js';
import { type RuleScope, convertRule } from './convert-rule.js';
import { HOOK_OF_CHAIN } from './placement.js';
import { type ResolvedChain, type ResolvedTable, resolvedTables } from './resolve.js';
import { plainDiagnostic } from './span.js';
import type { IptablesSyntax } from './syntax.js';

export interface IptablesConvertContext {
  /** ipset name → members (from an `ipset save` file). */
  readonly ipsets?: ReadonlyMap<string, AddressSet>;
}

/** The kernel priority of a built-in chain (NF_IP_PRI_*). */
export function builtinPriority(table: string, chain: string): number {
  switch (table) {
    case 'raw': return -300;
    case 'mangle': return -150;
    case 'nat': return chain === 'PREROUTING' || chain === 'OUTPUT' ? -100 : 100;
    case 'security': return 50;
    default: return 0;
  }
}

function chainType(table: string, chain: string): ChainType {
  if (table === 'nat') return 'nat';
  if (table === 'mangle' && chain === 'OUTPUT') return 'route';
  return 'filter';
}

export function convertIptables(syntax: IptablesSyntax, file: SourceFile, ctx: IptablesConvertContext = {}): Parsed<Ruleset> {
  const diagnostics: Diagnostic[] = [];
  const tables = resolvedTables(syntax);
  const opaqueSeen = new Map<string, { count: number; reason: string; span: Span }>();
  const ipsetsMissing = new Map<string, Span>();
  const out: Table[] = tables.map((t) => convertTable(t, syntax, file, ctx, opaqueSeen, ipsetsMissing));
  for (const [name, o] of opaqueSeen) {
    diagnostics.push(info('iptables/opaque', `${o.count} rule${o.count === 1 ? '' : 's'} use ${name}, which fwdoctor cannot evaluate offline (${o.reason}): analyses treat it as "may match"`, o.span));
  }
  for (const [name, span] of ipsetsMissing) {
    diagnostics.push(ctx.ipsets === undefined
      ? info('iptables/ipset-unresolved', `ipset '${name}' is used but no ipset save file was given: its members are unknown`, span)
      : warning('iptables/unknown-ipset', `ipset '${name}' is not in the ipset save file: its members are unknown`, span));
  }
  return { value: { tables: out }, diagnostics: diagnostics.map(plainDiagnostic) };
}

function convertTable(
  t: ResolvedTable, syntax: IptablesSyntax, file: SourceFile, ctx: IptablesConvertContext,
  opaqueSeen: Map<string, { count: number; reason: string; span: Span }>, ipsetsMissing: Map<string, Span>,
): Table {
  const userChains = new Set(t.chains.filter((c) => !c.builtin).map((c) => c.name));
  const tableOrigin: Origin = {
    dialect: 'iptables', file: file.name, line: t.block.line, column: t.block.span.start.column,
    text: `*${t.name}`, native: { table: t.name },
  };
  const chains: Chain[] = t.chains.map((c) => {
    const scope: RuleScope = {
      family: syntax.family, table: t.name, chain: c.name, userChains,
      ...(ctx.ipsets && { ipsets: ctx.ipsets }),
    };
    const rules: Rule[] = c.rules.map((r, i) => {
      const done = finishedRule(r, c.name, i + 1);
      if (done !== undefined) return done;
      const parts = convertRule(r, scope);
      for (const o of parts.opaque) {
        const seen = opaqueSeen.get(o.name);
        if (seen) seen.count++;
        else opaqueSeen.set(o.name, { count: 1, reason: o.reason, span: o.span });
      }
      for (const s of parts.ipsets) {
        if (ctx.ipsets?.get(s.name) === undefined && !ipsetsMissing.has(s.name)) ipsetsMissing.set(s.name, s.span);
      }
      return modelRule(parts, ruleOrigin(file.name, r.command, t.name, c.name, i + 1));
    });
    return { name: c.name, ...(baseOf(t.name, c) && { base: baseOf(t.name, c) as BaseChain }), rules, origin: chainOrigin(c, tableOrigin, t.name) };
  });
  return { family: syntax.family === 'ipv4' ? 'ip' : 'ip6', name: t.name, source: 'iptables', chains, origin: tableOrigin };
}

function baseOf(table: string, c: ResolvedChain): BaseChain | undefined {
  const hook = HOOK_OF_CHAIN[c.name];
  if (!c.builtin || hook === undefined) return undefined;
  return { hook, priority: builtinPriority(table, c.name), type: chainType(table, c.name), policy: c.policy === 'DROP' ? 'drop' : 'accept' };
}

function chainOrigin(c: ResolvedChain, tableOrigin: Origin, table: string): Origin {
  const o = c.origin;
  if (o === undefined) return { ...tableOrigin, native: { table, chain: c.name } };
  const text = o.text.trim();
  const column = o.kind === 'chain' ? o.nameSpan.start.column - 1 : 1;
  return { dialect: 'iptables', file: tableOrigin.file, line: o.line, column, text, native: { table, chain: c.name } };
}
