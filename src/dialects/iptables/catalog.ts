/** Looks up match modules and targets by name for a family (the registry itself is plain data). */
import type { MatchSpec, TargetSpec } from './extension.js';
import { MATCHES } from './matches/index.js';
import type { IpFamily } from './syntax.js';
import { TARGETS } from './targets/index.js';
import { addCommonWords } from './tokenize.js';

type Index<T> = Record<IpFamily, Map<string, T>>;

// Extension and option names are the most frequent words of a ruleset: share one copy of each.
addCommonWords([...MATCHES, ...TARGETS].flatMap((spec) => [
  spec.name, ...(spec.aliases ?? []), ...spec.options.flatMap((o) => [o.name, ...(o.aliases ?? [])].map((n) => `--${n}`)),
]));

function index<T extends MatchSpec | TargetSpec>(specs: readonly T[]): Index<T> {
  const out: Index<T> = { ipv4: new Map(), ipv6: new Map() };
  for (const spec of specs) {
    for (const fam of ['ipv4', 'ipv6'] as const) {
      if (spec.family !== undefined && spec.family !== fam) continue;
      for (const n of [spec.name, ...(spec.aliases ?? [])]) if (!out[fam].has(n)) out[fam].set(n, spec);
    }
  }
  return out;
}

let matchIndex: Index<MatchSpec> | undefined;
let targetIndex: Index<TargetSpec> | undefined;

export function findMatch(name: string, family: IpFamily): MatchSpec | undefined {
  matchIndex ??= index(MATCHES);
  return matchIndex[family].get(name);
}

export function findTarget(name: string, family: IpFamily): TargetSpec | undefined {
  targetIndex ??= index(TARGETS);
  return targetIndex[family].get(name);
}

/** Is `name` a match module of the other family (so the error can say so)? */
export function matchOfOtherFamily(name: string, family: IpFamily): boolean {
  return findMatch(name, family === 'ipv4' ? 'ipv6' : 'ipv4') !== undefined;
}

export function targetOfOtherFamily(name: string, family: IpFamily): boolean {
  return findTarget(name, family === 'ipv4' ? 'ipv6' : 'ipv4') !== undefined;
}

/** Protocol number → the match iptables loads for an unknown option after `-p` (libxtables' find_proto). */
const IMPLICIT: Readonly<Record<number, string>> = {
  1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 50: 'esp', 51: 'ah', 58: 'icmp6', 108: 'ipcomp', 132: 'sctp',
};

/** The name of the match `-p` would load, whatever the family. */
export function implicitMatchName(protocol: number): string | undefined {
  return IMPLICIT[protocol];
}

export function implicitMatch(protocol: number, family: IpFamily): MatchSpec | undefined {
  const name = IMPLICIT[protocol];
  return name === undefined ? undefined : findMatch(name, family);
}

export const STANDARD_TARGETS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);
