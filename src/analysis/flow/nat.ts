/**
 * nat chains: evaluated only for the first packet of a connection (NEW, tracked). The first
 * translation decides; `accept` (or the end of the chain with policy accept) means "no
 * translation". Later packets and replies reuse the binding kept in the connection (conntrack.ts).
 */
import type { Action, NatTarget } from '../../model/action.js';
import { assertNever } from '../../model/assert-never.js';
import type { Packet } from '../../model/packet.js';
import type { Chain, Hook, Table } from '../../model/ruleset.js';
import { evaluateMatch, explainMismatch, type MatchContext, type TraceStep, type RuleRef } from '../simulate/index.js';
import type { NatChainRef } from './segments.js';

export interface NatDecision {
  /** What the chain decided: a translation, none, or a drop. */
  readonly kind: 'translate' | 'none' | 'drop';
  readonly target?: NatTarget;
  readonly by?: RuleRef;
  readonly steps: readonly TraceStep[];
  readonly notes: readonly string[];
}

function refOf(table: Table, chain: Chain, index: number): RuleRef {
  const rule = chain.rules[index - 1];
  return {
    family: table.family, table: table.name, chain: chain.name, index,
    ...(rule !== undefined && rule.origin.line > 0 ? { line: rule.origin.line, file: rule.origin.file } : {}),
  };
}

function actionText(a: Action): string {
  switch (a.kind) {
    case 'nat': {
      const t = a.nat;
      return t.type.toUpperCase();
    }
    case 'jump': case 'goto': return `${a.kind} ${a.chain}`;
    default: return a.kind.toUpperCase();
  }
}

/** Which translations belong to which hook: destination NAT before routing, source NAT after. */
export function natFitsHook(type: NatTarget['type'], hook: Hook): boolean {
  const dst = type === 'dnat' || type === 'redirect' || type === 'netmap';
  const srcSide = type === 'snat' || type === 'masquerade' || type === 'netmap';
  return hook === 'prerouting' || hook === 'output' ? dst : hook === 'postrouting' || hook === 'input' ? srcSide : false;
}

/** Runs the nat base chains given (one priority) for a packet; the first translation ends them all. */
export function evaluateNat(chains: readonly NatChainRef[], packet: Packet, ctx: MatchContext, findChain: (t: Table, name: string) => Chain | undefined): NatDecision {
  const steps: TraceStep[] = [];
  const notes: string[] = [];
  for (const base of chains) {
    const r = walk(base.table, base.chain, packet, ctx, findChain, steps, notes, 0);
    if (r.kind === 'translate' || r.kind === 'drop') return { ...r, steps, notes };
    if ((r.kind === 'end' || r.kind === 'return') && base.chain.base?.policy === 'drop') {
      steps.push({ ref: { family: base.table.family, table: base.table.name, chain: base.chain.name, policy: true }, depth: 0, result: 'match', action: 'policy drop', text: base.chain.origin.text });
      return { kind: 'drop', steps, notes };
    }
  }
  return { kind: 'none', steps, notes };
}

type WalkEnd = { kind: 'translate'; target: NatTarget; by: RuleRef } | { kind: 'drop'; by: RuleRef } | { kind: 'accept' } | { kind: 'end' } | { kind: 'return' };

function walk(table: Table, chain: Chain, p: Packet, ctx: MatchContext, findChain: (t: Table, n: string) => Chain | undefined, steps: TraceStep[], notes: string[], depth: number): WalkEnd {
  if (depth > 64) {
    notes.push(`nat: jumps nest deeper than 64 in ${table.name}/${chain.name}; evaluation stopped`);
    return { kind: 'accept' };
  }
  for (let i = 0; i < chain.rules.length; i++) {
    const rule = chain.rules[i];
    if (rule === undefined) continue;
    const ref = refOf(table, chain, i + 1);
    const m = evaluateMatch(rule.match, p, ctx);
    if (m === false) {
      const why = explainMismatch(rule.match, p, ctx);
      steps.push({ ref, depth, result: 'no-match', text: rule.origin.text, ...(why !== undefined ? { why } : {}) });
      continue;
    }
    if (m === 'unknown') {
      steps.push({ ref, depth, result: 'unknown', why: 'cannot be decided offline; taken not to match in a nat chain', assumed: false, text: rule.origin.text });
      notes.push(`nat ${table.name}/${chain.name}/${i + 1}: undecided match taken not to match`);
      continue;
    }
    const a = rule.action;
    steps.push({ ref, depth, result: 'match', action: actionText(a), text: rule.origin.text });
    switch (a.kind) {
      case 'nat': return { kind: 'translate', target: a.nat, by: ref };
      case 'accept': return { kind: 'accept' };
      case 'drop': case 'reject': return { kind: 'drop', by: ref };
      case 'return': return { kind: 'return' };
      case 'continue': continue;
      case 'jump': case 'goto': {
        const target = findChain(table, a.chain);
        if (target === undefined) {
          notes.push(`nat: ${a.kind} to unknown chain ${a.chain} ignored`);
          continue;
        }
        const r = walk(table, target, p, ctx, findChain, steps, notes, depth + 1);
        if (r.kind === 'return' || r.kind === 'end') {
          if (a.kind === 'goto') return { kind: 'return' };
          continue;
        }
        return r;
      }
      case 'queue': case 'opaque': case 'dispatch':
        notes.push(`nat ${table.name}/${chain.name}/${i + 1}: ${a.kind} action not evaluated in a nat chain; evaluation continues`);
        continue;
      default: return assertNever(a);
    }
  }
  return { kind: 'end' };
}
