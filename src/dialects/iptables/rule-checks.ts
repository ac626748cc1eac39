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

/** The context handed to extension checks; one per rule, re-pointed at each extension. */
class Checker implements RuleContext {
  failed = false;
  span: Span;

  constructor(
    readonly family: LineInput['family'], readonly table: string, readonly protocol: number,
    readonly protocolInverted: boolean, readonly matches: readonly ExtInstance[], private readonly out: Diagnostic[], span: Span,
  ) {
    this.span = span;
  }

  error(code: string, message: string, at?: Span): void {
    this.failed = true;
    this.out.push(error(code, message, at ?? this.span));
  }

  warning(code: string, message: string, at?: Span): void {
    this.out.push(warning(code, message, at ?? this.span));
  }
}

/** Returns true when an error was reported. */
export function checkRule(rule: RuleSyntax, chain: string, input: LineInput, out: Diagnostic[]): boolean {
  const protocol = rule.protocol?.number ?? 0;
  const protocolInverted = rule.protocol?.invert ?? false;
  let ctx: Checker | undefined;
  const checker = (span: Span): Checker => {
    ctx ??= new Checker(input.family, input.table, protocol, protocolInverted, rule.matches, out, span);
    ctx.span = span;
    return ctx;
  };
  if (rule.inInterface && NO_IN.has(chain)) {
    checker(rule.inInterface.span).error('iptables/wrong-chain', `-i cannot be used in ${chain}: packets there have no input interface`);
  }
  if (rule.outInterface && NO_OUT.has(chain)) {
    checker(rule.outInterface.span).error('iptables/wrong-chain', `-o cannot be used in ${chain}: packets there have no output interface yet`);
  }
  for (const m of rule.matches) {
    if (!m.invalid) checkOne(m, findMatch(m.name, input.family), m.span, rule, protocol, protocolInverted, checker);
  }
  const t = rule.target;
  if (t?.type === 'extension' && !t.invalid) checkOne(t, findTarget(t.name, input.family), t.span, rule, protocol, protocolInverted, checker);
  return ctx?.failed ?? false;
}

function checkOne(
  inst: ExtInstance, spec: ExtensionSpec | undefined, span: Span, rule: RuleSyntax, protocol: number,
  protocolInverted: boolean, checker: (span: Span) => Checker,
): void {
  if (spec === undefined) return;
  const need = spec.protocols;
  if (need !== undefined && !(need.numbers.includes(protocol) && (!protocolInverted || need.invertOk === true))) {
    const found = rule.protocol === undefined ? 'no -p' : `${protocolInverted ? '! ' : ''}-p ${iptProtocolName(protocol)}`;
    checker(rule.protocol?.span ?? span).error('iptables/needs-protocol', `${need.message}; found ${found}`);
    return;
  }
  if (spec.check !== undefined) spec.check(inst, checker(span));
}
