/** What a differential run exercised, from the kernel's answers: verdict mix, policies, user chains, conntrack states. */
import type { Packet } from '../model/packet.js';
import type { ModelOutcome } from './model.js';
import type { KernelOutcome } from './observe.js';

export interface Coverage {
  readonly verdicts: Record<string, number>;
  readonly decidedByPolicy: number;
  readonly decidedInUserChain: number;
  readonly withUserChainMatch: number;
  readonly matchedRules: number;
  readonly ctstates: Record<string, number>;
  readonly families: Record<string, number>;
}

export function emptyCoverage(): Coverage {
  return { verdicts: {}, decidedByPolicy: 0, decidedInUserChain: 0, withUserChainMatch: 0, matchedRules: 0, ctstates: {}, families: {} };
}

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

export function cover(c: Coverage, k: KernelOutcome, m: ModelOutcome | undefined, p: Packet): Coverage {
  bump(c.verdicts, k.verdict);
  bump(c.families, p.family);
  if (m?.trace) bump(c.ctstates, m.trace.ctstate);
  const builtin = (chain: string): boolean => chain === 'INPUT' || chain === 'FORWARD' || chain === 'OUTPUT';
  return {
    ...c,
    decidedByPolicy: c.decidedByPolicy + ('policy' in k.decidedBy ? 1 : 0),
    decidedInUserChain: c.decidedInUserChain + (!builtin(k.decidedBy.chain) ? 1 : 0),
    withUserChainMatch: c.withUserChainMatch + (k.matched.some((r) => !builtin(r.chain)) ? 1 : 0),
    matchedRules: c.matchedRules + k.matched.length,
  };
}

/** One line: verdict mix, how often policies and user chains decided, conntrack states seen. */
export function formatCoverage(c: Coverage, cases: number): string {
  const pct = (n: number): string => `${((100 * n) / Math.max(1, cases)).toFixed(0)}%`;
  const list = (r: Record<string, number>): string => Object.entries(r).sort().map(([k, v]) => `${k} ${pct(v)}`).join(', ');
  return `verdicts: ${list(c.verdicts)}; decided by a policy ${pct(c.decidedByPolicy)}, in a user chain ${pct(c.decidedInUserChain)}; `
    + `a user-chain rule matched in ${pct(c.withUserChainMatch)}; ${(c.matchedRules / Math.max(1, cases)).toFixed(2)} matched rules per packet; `
    + `ctstate: ${list(c.ctstates)}; families: ${list(c.families)}`;
}

