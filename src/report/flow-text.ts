/**
 * A flow for a person: the outcome first, then each packet (forward, then the answer) stage by
 * stage through every layer: hooks with the rules that matched (all rules visited with `verbose`),
 * NAT with the translated tuple, routing, socket and TCP wrappers decisions.
 */
import { type TraceStep, formatRef, isPolicyRef } from '../analysis/simulate/index.js';
import type { FlowResult, PacketJourney, Stage } from '../analysis/flow/types.js';
import { sanitizeForTerminal } from '../diagnostics/code-frame.js';
import { formatPacket } from '../model/packet-input.js';
import type { Style } from '../cli/style.js';

export interface FlowTextOptions {
  readonly style: Style;
  readonly verbose: boolean;
}

function outcomeWord(r: FlowResult, s: Style): string {
  const w = r.outcome.toUpperCase();
  return r.outcome === 'open' ? s.green(s.bold(w)) : s.red(s.bold(w));
}

function stepLine(st: TraceStep, s: Style): string {
  const pad = '  '.repeat(st.depth + 5);
  const where = isPolicyRef(st.ref) ? '' : st.ref.line !== undefined ? s.dim(` ${st.ref.file?.split('/').pop() ?? ''}:${st.ref.line}`) : '';
  if (isPolicyRef(st.ref)) return `${pad}${s.dim(`${formatRef(st.ref)}:`)} ${st.action ?? 'policy'}`;
  const mark = st.result === 'match' ? s.green('✓') : st.result === 'unknown' ? s.yellow('?') : s.dim('·');
  const tail = st.result === 'match' ? ` → ${st.action ?? ''}` : st.why !== undefined ? s.dim(`   ✗ ${sanitizeForTerminal(st.why)}`) : '';
  return `${pad}${mark} ${formatRef(st.ref)}${where} ${sanitizeForTerminal(st.text)}${tail}`;
}

function renderStage(st: Stage, o: FlowTextOptions): string[] {
  const s = o.style;
  const bad = st.result === 'drop' || st.result === 'reject' || st.result === 'no-route';
  const head = `    ${s.cyan(st.layer.padEnd(10))} ${st.stage.padEnd(11)} ${bad ? s.red(sanitizeForTerminal(st.summary)) : sanitizeForTerminal(st.summary)}`;
  const out = [head];
  for (const t of st.traces) {
    for (const step of t.steps) {
      const decisive = bad && step.result === 'match' && formatRef(step.ref) === formatRef(t.decidedBy);
      if (o.verbose || step.result !== 'no-match' || decisive) out.push(stepLine(step, s));
    }
    if (!o.verbose && bad && isPolicyRef(t.decidedBy) && !t.steps.some((x) => isPolicyRef(x.ref))) out.push(`          policy of ${formatRef(t.decidedBy)}`);
  }
  for (const step of st.natSteps) if (o.verbose || step.result !== 'no-match') out.push(stepLine(step, s));
  if (st.nat !== undefined) out.push(s.magenta(`          ${st.nat.type}: ${formatPacket(st.nat.before)}  ⇒  ${formatPacket(st.nat.after)}`));
  if (st.evidence !== undefined) out.push(s.dim(`          ${st.evidence.file}:${st.evidence.line}: ${sanitizeForTerminal(st.evidence.text)}`));
  for (const n of st.notes) out.push(s.dim(`          note: ${sanitizeForTerminal(n)}`));
  return out;
}

function renderJourney(j: PacketJourney, o: FlowTextOptions): string[] {
  const s = o.style;
  const arrow = j.direction === 'forward' ? '→' : '←';
  const label = j.role === 'forward' ? 'forward' : j.role === 'reply' ? 'reply' : j.role === 'reset' ? 'TCP reset' : 'ICMP error';
  const out = [`${s.bold(`${arrow} ${label}`)}  ${formatPacket(j.packet)}  ${s.dim(`from ${j.from}`)}`];
  for (const st of j.stages) out.push(...renderStage(st, o));
  out.push(s.dim(`    ${j.fate === 'arrived' ? (j.direction === 'forward' ? 'leaves the last layer' : 'reaches the client') : j.fate}`));
  return out;
}

export function renderFlow(first: string, r: FlowResult, o: FlowTextOptions): string {
  const s = o.style;
  const out: string[] = [];
  out.push(`${s.bold('flow   ')} ${first}`);
  out.push(`${s.bold('outcome')} ${outcomeWord(r, s)}${r.icmp !== undefined ? ` (ICMP type ${r.icmp.type} code ${r.icmp.code}: ${r.icmp.name})` : ''}${r.dropped !== undefined ? ` — the ${r.dropped} packet is dropped` : ''}`);
  out.push(`        ${sanitizeForTerminal(r.reason)}`);
  for (const j of r.packets) {
    out.push('');
    out.push(...renderJourney(j, o));
  }
  for (const n of r.notes) out.push(s.dim(`note: ${sanitizeForTerminal(n)}`));
  return out.join('\n');
}
