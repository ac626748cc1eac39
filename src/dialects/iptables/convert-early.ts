/**
 * Conversion while the file is read: each rule is converted as soon as its line is parsed, while
 * its syntax is at hand, so that converting the tree afterwards does not read the line again.
 *
 * An appended rule that needs nothing from the rest of the table (no jump, nothing opaque, no
 * ipset) is finished into its model Rule right away, with the position it has if every line of
 * its chain so far was an append; `finishedRule` uses it only if the resolved chain agrees.
 * Other rules keep their parts for convert.ts; lines with several -s/-d are left for later.
 */
import type { Action, Effect } from '../../model/action.js';
import type { Match } from '../../model/match.js';
import type { Origin } from '../../model/origin.js';
import type { Rule } from '../../model/ruleset.js';
import { LazyCommand } from './command.js';
import { type ExtensionParts, type PartScope, type RuleParts, assemble, assembleMatch, convertPartsOf, unfinished } from './convert-rule.js';
import type { ResolvedRule } from './resolve.js';
import type { CommandLine, IpFamily, RuleSyntax } from './syntax.js';

function leadingBlanks(s: string): number {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

/** The origin of the rule that `cmd` adds as rule `index` of `chain`. */
export function ruleOrigin(file: string, cmd: CommandLine, table: string, chain: string, index: number): Origin {
  const lead = leadingBlanks(cmd.text);
  return {
    dialect: 'iptables', file, line: cmd.line, column: lead + 1, text: cmd.text.slice(lead), native: { table, chain, index },
  };
}

/** The model rule of finished parts (no jump left to decide). */
export function modelRule(parts: Pick<RuleParts, 'match' | 'effects' | 'comment'> & { readonly action: Action }, origin: Origin): Rule {
  return ruleOf(parts.match, parts.effects, parts.action, parts.comment, origin);
}

function ruleOf(match: Match, effects: readonly Effect[], action: Action, comment: string | undefined, origin: Origin): Rule {
  return comment === undefined ? { match, effects, action, origin } : { match, effects, action, comment, origin };
}

/** Converts the rules of one table as the parser reads them (ParseOptions.onRule). */
export class EarlyConverter {
  private scope: PartScope;
  /** Rules appended to each chain so far. */
  private readonly appendedTo = new Map<string, number>();

  constructor(readonly family: IpFamily, readonly table: string) {
    this.scope = { family, table, chain: '' };
  }

  /** What converting a rule of `chain` needs to know (one object per run of rules of a chain). */
  scopeOf(chain: string): PartScope {
    if (this.scope.chain !== chain) this.scope = { family: this.family, table: this.table, chain };
    return this.scope;
  }

  /** A valid rule read by the general reader. */
  rule(cmd: CommandLine, rule: RuleSyntax): void {
    if (!(cmd instanceof LazyCommand)) return;
    if (rule.onlyFamily !== undefined && rule.onlyFamily !== this.family) return;
    const chain = cmd.chain ?? '';
    const lines = (rule.source?.list.length ?? 1) * (rule.destination?.list.length ?? 1);
    const index = this.count(cmd, chain, lines);
    if (lines !== 1) return;
    this.keep(cmd, chain, index, convertPartsOf(rule, rule.source?.list[0], rule.destination?.list[0], this.scopeOf(chain)));
  }

  /**
   * An appended rule of one source and destination whose base predicates are started
   * (convert-rule.ts `startBase`): finished with its extensions' parts.
   */
  appendedParts(cmd: LazyCommand, chain: string, ext: ExtensionParts): void {
    const index = this.count(cmd, chain, 1);
    if (unfinished(ext) || cmd.op !== 'append') {
      this.keep(cmd, chain, index, assemble(ext));
      return;
    }
    // The common case: finished without making its parts first.
    cmd.early = ruleOf(assembleMatch(ext), ext.effects, ext.action as Action, ext.comment, ruleOrigin(cmd.file, cmd, this.table, chain, index));
  }

  /** The position of the line's (last) rule if every line of the chain so far was an append. */
  private count(cmd: CommandLine, chain: string, lines: number): number {
    const index = (this.appendedTo.get(chain) ?? 0) + lines;
    if (cmd.op === 'append') this.appendedTo.set(chain, index);
    return index;
  }

  private keep(cmd: LazyCommand, chain: string, index: number, parts: RuleParts): void {
    cmd.early = unfinished(parts) || cmd.op !== 'append'
      ? parts
      : modelRule(parts as RuleParts & { readonly action: Action }, ruleOrigin(cmd.file, cmd, this.table, chain, index));
  }
}

/** The rule-conversion hook for the parser (ParseOptions.onRule). */
export function convertEarly(family: IpFamily, table: string): EarlyConverter {
  return new EarlyConverter(family, table);
}

/** The rule convertEarly finished for this line, if the line stands where it assumed. */
export function finishedRule(resolved: ResolvedRule, chain: string, index: number): Rule | undefined {
  const cmd = resolved.command;
  if (!(cmd instanceof LazyCommand) || resolved.jump !== undefined) return undefined;
  const e = cmd.early;
  if (e === undefined || !('origin' in e) || e.origin.native['index'] !== index || e.origin.native['chain'] !== chain) return undefined;
  cmd.early = undefined;
  return e;
}
