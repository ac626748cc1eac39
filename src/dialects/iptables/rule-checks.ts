/**
 * Checks on a complete rule that iptables (or the kernel, when it loads the rule) applies once
 * every option is read: interfaces that a built-in chain cannot see, protocols an extension needs,
 * and each extension's own cross-option checks. Chain-dependent placement (DNAT only in nat
 * PREROUTING/OUTPUT, …) needs the whole table and is checked in resolve.ts.
 */
import { type Diagnostic, error, warning } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { findMatch, findTarget } from './catalog.js';
import type { ExtensionSpec, RuleContext } from './extension.js';
import type { LineInput } from './parse-rule.js';
import { iptProtocolName } from './protocols.js';
import type { ExtInstance, RuleSyntax } from './syntax.js';

const NO_IN = new Set(['OUTPUT', 'POSTROUTING']);
const NO_OUT = new Set(['PREROUTING', 'INPUT']);

/** Returns true when an error was reported. */
export function checkRule(rule: RuleSyntax, chain: string, input: LineInput, out: Diagnostic[]): boolean {
  let failed = false;
  const err = (code: string, message: string, span: Span): void => {
    failed = true;
    out.push(error(code, message, span));
  };
  if (rule.inInterface && NO_IN.has(chain)) {
    err('iptables/wrong-chain', `-i cannot be used in ${chain}: packets there have no input interface`, rule.inInterface.span);
  }
  if (rule.outInterface && NO_OUT.has(chain)) {
    err('iptables/wrong-chain', `-o cannot be used in ${chain}: packets there have no output interface yet`, rule.outInterface.span);
  }
  const protocol = rule.protocol?.number ?? 0;
  const protocolInverted = rule.protocol?.invert ?? false;
  const one = (inst: ExtInstance, spec: ExtensionSpec | undefined, span: Span, invalid: boolean): void => {
    if (spec === undefined || invalid) return;
    const need = spec.protocols;
    if (need !== undefined && !(need.numbers.includes(protocol) && (!protocolInverted || need.invertOk === true))) {
      const found = rule.protocol === undefined ? 'no -p' : `${protocolInverted ? '! ' : ''}-p ${iptProtocolName(protocol)}`;
      err('iptables/needs-protocol', `${need.message}; found ${found}`, rule.protocol?.span ?? span);
      return;
    }
    if (spec.check === undefined) return;
    spec.check(inst, {
      family: input.family, table: input.table, protocol, protocolInverted,
      matchNames: rule.matches.map((m) => m.name), matches: rule.matches, span,
      error: (code, message, at) => err(code, message, at ?? span),
      warning: (code, message, at) => { out.push(warning(code, message, at ?? span)); },
    });
  };
  for (const m of rule.matches) one(m, findMatch(m.name, input.family), m.span, m.invalid);
  const t = rule.target;
  if (t?.type === 'extension') one(t, findTarget(t.name, input.family), t.span, t.invalid);
  return failed;
}
