/**
 * The contract of an iptables extension (a match module `-m name` or a target `-j NAME`), as
 * plain data: the options it declares, how each option's argument is read and printed, the checks
 * iptables and the kernel apply, and the conversion into the vendor-neutral model.
 */
import type { Span } from '../../diagnostics/source.js';
import type { AddressSet } from '../../model/address.js';
import type { Action, Effect } from '../../model/action.js';
import type { Match } from '../../model/match.js';
import type { Hook } from '../../model/ruleset.js';
import type { ExtInstance, ExtOption, IpFamily } from './syntax.js';

/** Outcome of reading an option's arguments. `arg` is the 0-based argument at fault. */
export type ArgResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly arg?: number };

export function ok<T>(value: T): ArgResult<T> {
  return { ok: true, value };
}

export function bad<T = never>(message: string, arg?: number): ArgResult<T> {
  return arg === undefined ? { ok: false, message } : { ok: false, message, arg };
}

export interface ArgContext {
  readonly family: IpFamily;
}

export interface OptionSpec {
  /** Long name without the dashes; the canonical spelling iptables-save prints. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /**
   * Number of arguments: getopt takes one, a few options take a second one by hand; `optional`
   * takes the next word unless it looks like an option (as a few old-style parsers do).
   */
  readonly args: 0 | 1 | 2 | 'optional';
  /** May be preceded by `!`. */
  readonly invert?: boolean;
  /** May be given more than once. */
  readonly multi?: boolean;
  readonly parse?: (args: readonly string[], ctx: ArgContext) => ArgResult<unknown>;
  /** The argument text iptables-save prints; `undefined` leaves the whole option out. */
  readonly show?: (value: unknown, opt: ExtOption) => string | undefined;
}

/** Typed construction of an option; the value type is erased for the registry. */
export function option<T>(spec: {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly args: 0 | 1 | 2 | 'optional';
  readonly invert?: boolean;
  readonly multi?: boolean;
  readonly parse?: (args: readonly string[], ctx: ArgContext) => ArgResult<T>;
  readonly show?: (value: T, opt: ExtOption) => string | undefined;
}): OptionSpec {
  return spec as OptionSpec;
}

/** A flag option (no argument). */
export function flag(name: string, invert = false, aliases?: readonly string[]): OptionSpec {
  return aliases === undefined ? { name, args: 0, invert } : { name, args: 0, invert, aliases };
}

/** Where an extension may be used. Hooks are checked on the hooks a chain is reachable from. */
export interface Placement {
  readonly tables?: readonly string[];
  readonly hooks?: readonly Hook[];
}

/** A placement that does not depend on the options (one shared object). */
export function placed(p: Placement): () => Placement {
  return () => p;
}

/** What a check sees of the rule around the extension. */
export interface RuleContext {
  readonly family: IpFamily;
  readonly table: string;
  /** `-p` as a number (0 when absent) and whether it was inverted. */
  readonly protocol: number;
  readonly protocolInverted: boolean;
  /** The match modules of the rule, in order. */
  readonly matches: readonly ExtInstance[];
  /** Span of the `-m name` / `-j NAME` token. */
  readonly span: Span;
  error(code: string, message: string, span?: Span): void;
  warning(code: string, message: string, span?: Span): void;
}

export interface ConvertContext {
  readonly family: IpFamily;
  readonly table: string;
  readonly chain: string;
  readonly protocol: number;
  readonly ipsets?: ReadonlyMap<string, AddressSet> | undefined;
  /** The extension's canonical iptables-save text (`-m tcp --dport 22`), for opaque parts. */
  readonly text: string;
}

interface ExtensionBase {
  readonly name: string;
  /** Other names that load this extension (`icmpv6` → `icmp6`). */
  readonly aliases?: readonly string[];
  /** Only in iptables (`ipv4`) or ip6tables (`ipv6`); both when absent. */
  readonly family?: IpFamily;
  readonly options: readonly OptionSpec[];
  /** `-p` values the rule must have, and whether `! -p` is acceptable. */
  readonly protocols?: { readonly numbers: readonly number[]; readonly invertOk?: boolean; readonly message: string };
  /** Cross-option checks once the rule is complete (required options, conflicts, ranges). */
  readonly check?: (inst: ExtInstance, ctx: RuleContext) => void;
  /** Text after `-m name` / `-j NAME` as iptables-save prints it; default: options in declaration order. */
  readonly print?: (inst: ExtInstance, family: IpFamily) => string;
  readonly placement?: (inst: ExtInstance) => Placement | undefined;
}

export interface MatchSpec extends ExtensionBase {
  readonly kind: 'match';
  toMatch(inst: ExtInstance, ctx: ConvertContext): Match;
}

export interface TargetOutcome {
  readonly action: Action;
  readonly effects: readonly Effect[];
}

export interface TargetSpec extends ExtensionBase {
  readonly kind: 'target';
  toAction(inst: ExtInstance, ctx: ConvertContext): TargetOutcome;
}

export type ExtensionSpec = MatchSpec | TargetSpec;

/** An option's value from its arguments: what its `parse` makes, else the arguments themselves (`true` for none). */
export function optionValue(spec: OptionSpec, args: readonly string[], ctx: ArgContext): ArgResult<unknown> {
  if (spec.parse) return spec.parse(args, ctx);
  return ok(args.length === 0 ? true : args.length === 1 ? args[0] : args);
}

/** Is option `name` (by canonical name) among `options` already? */
export function hasOption(options: readonly ExtOption[], name: string): boolean {
  for (const o of options) if (o.name === name) return true;
  return false;
}

/** The occurrences of option `name` (by canonical name). */
export function optionsNamed(inst: ExtInstance, name: string): ExtOption[] {
  return inst.options.filter((o) => o.name === name);
}

/** The last occurrence of option `name`, with its parsed value typed by the caller. */
export function get<T>(inst: ExtInstance, name: string): (ExtOption & { readonly value: T }) | undefined {
  for (let i = inst.options.length - 1; i >= 0; i--) {
    const o = inst.options[i] as ExtOption;
    if (o.name === name) return o as ExtOption & { readonly value: T };
  }
  return undefined;
}

export function has(inst: ExtInstance, name: string): boolean {
  return hasOption(inst.options, name);
}
