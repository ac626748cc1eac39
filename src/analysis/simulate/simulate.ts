/**
 * A concrete packet through the base chains of its hook, rule by rule, as the kernel evaluates it.
 *
 * Undecided rules (opaque matches such as rate limits or `recent`, ipsets without members, addrtype
 * without the host's addresses, user-space verdicts) are explored depth-first, "does not match" /
 * "user space drops" first, up to `maxBranches` complete branches. CONVENTION for the primary
 * result: the first branch in that order whose verdict BLOCKS the packet (drop or reject); when
 * no branch blocks, the first branch (every undecided rule skipped). A user asking "why is this
 * blocked" thus always sees the path that can block it, and a packet is reported accepted only when
 * it is accepted whatever the undecided rules do. The other branches are listed in `alternatives`,
 * each with the assumptions that lead to it; `assumptions` gives the primary branch's own.
 * `opts.assume` fixes undecided rules instead (see assume.ts for the CLI form).
 */
import type { Packet } from '../../model/packet.js';
import type { Ruleset } from '../../model/ruleset.js';
import { deriveCtStateWithReason } from './ctstate.js';
import { addressTypeFromLocals } from './evaluate-match.js';
import { type PreparedRuleset, indexRuleset } from './index-ruleset.js';
import { type Branch, walkBranch } from './walk.js';
import type { AddrTypeOracle, SimulateOptions, TraceResult } from './types.js';

export const DEFAULT_MAX_BRANCHES = 64;

/** A ruleset indexed once, for tracing many packets. */
export interface Simulator {
  readonly prepared: PreparedRuleset;
  simulate(p: Packet, opts?: SimulateOptions): TraceResult;
}

export function prepare(rs: Ruleset): Simulator {
  const prepared = indexRuleset(rs);
  return { prepared, simulate: (p, opts) => simulatePrepared(prepared, p, opts ?? {}) };
}

export function simulate(rs: Ruleset, p: Packet, opts?: SimulateOptions): TraceResult {
  return prepare(rs).simulate(p, opts);
}

function oracleOf(opts: SimulateOptions): AddrTypeOracle | undefined {
  if (opts.addrTypeOf !== undefined) return opts.addrTypeOf;
  return opts.localAddresses === undefined ? undefined : addressTypeFromLocals(opts.localAddresses);
}

function isBlocked(b: Branch): boolean {
  return b.verdict !== 'accept';
}

export function simulatePrepared(prepared: PreparedRuleset, p: Packet, opts: SimulateOptions): TraceResult {
  const derived = p.ctstate === undefined ? deriveCtStateWithReason(p) : undefined;
  const ctstate = p.ctstate ?? derived?.state ?? 'new';
  const addrTypeOf = oracleOf(opts);
  const maxBranches = Math.max(1, opts.maxBranches ?? DEFAULT_MAX_BRANCHES);
  const leaves: Branch[] = [];
  // Choice vectors still to run, deepest flip on top: lexicographic order, false before true.
  const todo: boolean[][] = [[]];
  let capped = false;
  while (todo.length > 0) {
    if (leaves.length >= maxBranches) {
      capped = true;
      break;
    }
    const choices = todo.pop() as boolean[];
    const b = walkBranch({
      prepared, packet: p, ctstate, choices,
      ...(opts.assume !== undefined ? { assume: opts.assume } : {}),
      ...(addrTypeOf !== undefined ? { addrTypeOf } : {}),
    });
    leaves.push(b);
    const k = choices.length + b.freePoints;
    for (let i = choices.length; i < k; i++) todo.push([...choices, ...new Array<boolean>(i - choices.length).fill(false), true]);
  }
  const primary = leaves.find(isBlocked) ?? (leaves[0] as Branch);
  const notes: string[] = [];
  if (derived !== undefined) notes.push(`ctstate ${ctstate.toUpperCase()} derived for the first packet of a flow: ${derived.reason}`);
  notes.push(...primary.notes);
  if (leaves.length > 1) {
    const outcomes = new Set(leaves.map((l) => l.verdict));
    notes.push(outcomes.size > 1
      ? `the verdict depends on rules the packet alone cannot decide (see dependsOn); shown: the first branch that blocks the packet, ${leaves.length - 1} other branch(es) in alternatives`
      : `rules the packet alone cannot decide were met (see dependsOn), but every branch explored ends in ${primary.verdict}`);
  }
  if (capped) notes.push(`branch exploration capped at ${maxBranches} branches (maxBranches): further combinations of undecided rules were not explored`);
  return {
    verdict: primary.verdict,
    decidedBy: primary.decidedBy,
    matched: primary.matched,
    steps: primary.steps,
    ctstate,
    ctstateDerived: derived !== undefined,
    ...(primary.reject !== undefined ? { reject: primary.reject } : {}),
    notes,
    dependsOn: primary.dependsOn,
    alternatives: leaves.filter((l) => l !== primary).map((l) => ({ assumptions: l.assumptions, verdict: l.verdict, decidedBy: l.decidedBy })),
    assumptions: primary.assumptions,
    mark: primary.mark,
    connmark: primary.connmark,
  };
}
