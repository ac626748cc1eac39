import { basename } from 'node:path';
/**
 * A trace as text for a person: every rule visited, indented by call depth, the deciding rule
 * highlighted with its file:line and original text, then the verdict and what it depended on.
 */
import {
  type PolicyRef, type RuleRef, type TraceResult, type TraceStep, formatRef, isPolicyRef,
} from '../analysis/simulate/index.js';
import type { UnreachedAccept } from '../analysis/why/unreached.js';
import { sanitizeForTerminal } from '../diagnostics/code-frame.js';
import type { Packet } from '../model/packet.js';
import { formatPacket } from '../model/packet-input.js';
import type { Style } from '../cli/style.js';

export interface TraceTextOptions {
  readonly style: Style;
  /** Show every rule visited; otherwise long runs of non-matching rules are folded. */
  readonly verbose: boolean;
  /** Later rules that would have accepted the packet (src/analysis/why/unreached.ts). */
  readonly unreached?: readonly UnreachedAccept[];
}

function sameRef(a: RuleRef | PolicyRef, b: RuleRef | PolicyRef): boolean {
  if (isPolicyRef(a) !== isPolicyRef(b)) return false;
  const ai = isPolicyRef(a) ? -1 : a.index;
  const bi = isPolicyRef(b) ? -1 : b.index;
  return a.family === b.family && a.table === b.table && a.chain === b.chain && ai === bi;
}

function where(ref: RuleRef | PolicyRef): string {
  if (isPolicyRef(ref) || ref.line === undefined) return '';
  return `${ref.file ?? ''}:${ref.line}`;
}

/** file:line with the file's base name only, for the narrow rule column. */
function shortWhere(ref: RuleRef | PolicyRef): string {
  const w = where(ref);
  return w === '' ? '' : basename(w);
}

function verdictWord(v: string, s: Style): string {
  const w = v.toUpperCase();
  return v === 'accept' ? s.green(s.bold(w)) : s.red(s.bold(w));
}

function chainHeader(step: TraceStep): string {
  const r = step.ref;
  const fam = r.family === 'ip' || r.family === 'ip6' ? '' : `${r.family} `;
  return `${fam}${r.table} ${r.chain}`;
}

function renderStep(step: TraceStep, decisive: boolean, s: Style): string {
  const pad = '  '.repeat(step.depth + 1);
  const text = sanitizeForTerminal(step.text);
  if (isPolicyRef(step.ref)) {
    const line = `${pad}${s.dim('policy')} ${step.action ?? ''}`;
    return decisive ? s.bold(`${line}   ◀ decided`) : line;
  }
  const idx = `#${step.ref.index}`.padStart(4);
  const loc = s.dim(shortWhere(step.ref));
  let mark: string;
  let tail = '';
  switch (step.result) {
    case 'match':
      mark = decisive ? s.bold('▶') : s.green('✓');
      tail = step.action ? ` → ${step.action}` : '';
      break;
    case 'no-match':
      mark = s.dim('·');
      tail = step.why ? s.dim(`   ✗ ${sanitizeForTerminal(step.why)}`) : '';
      break;
    case 'unknown':
      mark = s.yellow('?');
      tail = s.yellow(`   ? ${sanitizeForTerminal(step.why ?? 'undecided')}${step.assumed === undefined ? '' : `; assumed ${step.assumed ? 'to match' : 'not to match'}`}`);
      break;
  }
  const body = `${pad}${mark} ${idx} ${loc} ${decisive ? s.bold(text) : text}${tail}`;
  return decisive ? `${body}${s.bold('   ◀ decided')}` : body;
}

const FOLD_AT = 8;
const FOLD_KEEP_HEAD = 3;
const FOLD_KEEP_TAIL = 2;

function isDecisive(step: TraceStep, r: TraceResult): boolean {
  return sameRef(step.ref, r.decidedBy) && (isPolicyRef(step.ref) || step.result === 'match');
}

function isQuietStep(step: TraceStep, r: TraceResult, header: string): boolean {
  return step.result === 'no-match' && chainHeader(step) === header && !isDecisive(step, r);
}

