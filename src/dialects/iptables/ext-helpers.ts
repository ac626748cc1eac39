/** Small building blocks shared by the extension definitions under matches/ and targets/. */
import { opaque as opaqueMatch } from '../../model/match.js';
import {
  type ArgResult, type MatchSpec, type RuleContext,
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
  const byKey = new Map(words.map((w) => [exact ? w : w.toLowerCase(), w] as const));
  return (args: readonly string[]): ArgResult<T> => {
    const a = args[0] ?? '';
    const w = byKey.get(a) ?? (exact ? undefined : byKey.get(a.toLowerCase()));
    return w === undefined ? bad(`expected ${what} (${words.join(', ')}), got '${a}'`) : ok(w);
  };
}

/** A comma-separated list of words from a fixed set; canonical order is the set's order. */
export function wordList<T extends string>(words: readonly T[], what: string) {
  const byKey = new Map(words.map((w, i) => [w.toLowerCase(), i] as const));
  const cache = new Map<string, ArgResult<T[]>>();
  return (args: readonly string[]): ArgResult<T[]> => {
    const text = args[0] ?? '';
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    let bitsSeen = 0;
    let result: ArgResult<T[]> | undefined;
    for (const part of text.split(',')) {
      const i = byKey.get(part) ?? byKey.get(part.toLowerCase());
      if (i === undefined) { result = bad(`unknown ${what} '${part}': expected ${words.join(', ')}`); break; }
      bitsSeen |= 1 << i;
    }
    // Canonical order is the order of `words` (the kernel's bit order).
    result ??= ok(words.filter((_, i) => (bitsSeen & (1 << i)) !== 0));
    if (cache.size < 256) cache.set(text, result);
    return result;
  };
}

/** A free-text argument kept as written, up to `max` characters. */
export function text(max: number, what = 'text') {
  return (args: readonly string[]): ArgResult<string> => {
    const a = args[0] ?? '';
    return a.length > max ? bad(`${what} is too long: at most ${max} characters, got ${a.length}`) : ok(a);
  };
}

