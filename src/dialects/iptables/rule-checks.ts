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

/** May a rule of `chain` test the input (`-i`) or output (`-o`) interface? */
export function interfaceSeen(dir: 'in' | 'out', chain: string): boolean {
  return !(dir === 'in' ? NO_IN : NO_OUT).has(chain);
}

/**
 * The context handed to extension checks, re-pointed at each extension. One object serves every
 * rule (this runs per line of large files); `start` prepares it for the next rule.
 */
class Checker implements RuleContext {
  failed = false;
  span: Span = NO_SPAN;
  family: LineInput['family'] = 'ipv4';
  table = '';
  protocol = 0;
  protocolInverted = false;
  matches: readonly ExtInstance[] = [];
  private out: Diagnostic[] = [];

  start(rule: RuleSyntax, input: LineInput, out: Diagnostic[]): void {
    this.failed = false;
    this.family = input.family;
    this.table = input.table;
    this.protocol = rule.protocol?.number ?? 0;
    this.protocolInverted = rule.protocol?.invert ?? false;
    this.matches = rule.matches;
    this.out = out;
  }

  /** Drops the references to the rule (the checker outlives it). */
  finish(): boolean {
    const failed = this.failed;
    this.matches = [];
    this.out = [];
    this.span = NO_SPAN;
    return failed;
  }

  at(span: Span): this {
    this.span = span;
    return this;
  }

  error(code: string, message: string, at?: Span): void {
    this.failed = true;
    this.out.push(error(code, message, at ?? this.span));
  }

  warning(code: string, message: string, at?: Span): void {
    this.out.push(warning(code, message, at ?? this.span));
  }
}

const NO_SPAN: Span = { file: '', start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };

let idle: Checker | undefined;

/** Returns true when an error was reported. */
export function checkRule(rule: RuleSyntax, chain: string, input: LineInput, out: Diagnostic[]): boolean {
  // A check that checked another rule (none does) would get a checker of its own.
  const ctx = idle ?? new Checker();
  idle = undefined;
  try {
    ctx.start(rule, input, out);
    if (rule.inInterface && !interfaceSeen('in', chain)) {
      ctx.at(rule.inInterface.span).error('iptables/wrong-chain', `-i cannot be used in ${chain}: packets there have no input interface`);
    }
    if (rule.outInterface && !interfaceSeen('out', chain)) {
      ctx.at(rule.outInterface.span).error('iptables/wrong-chain', `-o cannot be used in ${chain}: packets there have no output interface yet`);
    }
    for (const m of rule.matches) {
      if (!m.invalid) checkOne(m, findMatch(m.name, input.family), m.span, rule, ctx);
    }
    const t = rule.target;
    if (t?.type === 'extension' && !t.invalid) checkOne(t, findTarget(t.name, input.family), t.span, rule, ctx);
    return ctx.finish();
  } finally {
    idle = ctx;
  }
}

function checkOne(inst: ExtInstance, spec: ExtensionSpec | undefined, span: Span, rule: RuleSyntax, ctx: Checker): void {
  if (spec === undefined) return;
  const need = spec.protocols;
  if (need !== undefined && !(need.numbers.includes(ctx.protocol) && (!ctx.protocolInverted || need.invertOk === true))) {
    const found = rule.protocol === undefined ? 'no -p' : `${ctx.protocolInverted ? '! ' : ''}-p ${iptProtocolName(ctx.protocol)}`;
    ctx.at(rule.protocol?.span ?? span).error('iptables/needs-protocol', `${need.message}; found ${found}`);
    return;
  }
  if (spec.check !== undefined) spec.check(inst, ctx.at(span));
}