/** Renders one packet's trace. */
export function renderTrace(packet: Packet, r: TraceResult, o: TraceTextOptions): string {
  const s = o.style;
  const out: string[] = [];
  out.push(`${s.bold('packet ')} ${formatPacket(packet)}`);
  const ct = r.ctstateDerived ? `${r.ctstate.toUpperCase()} (derived: first packet of a flow, empty conntrack table)` : r.ctstate.toUpperCase();
  out.push(`${s.dim('        hook')} ${packet.hook}${s.dim(' · ctstate')} ${ct}`);
  out.push('');
  let lastChain = '';
  const steps = r.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as TraceStep;
    const header = chainHeader(step);
    if (header !== lastChain) {
      out.push(`${'  '.repeat(step.depth)}${s.cyan(header)}`);
      lastChain = header;
    }
    if (!o.verbose) {
      // Fold a long run of non-matching rules: keep the first and the last few.
      let j = i;
      while (j < steps.length && isQuietStep(steps[j] as TraceStep, r, header)) j++;
      const run = j - i;
      if (run > FOLD_AT) {
        for (let k = i; k < i + FOLD_KEEP_HEAD; k++) out.push(renderStep(steps[k] as TraceStep, false, s));
        out.push(s.dim(`${'  '.repeat(step.depth + 1)}  … ${run - FOLD_KEEP_HEAD - FOLD_KEEP_TAIL} more rules did not match (--all shows them)`));
        for (let k = j - FOLD_KEEP_TAIL; k < j; k++) out.push(renderStep(steps[k] as TraceStep, false, s));
        i = j - 1;
        continue;
      }
    }
    out.push(renderStep(step, isDecisive(step, r), s));
  }
  out.push('');
  const by = r.decidedBy.table === '' ? `no base chain on hook ${packet.hook} for this family (netfilter lets it pass)` : isPolicyRef(r.decidedBy) ? `the policy of ${formatRef(r.decidedBy)}` : `${formatRef(r.decidedBy)}${where(r.decidedBy) ? ` at ${where(r.decidedBy)}` : ''}`;
  const rej = r.reject ? ` with ${r.reject.name}` : '';
  out.push(`${s.bold('verdict')} ${verdictWord(r.verdict, s)}${rej} — decided by ${by}`);
  const decisiveStep = r.steps.find((st) => sameRef(st.ref, r.decidedBy));
  if (decisiveStep && !isPolicyRef(r.decidedBy)) out.push(`        ${sanitizeForTerminal(decisiveStep.text)}`);
  for (const u of o.unreached ?? []) {
    out.push('');
    out.push(s.yellow(`${s.bold('never reached')} ${formatRef(u.ref)}${where(u.ref) ? ` at ${where(u.ref)}` : ''} would ACCEPT this packet:`));
    out.push(s.yellow(`        ${sanitizeForTerminal(u.text)}`));
    out.push(s.yellow(`        but ${formatRef(u.lastVisited)}${where(u.lastVisited) ? ` (${where(u.lastVisited)})` : ''} comes first in ${u.ref.chain} and the packet never gets further.`));
    out.push(s.dim(`        Move the ACCEPT above rule ${u.lastVisited.index} of ${u.ref.chain}, or narrow that rule.`));
  }
  if (r.dependsOn.length > 0) {
    const same = r.alternatives.every((a) => a.verdict === r.verdict);
    out.push('');
    const n = r.dependsOn.length;
    out.push(s.yellow(same
      ? `${n} rule(s) on the path cannot be evaluated offline; the verdict is ${r.verdict.toUpperCase()} either way:`
      : `This verdict depends on ${n} rule(s) fwdoctor cannot evaluate offline:`));
    for (const d of r.dependsOn) out.push(s.yellow(`  ${formatRef(d.ref)}${where(d.ref) ? ` (${where(d.ref)})` : ''}: ${sanitizeForTerminal(d.reason)}`));
    if (!same) {
      for (const a of r.alternatives) {
        const as = a.assumptions.map((x) => `${formatRef(x.ref)} ${x.matched ? 'matches' : 'does not match'}`).join(', ');
        out.push(s.yellow(`  if ${as || 'nothing else changes'}: ${a.verdict.toUpperCase()} by ${formatRef(a.decidedBy)}`));
      }
      out.push(s.dim('  Fix their value with --assume, e.g. --assume opaque=match or --assume filter/INPUT/4=nomatch.'));
    }
  }
  for (const n of r.notes) out.push(s.dim(`note: ${sanitizeForTerminal(n)}`));
  return out.join('\n');
}
