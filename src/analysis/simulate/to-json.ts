/**
 * The trace-result JSON of DESIGN.md ("Machine-readable contracts"):
 * {"verdict","decidedBy":{"family","table","chain","index","line"} | {"family","table","chain","policy":true},
 *  "matched":[{"family","table","chain","index"}…],"trace":[…]} plus the simulator's extra fields.
 */
import type { PolicyRef, RuleRef, TraceResult, TraceStep } from './types.js';
import { isPolicyRef } from './types.js';

export type RefJson = Record<string, string | number | boolean>;

export function refToJson(r: RuleRef | PolicyRef, withLine = true): RefJson {
  if (isPolicyRef(r)) return { family: r.family, table: r.table, chain: r.chain, policy: true };
  const out: RefJson = { family: r.family, table: r.table, chain: r.chain, index: r.index };
  if (withLine && r.line !== undefined) out.line = r.line;
  if (withLine && r.file !== undefined) out.file = r.file;
  if (r.handle !== undefined) out.handle = r.handle;
  return out;
}

function stepToJson(s: TraceStep): Record<string, unknown> {
  const out: Record<string, unknown> = { ...refToJson(s.ref), depth: s.depth, result: s.result };
  if (s.why !== undefined) out.why = s.why;
  if (s.action !== undefined) out.action = s.action;
  if (s.assumed !== undefined) out.assumed = s.assumed;
  out.text = s.text;
  return out;
}

export function toJson(r: TraceResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    verdict: r.verdict,
    decidedBy: refToJson(r.decidedBy),
    matched: r.matched.map((m) => refToJson(m, false)),
    trace: r.steps.map(stepToJson),
    ctstate: r.ctstate,
    ctstateDerived: r.ctstateDerived,
  };
  if (r.reject !== undefined) out.reject = { ...r.reject };
  if (r.notes.length > 0) out.notes = [...r.notes];
  if (r.dependsOn.length > 0) out.dependsOn = r.dependsOn.map((d) => ({ rule: refToJson(d.ref), reason: d.reason }));
  const assumption = (a: TraceResult['assumptions'][number]): Record<string, unknown> => ({
    rule: refToJson(a.ref, false), matched: a.matched,
    ...(a.accepted !== undefined ? { accepted: a.accepted } : {}),
    ...(a.case !== undefined ? { case: a.case } : {}),
  });
  if (r.assumptions.length > 0) out.assumptions = r.assumptions.map(assumption);
  if (r.alternatives.length > 0) {
    out.alternatives = r.alternatives.map((a) => ({
      assumptions: a.assumptions.map(assumption), verdict: a.verdict, decidedBy: refToJson(a.decidedBy),
    }));
  }
  if (r.mark !== 0) out.mark = r.mark;
  if (r.connmark !== 0) out.connmark = r.connmark;
  return out;
}
