/**
 * `--assume` values from the command line, turned into an AssumeFn:
 *   filter/INPUT/5=match        rule 5 of filter INPUT: its undecided match holds
 *   inet/filter/input/3=nomatch with the table family first (nftables)
 *   filter/INPUT/7=accept       a user-space (NFQUEUE) or opaque verdict: accept (or drop)
 *   opaque=nomatch              every other undecided rule (the global default)
 * Errors are returned, never thrown.
 */
import type { TableFamily } from '../../model/ruleset.js';
import type { AssumeFn, RuleRef } from './types.js';

const FAMILIES: readonly TableFamily[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

const VALUES: Readonly<Record<string, boolean>> = {
  match: true, matches: true, true: true, yes: true, accept: true,
  nomatch: false, 'no-match': false, false: false, no: false, drop: false,
};

interface RuleKey {
  readonly family?: TableFamily;
  readonly table: string;
  readonly chain: string;
  readonly index: number;
}

export interface ParsedAssumptions {
  readonly assume?: AssumeFn;
  readonly errors: readonly string[];
}

function parseKey(text: string): RuleKey | string {
  const parts = text.split('/');
  const fam = parts.length === 4 ? parts.shift() : undefined;
  if (parts.length !== 3 || parts.some((x) => x === '')) return `expected TABLE/CHAIN/INDEX or FAMILY/TABLE/CHAIN/INDEX, got '${text}'`;
  if (fam !== undefined && !FAMILIES.includes(fam as TableFamily)) return `expected a table family (${FAMILIES.join(', ')}), got '${fam}'`;
  const [table, chain, idx] = parts as [string, string, string];
  if (!/^[1-9]\d*$/.test(idx)) return `expected a 1-based rule index, got '${idx}'`;
  return { ...(fam !== undefined ? { family: fam as TableFamily } : {}), table, chain, index: Number(idx) };
}

function sameRule(k: RuleKey, r: RuleRef): boolean {
  return k.table === r.table && k.chain === r.chain && k.index === r.index && (k.family === undefined || k.family === r.family);
}

/** Builds the assumption function from `KEY=VALUE` strings; later entries win over earlier ones. */
export function parseAssumptions(specs: readonly string[]): ParsedAssumptions {
  const errors: string[] = [];
  const rules: { key: RuleKey; value: boolean }[] = [];
  let global: boolean | undefined;
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const valueText = eq < 0 ? '' : spec.slice(eq + 1).trim().toLowerCase();
    const value = VALUES[valueText];
    if (eq < 0 || value === undefined) {
      errors.push(`--assume '${spec}': expected KEY=match|nomatch|accept|drop, got '${eq < 0 ? spec : valueText}'`);
      continue;
    }
    const keyText = spec.slice(0, eq).trim();
    if (keyText === 'opaque' || keyText === '*' || keyText === 'all') {
      global = value;
      continue;
    }
    const key = parseKey(keyText);
    if (typeof key === 'string') errors.push(`--assume '${spec}': ${key}`);
    else rules.push({ key, value });
  }
  if (rules.length === 0 && global === undefined) return { errors };
  const assume: AssumeFn = (ref) => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const r = rules[i];
      if (r !== undefined && sameRule(r.key, ref)) return r.value;
    }
    return global;
  };
  return { assume, errors };
}
