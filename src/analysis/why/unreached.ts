/**
 * "An ACCEPT for this packet exists but is never reached": after a blocked trace, the rules that come
 * later in a chain the packet walked, whose match holds for the packet and whose action accepts it.
 * This is the field guide's "DROP rule before ALLOW rule" in one concrete case.
 */
import { effectiveCtStatus } from '../simulate/ctstate.js';
import { evaluateMatch } from '../simulate/evaluate-match.js';
import type { PreparedRuleset } from '../simulate/index-ruleset.js';
import { type PolicyRef, type RuleRef, type TraceResult, isPolicyRef } from '../simulate/types.js';
import type { Packet } from '../../model/packet.js';

export interface UnreachedAccept {
  /** The rule that would accept the packet. */
  readonly ref: RuleRef;
  readonly text: string;
  /** The rule (or policy) that decided first. */
  readonly blockedBy: RuleRef | PolicyRef;
  /** The last rule the packet reached in that chain before leaving it. */
  readonly lastVisited: RuleRef;
}

function key(r: { family: string; table: string; chain: string }): string {
  return `${r.family}\u0000${r.table}\u0000${r.chain}`;
}

export function findUnreachedAccepts(prepared: PreparedRuleset, packet: Packet, result: TraceResult): UnreachedAccept[] {
  if (result.verdict === 'accept') return [];
  const lastSeen = new Map<string, RuleRef>();
  for (const s of result.steps) if (!isPolicyRef(s.ref)) lastSeen.set(key(s.ref), s.ref);
  const out: UnreachedAccept[] = [];
  const ctx = {
    ctstate: result.ctstate,
    ctstatus: effectiveCtStatus(packet, result.ctstate),
    mark: packet.mark,
    connmark: packet.connmark,
  };
  for (const table of prepared.ruleset.tables) {
    for (const chain of table.chains) {
      const last = lastSeen.get(key({ family: table.family, table: table.name, chain: chain.name }));
      if (last === undefined) continue;
      const pc = prepared.findChain(table, chain.name);
      if (pc === undefined) continue;
      for (const pr of pc.rules.slice(last.index)) {
        if (pr.rule.action.kind !== 'accept') continue;
        if (evaluateMatch(pr.rule.match, packet, ctx) !== true) continue;
        out.push({ ref: pr.ref, text: pr.rule.origin.text, blockedBy: result.decidedBy, lastVisited: last });
      }
    }
  }
  return out;
}
