/** Small building blocks shared by the extension definitions under matches/ and targets/. */
import { opaque as opaqueMatch } from '../../model/match.js';
import {
  type ArgResult, type ExtensionSpec, type MatchSpec, type OptionSpec, type RuleContext, type TargetSpec,
  bad, has, ok,
} from './extension.js';
import type { ExtInstance } from './syntax.js';

/** Reports an error unless at least one of `names` was given. */
export function requireSome(inst: ExtInstance, ctx: RuleContext, names: readonly string[], message?: string): boolean {
  if (names.some((n) => has(inst, n))) return true;
  ctx.error('iptables/missing-option', message ?? `${inst.name}: expected ${names.length === 1 ? 'option' : 'one of the options'} ${names.map((n) => `--${n}`).join(', ')}`);
  return false;
}

/** Reports an error when more than one of `names` was given. */
export function exclusive(inst: ExtInstance, ctx: RuleContext, names: readonly string[]): boolean {
  const given = names.filter((n) => has(inst, n));
  if (given.length <= 1) return true;
  const second = inst.options.find((o) => o.name === given[1]);
  ctx.error('iptables/conflicting-options', `${inst.name}: --${given[0]} and --${given[1]} cannot be used together`, second?.span);
  return false;
}

/** Reports an error when `name` was given without `needs`. */
export function needs(inst: ExtInstance, ctx: RuleContext, name: string, needed: string): void {
  if (!has(inst, name) || has(inst, needed)) return;
  const o = inst.options.find((x) => x.name === name);
  ctx.error('iptables/missing-option', `${inst.name}: --${name} needs --${needed}`, o?.span);
}

/** A match module fwdoctor keeps as an opaque predicate (rate limits, payload inspection, …). */
export function opaqueMatchSpec(spec: Omit<MatchSpec, 'kind' | 'toMatch'> & { readonly reason: string }): MatchSpec {
  const { reason, ...rest } = spec;
  return { ...rest, kind: 'match', toMatch: (_inst, ctx) => opaqueMatch(reason, ctx.text) };
}

/** Reads one argument with a fixed set of words (case-insensitive unless `exact`). */
export function oneOf<T extends string>(words: readonly T[], what: string, exact = false) {
  return (args: readonly string[]): ArgResult<T> => {
    const a = args[0] ?? '';
    const w = words.find((x) => (exact ? x === a : x.toLowerCase() === a.toLowerCase()));
    return w === undefined ? bad(`expected ${what} (${words.join(', ')}), got '${a}'`) : ok(w);
  };
}

/** A comma-separated list of words from a fixed set; canonical order is the set's order. */
export function wordList<T extends string>(words: readonly T[], what: string) {
  return (args: readonly string[]): ArgResult<T[]> => {
    const out: T[] = [];
    for (const part of (args[0] ?? '').split(',')) {
      const w = words.find((x) => x.toLowerCase() === part.toLowerCase());
      if (w === undefined) return bad(`unknown ${what} '${part}': expected ${words.join(', ')}`);
      if (!out.includes(w)) out.push(w);
    }
    return ok(words.filter((w) => out.includes(w)));
  };
}

/** A free-text argument kept as written, up to `max` characters. */
export function text(max: number, what = 'text') {
  return (args: readonly string[]): ArgResult<string> => {
    const a = args[0] ?? '';
    return a.length > max ? bad(`${what} is too long: at most ${max} characters, got ${a.length}`) : ok(a);
  };
}

export function isExtension(x: ExtensionSpec): x is MatchSpec | TargetSpec {
  return x.kind === 'match' || x.kind === 'target';
}

export type { OptionSpec };
