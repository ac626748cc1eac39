/**
 * The flow JSON of DESIGN.md: {"outcome", "forward": <trace result>, "reply": <trace result | null>, …}.
 * Each packet's trace result joins the chains of every hook it crossed, in order, every step naming
 * its `layer` and `hook`; `verdict` / `decidedBy` are the packet's fate and the rule (or policy)
 * that decided it: the blocking one, else the last one that accepted it.
 */
import { packetToJson } from '../../model/packet-input.js';
import { refToJson, toJson, type PolicyRef, type RuleRef } from '../simulate/index.js';
import type { FlowResult, PacketJourney, Stage } from './types.js';

function stageToJson(s: Stage): Record<string, unknown> {
  const out: Record<string, unknown> = { layer: s.layer, stage: s.stage, result: s.result, summary: s.summary, packet: packetToJson(s.packet) };
  if (s.nat !== undefined) {
    out.nat = { type: s.nat.type, after: packetToJson(s.nat.after), ...(s.nat.by !== undefined ? { by: refToJson(s.nat.by) } : {}) };
  }
  if (s.ref !== undefined) out.decidedBy = refToJson(s.ref);
  if (s.evidence !== undefined) out.evidence = { file: s.evidence.file, line: s.evidence.line, text: s.evidence.text };
  if (s.traces.length > 0) out.chains = s.traces.map(toJson);
  if (s.natSteps.length > 0) out.natTrace = s.natSteps.map((st) => ({ ...refToJson(st.ref), result: st.result, ...(st.action !== undefined ? { action: st.action } : {}), text: st.text }));
  if (s.notes.length > 0) out.notes = [...s.notes];
  return out;
}

export function journeyToJson(j: PacketJourney): Record<string, unknown> {
  const matched: Record<string, unknown>[] = [];
  const trace: Record<string, unknown>[] = [];
  let decidedBy: RuleRef | PolicyRef | undefined;
  for (const s of j.stages) {
    for (const t of s.traces) {
      for (const m of t.matched) matched.push({ layer: s.layer, hook: s.stage, ...refToJson(m, false) });
      for (const st of t.steps) trace.push({ layer: s.layer, hook: s.stage, ...refToJson(st.ref), result: st.result, ...(st.why !== undefined ? { why: st.why } : {}), ...(st.action !== undefined ? { action: st.action } : {}), text: st.text });
      if (t.decidedBy.table !== '') decidedBy = t.decidedBy;
    }
  }
  if (j.end?.ref !== undefined) decidedBy = j.end.ref;
  const verdict = j.fate === 'dropped' || j.fate === 'no-route' ? 'drop' : j.fate === 'rejected' ? 'reject' : 'accept';
  const layer = j.end?.layer ?? j.stages[j.stages.length - 1]?.layer ?? null;
  return {
    layer, role: j.role, from: j.from, fate: j.fate, verdict,
    decidedBy: decidedBy === undefined ? null : { ...refToJson(decidedBy), layer: j.end?.layer ?? layer },
    ...(j.end !== undefined ? { end: { layer: j.end.layer, stage: j.end.stage, summary: j.end.summary } } : {}),
    packet: packetToJson(j.packet), matched, trace, stages: j.stages.map(stageToJson),
  };
}

export function flowToJson(r: FlowResult): Record<string, unknown> {
  const [fwd, back] = r.packets;
  return {
    outcome: r.outcome,
    ...(r.dropped !== undefined ? { dropped: r.dropped } : {}),
    reason: r.reason,
    ...(r.icmp !== undefined ? { icmp: { ...r.icmp } } : {}),
    forward: fwd === undefined ? null : journeyToJson(fwd),
    reply: back === undefined ? null : journeyToJson(back),
    ...(r.notes.length > 0 ? { notes: [...r.notes] } : {}),
  };
}
