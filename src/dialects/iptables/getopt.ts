/**
 * The option table iptables hands to getopt_long(3): the base options, then the options of every
 * loaded extension (the most recently loaded first). Long options may be abbreviated to any
 * unambiguous prefix and written `--name=value`, as getopt allows.
 */
import type { ExtensionSpec, OptionSpec } from './extension.js';

export type BaseOptionId =
  | 'append' | 'check' | 'delete' | 'insert' | 'replace' | 'list' | 'list-rules' | 'flush' | 'zero'
  | 'new-chain' | 'delete-chain' | 'rename-chain' | 'policy' | 'version' | 'help'
  | 'source' | 'destination' | 'protocol' | 'in-interface' | 'out-interface' | 'fragment'
  | 'jump' | 'goto' | 'match' | 'set-counters' | 'table'
  | 'verbose' | 'numeric' | 'exact' | 'line-numbers' | 'wait' | 'wait-interval' | 'modprobe'
  | 'ipv4' | 'ipv6';

export interface BaseOption {
  readonly id: BaseOptionId;
  /** How messages name it: `-s`, `--line-numbers`. */
  readonly flag: string;
  readonly short?: string;
  readonly long: readonly string[];
  /** 0: none, 1: required argument, 'opt': optional argument (only attached, as getopt does). */
  readonly arg: 0 | 1 | 'opt';
}

function b(id: BaseOptionId, short: string | undefined, arg: 0 | 1 | 'opt', ...extra: string[]): BaseOption {
  return short === undefined ? { id, flag: `--${id}`, long: [id, ...extra], arg } : { id, flag: `-${short}`, short, long: [id, ...extra], arg };
}

export const BASE_OPTIONS: readonly BaseOption[] = [
  b('append', 'A', 1), b('check', 'C', 1), b('delete', 'D', 1), b('insert', 'I', 1),
  b('replace', 'R', 1), b('list', 'L', 'opt'), b('list-rules', 'S', 'opt'), b('flush', 'F', 'opt'),
  b('zero', 'Z', 'opt'), b('new-chain', 'N', 1), b('delete-chain', 'X', 'opt'),
  b('rename-chain', 'E', 1), b('policy', 'P', 1), b('version', 'V', 0), b('help', 'h', 'opt'),
  b('source', 's', 1, 'src'), b('destination', 'd', 1, 'dst'), b('protocol', 'p', 1),
  b('in-interface', 'i', 1), b('out-interface', 'o', 1), b('fragment', 'f', 0),
  b('jump', 'j', 1), b('goto', 'g', 1), b('match', 'm', 1), b('set-counters', 'c', 1),
  b('table', 't', 1), b('verbose', 'v', 0), b('numeric', 'n', 0), b('exact', 'x', 0),
  b('line-numbers', undefined, 0), b('wait', 'w', 'opt'), b('wait-interval', 'W', 1),
  b('modprobe', 'M', 1), b('ipv4', '4', 0), b('ipv6', '6', 0),
];

const BY_SHORT = new Map<string, BaseOption>();
const BY_LONG = new Map<string, BaseOption>();
for (const o of BASE_OPTIONS) {
  if (o.short !== undefined) BY_SHORT.set(o.short, o);
  for (const l of o.long) BY_LONG.set(l, o);
}

/** Is `name` (without dashes) the long name of a base option (`source`, `src`, `jump`, …)? */
export function isBaseLongOption(name: string): boolean {
  return BY_LONG.has(name);
}

export function baseShort(c: string): BaseOption | undefined {
  return BY_SHORT.get(c);
}

/** A loaded extension instance, as the option lookup sees it. */
export interface LoadedExt {
  readonly spec: ExtensionSpec;
}

export type LongLookup =
  | { readonly kind: 'base'; readonly option: BaseOption; readonly given: string }
  | { readonly kind: 'ext'; readonly index: number; readonly option: OptionSpec; readonly given: string }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
  | { readonly kind: 'unknown' };

function extNames(o: OptionSpec): readonly string[] {
  return o.aliases === undefined ? [o.name] : [o.name, ...o.aliases];
}

type ExtLookup = Extract<LongLookup, { readonly kind: 'ext' }>;

