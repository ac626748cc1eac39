/**
 * Kernel versus model, field by field: the verdict, the rule or policy that decided, and the
 * sequence of rules whose match held (evaluation order, repeats included — both sides produce it).
 */
import type { ModelOutcome } from './model.js';
import { formatAnyRef } from './model.js';
import type { KernelOutcome } from './observe.js';

export interface Difference {
  readonly field: 'verdict' | 'decidedBy' | 'matched' | 'undecided';
  readonly kernel: string;
  readonly model: string;
}

function refKey(r: { family: string; table: string; chain: string; index?: number; policy?: true }): string {
  return formatAnyRef(r);
}

export function compareOutcomes(k: KernelOutcome, m: ModelOutcome): Difference[] {
  const out: Difference[] = [];
  if (m.undecided !== undefined) out.push({ field: 'undecided', kernel: k.verdict, model: m.undecided });
  if (k.verdict !== m.verdict) out.push({ field: 'verdict', kernel: k.verdict, model: m.verdict });
  const kd = refKey(k.decidedBy);
  const md = refKey(m.decidedBy);
  if (kd !== md) out.push({ field: 'decidedBy', kernel: kd, model: md });
  const km = k.matched.map(refKey).join(', ');
  const mm = m.matched.map(refKey).join(', ');
  if (km !== mm) out.push({ field: 'matched', kernel: `[${km}]`, model: `[${mm}]` });
  return out;
}

export function formatDifferences(ds: readonly Difference[]): string {
  return ds.map((d) => `${d.field}: kernel ${d.kernel}, fwdoctor ${d.model}`).join('; ');
}
