/**
 * Ruleset changes as the `nft` commands that make them, e.g.
 * `nft insert rule inet filter input position 7 tcp dport 8080 accept`,
 * `nft add element inet filter allowed '{ 198.18.0.5 }'`.
 */
import { assertNever } from '../../model/assert-never.js';
import { shellQuote } from '../../text/shell-quote.js';
import { printExpr, printRuleBody } from './print-expr.js';
import type { Expr, NftFamily, RuleSyntax } from './syntax.js';

export interface ChainRef {
  readonly family: NftFamily;
  readonly table: string;
  readonly chain: string;
}

export type NftChange =
  /** Before the rule with handle `position`, or at the top of the chain. */
  | (ChainRef & { readonly kind: 'insert-rule'; readonly rule: string | RuleSyntax; readonly position?: number })
  /** After the rule with handle `position`, or at the end of the chain. */
  | (ChainRef & { readonly kind: 'add-rule'; readonly rule: string | RuleSyntax; readonly position?: number })
  | (ChainRef & { readonly kind: 'replace-rule'; readonly rule: string | RuleSyntax; readonly handle: number })
  | (ChainRef & { readonly kind: 'delete-rule'; readonly handle: number })
  | (ChainRef & { readonly kind: 'set-policy'; readonly policy: 'accept' | 'drop' })
  | { readonly kind: 'add-element' | 'delete-element'; readonly family: NftFamily; readonly table: string; readonly set: string; readonly elements: readonly (string | Expr)[] }
  | { readonly kind: 'add-chain'; readonly family: NftFamily; readonly table: string; readonly chain: string };

function ruleText(r: string | RuleSyntax): string {
  return typeof r === 'string' ? r : printRuleBody(r);
}

/** Rule text split into shell words; parts with shell metacharacters are quoted as a whole. */
function ruleArgs(text: string): string {
  return /[{};"'$`\\!*?()<>|&#~[\]]/.test(text) ? shellQuote(text) : text;
}

function where(c: ChainRef): string {
  return `${c.family} ${shellQuote(c.table)} ${shellQuote(c.chain)}`;
}

/** The shell command for one change. */
export function printNftChange(ch: NftChange): string {
  switch (ch.kind) {
    case 'insert-rule': return `nft insert rule ${where(ch)}${ch.position !== undefined ? ` position ${ch.position}` : ''} ${ruleArgs(ruleText(ch.rule))}`;
    case 'add-rule': return `nft add rule ${where(ch)}${ch.position !== undefined ? ` position ${ch.position}` : ''} ${ruleArgs(ruleText(ch.rule))}`;
    case 'replace-rule': return `nft replace rule ${where(ch)} handle ${ch.handle} ${ruleArgs(ruleText(ch.rule))}`;
    case 'delete-rule': return `nft delete rule ${where(ch)} handle ${ch.handle}`;
    case 'set-policy': return `nft chain ${where(ch)} ${shellQuote(`{ policy ${ch.policy}; }`)}`;
    case 'add-element': case 'delete-element': {
      const elems = ch.elements.map((e) => (typeof e === 'string' ? e : printExpr(e))).join(', ');
      return `nft ${ch.kind === 'add-element' ? 'add' : 'delete'} element ${ch.family} ${shellQuote(ch.table)} ${shellQuote(ch.set)} ${shellQuote(`{ ${elems} }`)}`;
    }
    case 'add-chain': return `nft add chain ${ch.family} ${shellQuote(ch.table)} ${shellQuote(ch.chain)}`;
    default: return assertNever(ch);
  }
}

/** The same change as a line of an `nft -f` script (no shell quoting). */
export function printNftScriptLine(ch: NftChange): string {
  switch (ch.kind) {
    case 'insert-rule': case 'add-rule':
      return `${ch.kind === 'insert-rule' ? 'insert' : 'add'} rule ${ch.family} ${ch.table} ${ch.chain}${ch.position !== undefined ? ` position ${ch.position}` : ''} ${ruleText(ch.rule)}`;
    case 'replace-rule': return `replace rule ${ch.family} ${ch.table} ${ch.chain} handle ${ch.handle} ${ruleText(ch.rule)}`;
    case 'delete-rule': return `delete rule ${ch.family} ${ch.table} ${ch.chain} handle ${ch.handle}`;
    case 'set-policy': return `chain ${ch.family} ${ch.table} ${ch.chain} { policy ${ch.policy}; }`;
    case 'add-element': case 'delete-element': {
      const elems = ch.elements.map((e) => (typeof e === 'string' ? e : printExpr(e))).join(', ');
      return `${ch.kind === 'add-element' ? 'add' : 'delete'} element ${ch.family} ${ch.table} ${ch.set} { ${elems} }`;
    }
    case 'add-chain': return `add chain ${ch.family} ${ch.table} ${ch.chain}`;
    default: return assertNever(ch);
  }
}