/** An option of an extension found by its exact name, with its lookup results by load index. */
class Named {
  private readonly byIndex: ExtLookup[] = [];

  constructor(
    readonly option: OptionSpec,
    /** The name matched, without dashes. */
    readonly given: string,
  ) {}

  /** The (immutable, shared) lookup result for the extension loaded at `index`. */
  at(index: number): ExtLookup {
    return (this.byIndex[index] ??= { kind: 'ext', index, option: this.option, given: this.given });
  }
}

/** An option's name or alias, with the option it names. */
export interface OptionName {
  readonly name: string;
  readonly option: OptionSpec;
}

const NAMES = new WeakMap<ExtensionSpec, readonly OptionName[]>();

/** The exact names (and aliases) of an extension's options; a name declared twice names the first. */
export function optionNames(spec: ExtensionSpec): readonly OptionName[] {
  let list = NAMES.get(spec);
  if (list === undefined) {
    const seen = new Set<string>();
    const out: OptionName[] = [];
    for (const option of spec.options) {
      for (const name of extNames(option)) {
        if (seen.has(name)) continue;
        seen.add(name);
        out.push({ name, option });
      }
    }
    list = out;
    NAMES.set(spec, list);
  }
  return list;
}

const INDEX = new WeakMap<ExtensionSpec, Map<string, Named>>();

/** `--name` (and `--alias`) of every option of an extension → the option. */
function optionIndex(spec: ExtensionSpec): Map<string, Named> {
  let m = INDEX.get(spec);
  if (m === undefined) {
    m = new Map();
    for (const { name, option } of optionNames(spec)) m.set(`--${name}`, new Named(option, name));
    INDEX.set(spec, m);
  }
  return m;
}

const BY_DASHED = new Map<string, LongLookup>();
for (const o of BASE_OPTIONS) for (const l of o.long) BY_DASHED.set(`--${l}`, { kind: 'base', option: o, given: l });

/**
 * Exact lookup of a whole `--name` token (no `=value`), without making strings or results (they
 * are shared): the fast path for the options of a large file. Undefined when there is no exact match.
 */
export function lookupDashed(token: string, loaded: readonly LoadedExt[]): LongLookup | undefined {
  const base = BY_DASHED.get(token);
  if (base !== undefined) return base;
  for (let i = loaded.length - 1; i >= 0; i--) {
    const o = optionIndex((loaded[i] as LoadedExt).spec).get(token);
    if (o !== undefined) return o.at(i);
  }
  return undefined;
}

/**
 * Finds a long option: an exact name first (base options, then extensions from the most recently
 * loaded), then a unique prefix. `loaded` is in load order.
 */
export function lookupLong(name: string, loaded: readonly LoadedExt[]): LongLookup {
  const base = BY_LONG.get(name);
  if (base !== undefined) return { kind: 'base', option: base, given: name };
  const exact = lookupDashed(`--${name}`, loaded);
  if (exact !== undefined) return exact;
  // Prefix matches; the same option of two instances of one module counts once (the latest).
  const found: LongLookup[] = [];
  const seen = new Set<string>();
  for (const o of BASE_OPTIONS) {
    for (const l of o.long) {
      if (l.startsWith(name) && !seen.has(`base/${o.id}`)) {
        seen.add(`base/${o.id}`);
        found.push({ kind: 'base', option: o, given: l });
      }
    }
  }
  for (let i = loaded.length - 1; i >= 0; i--) {
    const spec = (loaded[i] as LoadedExt).spec;
    for (const o of spec.options) {
      for (const l of extNames(o)) {
        const key = `${spec.kind}/${spec.name}/${o.name}`;
        if (l.startsWith(name) && !seen.has(key)) {
          seen.add(key);
          found.push({ kind: 'ext', index: i, option: o, given: l });
        }
      }
    }
  }
  if (found.length === 1) return found[0] as LongLookup;
  if (found.length === 0) return { kind: 'unknown' };
  return {
    kind: 'ambiguous',
    candidates: found.map((f) => (f.kind === 'base' || f.kind === 'ext' ? `--${f.given}` : '')),
  };
}
