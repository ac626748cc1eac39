/**
 * The simulator's result types. `TraceResult` is a stable contract (DESIGN.md "Machine-readable
 * contracts"): fields may be added, never renamed or removed.
 */
import type { Address, Family } from '../../model/address.js';
import type { RejectWith } from '../../model/action.js';
import type { AddrType, CtState, Match } from '../../model/match.js';
import type { TableFamily } from '../../model/ruleset.js';

/** A rule by its native identity; `index` is 1-based within its chain. */
export interface RuleRef {
  readonly family: TableFamily;
  readonly table: string;
  readonly chain: string;
  readonly index: number;
  readonly line?: number;
  readonly file?: string;
  readonly handle?: number;
}

/** A chain policy that decided (end of a base chain, or `return` in one). */
export interface PolicyRef {
  readonly family: TableFamily;
  readonly table: string;
  readonly chain: string;
  readonly policy: true;
}

export type Verdict = 'accept' | 'drop' | 'reject';

export interface TraceStep {
  /** The rule visited, or the policy applied. */
  readonly ref: RuleRef | PolicyRef;
  /** Call depth: 0 in a base chain, +1 per jump. */
  readonly depth: number;
  readonly result: 'match' | 'no-match' | 'unknown';
  /** Why the rule did not match (the first failing predicate, with the packet's value), or what it depends on. */
  readonly why?: string;
  /** What the rule did when it matched, spelled as in the source: 'ACCEPT', 'jump USER1', 'LOG', 'policy DROP'. */
  readonly action?: string;
  /** The rule's original text (for a policy: the chain's). */
  readonly text: string;
  /** When `result` is 'unknown': the value assumed on this branch. */
  readonly assumed?: boolean;
}

/** A decision the simulator could not make from the packet alone, and the value taken on a branch. */
export interface Assumption {
  readonly ref: RuleRef;
  /** Whether the rule's match was taken to hold. */
  readonly matched: boolean;
  /** For a verdict handed to user space or an opaque target: whether it was taken to accept. */
  readonly accepted?: boolean;
  /** For a verdict-map case whose key could not be evaluated: its 0-based position. */
  readonly case?: number;
}

export interface Alternative {
  readonly assumptions: readonly Assumption[];
  readonly verdict: Verdict;
  readonly decidedBy: RuleRef | PolicyRef;
}

export interface TraceResult {
  readonly verdict: Verdict;
  readonly decidedBy: RuleRef | PolicyRef;
  /** Every rule whose match held, in evaluation order, including LOG, jumps and RETURN. */
  readonly matched: readonly RuleRef[];
  /** Every rule visited and every policy applied, in order. */
  readonly steps: readonly TraceStep[];
  /** The conntrack state the packet had in the filter chains. */
  readonly ctstate: CtState;
  /** True when `ctstate` was derived (first packet of a flow, empty table) rather than given. */
  readonly ctstateDerived: boolean;
  readonly reject?: RejectWith;
  readonly notes: readonly string[];
  /** Predicates on the path that the packet alone could not decide, with the reason. */
  readonly dependsOn: readonly { readonly ref: RuleRef; readonly reason: string }[];
  /** The other outcomes, one per combination of undecided predicates explored. */
  readonly alternatives: readonly Alternative[];
  /** The values this result took for undecided predicates (empty when nothing was undecided). */
  readonly assumptions: readonly Assumption[];
  /** Packet mark and connmark when evaluation ended. */
  readonly mark: number;
  readonly connmark: number;
}

/** Answers "what type does this address have on the host" for the addrtype match. */
export type AddrTypeOracle = (family: Family, address: bigint) => readonly AddrType[] | undefined;

/** Fixes the value of an undecided rule: true = its match holds, false = it does not, undefined = explore. */
export type AssumeFn = (ref: RuleRef, m: Match) => boolean | undefined;

export interface SimulateOptions {
  /** Fix undecided (opaque) rules instead of exploring both branches. */
  readonly assume?: AssumeFn;
  /** Most branches explored when rules are undecided (default 64). */
  readonly maxBranches?: number;
  /** The host's own addresses, for addrtype LOCAL (others are taken as unicast). */
  readonly localAddresses?: readonly Address[];
  /** A finer address-type oracle; takes precedence over `localAddresses`. */
  readonly addrTypeOf?: AddrTypeOracle;
}

export function isPolicyRef(r: RuleRef | PolicyRef): r is PolicyRef {
  return 'policy' in r;
}

/** `filter/INPUT/3`, or `filter/INPUT policy`; the family is shown for nftables-style families. */
export function formatRef(r: RuleRef | PolicyRef): string {
  const fam = r.family === 'ip' || r.family === 'ip6' ? '' : `${r.family} `;
  return isPolicyRef(r) ? `${fam}${r.table}/${r.chain} policy` : `${fam}${r.table}/${r.chain}/${r.index}`;
}
