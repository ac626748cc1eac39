/**
 * Interface names as equivalence classes: two names are alike when every interface predicate of
 * the rulesets (exact names and `eth+` prefixes) treats them alike. The empty name stands for "no
 * interface" (the simulator compares a missing interface as ''), so it gets a class of its own
 * unless a predicate cannot tell it apart from another name.
 */
import type { Match } from '../../model/match.js';
import type { Ruleset } from '../../model/ruleset.js';

export interface IfacePredicate {
  readonly name: string;
  readonly wildcard: boolean;
}

export interface IfaceClasses {
  readonly predicates: readonly IfacePredicate[];
  /** One representative name per class ('' = no interface). */
  readonly names: readonly string[];
  classOf(name: string): number;
  /** Classes whose names satisfy the predicate. */
  classesMatching(p: IfacePredicate): number[];
}

function holds(p: IfacePredicate, name: string): boolean {
  return p.wildcard ? name.startsWith(p.name) : name === p.name;
}

function signature(preds: readonly IfacePredicate[], name: string): string {
  let s = '';
  for (const p of preds) s += holds(p, name) ? '1' : '0';
  return s;
}

const SUFFIXES = ['0', '1', '2', '3', '9', 'x', 'z', '10', '99', '-other'];

export function buildIfaceClasses(predicates: readonly IfacePredicate[]): IfaceClasses {
  const preds = [...new Map(predicates.map((p) => [`${p.wildcard ? '+' : '='}${p.name}`, p])).values()];
  const candidates: string[] = [''];
  for (const p of preds) {
    if (!p.wildcard) candidates.push(p.name);
    for (const s of SUFFIXES) candidates.push(`${p.name}${s}`);
  }
  for (const s of ['eth0', 'ens3', 'wan0', 'if-other', 'zz-other9']) candidates.push(s);
  const bySig = new Map<string, number>();
  const names: string[] = [];
  for (const c of candidates) {
    if (c.length > 15) continue;
    const sig = signature(preds, c);
    if (!bySig.has(sig)) {
      bySig.set(sig, names.length);
      names.push(c);
    }
  }
  return {
    predicates: preds,
    names,
    classOf(name: string): number {
      const k = bySig.get(signature(preds, name));
      // A name whose combination no candidate produced: the closest is "matches nothing".
      return k ?? (bySig.get(signature(preds, '')) ?? 0);
    },
    classesMatching(p: IfacePredicate): number[] {
      const out: number[] = [];
      names.forEach((n, i) => {
        if (holds(p, n)) out.push(i);
      });
      return out;
    },
  };
}

function collect(m: Match, out: { in: IfacePredicate[]; out: IfacePredicate[] }): void {
  switch (m.kind) {
    case 'iface': (m.dir === 'in' ? out.in : out.out).push({ name: m.name, wildcard: m.wildcard }); return;
    case 'and': case 'or': for (const x of m.items) collect(x, out); return;
    case 'not': collect(m.item, out); return;
    default: return;
  }
}

/** Every interface predicate of the rulesets, per direction. */
export function ifacePredicates(rulesets: readonly Ruleset[]): { in: IfacePredicate[]; out: IfacePredicate[] } {
  const out = { in: [] as IfacePredicate[], out: [] as IfacePredicate[] };
  for (const rs of rulesets) {
    for (const t of rs.tables) {
      for (const c of t.chains) {
        for (const r of c.rules) {
          collect(r.match, out);
          if (r.action.kind === 'dispatch') for (const k of r.action.cases) collect(k.match, out);
        }
      }
    }
  }
  return out;
}
