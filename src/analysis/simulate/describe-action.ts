/** What a rule does, spelled the way its source dialect spells it: 'ACCEPT', 'jump USER1', 'LOG', 'accept'. */
import type { Action, Effect } from '../../model/action.js';
import { assertNever } from '../../model/assert-never.js';
import type { Rule } from '../../model/ruleset.js';

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

export function describeEffect(e: Effect, upper: boolean): string {
  switch (e.kind) {
    case 'log': return e.prefix === undefined ? e.name : `${e.name} ${JSON.stringify(e.prefix)}`;
    case 'counter': return 'counter';
    case 'mark': {
      const name = upper ? e.target.toUpperCase() : e.target;
      const mask = e.mask >>> 0 === 0xffffffff ? '' : `/${hex(e.mask)}`;
      return e.op === 'save' || e.op === 'restore' ? `${name} ${e.op}${mask}` : `${name} ${e.op} ${hex(e.value)}${mask}`;
    }
    case 'notrack': return upper ? 'NOTRACK' : 'notrack';
    case 'other': return e.name;
    default: return assertNever(e);
  }
}

export function describeVerdictAction(a: Action, upper: boolean): string {
  const w = (s: string): string => (upper ? s.toUpperCase() : s);
  switch (a.kind) {
    case 'accept': case 'drop': case 'continue': return w(a.kind);
    case 'return': return w('return');
    case 'reject': return upper ? `REJECT --reject-with ${a.with.name}` : `reject with ${a.with.name}`;
    case 'jump': return `jump ${a.chain}`;
    case 'goto': return `goto ${a.chain}`;
    case 'nat': return w(a.nat.type);
    case 'queue': return a.text;
    case 'dispatch': return 'vmap';
    case 'opaque': return a.name;
    default: return assertNever(a);
  }
}

/** The effects then the action ('LOG', 'MARK set 0x1, ACCEPT', 'jump USER1'); 'continue' is left out. */
export function describeRuleAction(rule: Rule): string {
  const upper = rule.origin.dialect === 'iptables';
  const parts = rule.effects.map((e) => describeEffect(e, upper));
  if (rule.action.kind !== 'continue' || parts.length === 0) parts.push(describeVerdictAction(rule.action, upper));
  return parts.join(', ');
}
