/**
 * Replays cases recorded from the Linux kernel (../shared/corpus/kernel/*.jsonl): each case is a
 * ruleset, the first packet of a flow (empty conntrack table, arriving on `fwo1`, hook input) and
 * what the kernel did. The simulator must agree on the verdict, the deciding rule (or policy) and
 * every rule whose counter moved, in order.
 */
import { readFileSync } from 'node:fs';
import { hasErrors } from '../../src/diagnostics/diagnostic.js';
import { loadIptables, type IpFamily } from '../../src/dialects/iptables/index.js';
import { packetFromJson } from '../../src/model/packet-input.js';
import { prepare, type Simulator } from '../../src/analysis/simulate/index.js';
import { isPolicyRef, type TraceResult } from '../../src/analysis/simulate/types.js';

export interface KernelCase {
  readonly id: string;
  readonly dialect: string;
  readonly ruleset: string;
  readonly packet: Record<string, unknown>;
  readonly kernel: {
    readonly verdict: string;
    readonly terminal: { readonly chain: string; readonly index?: number; readonly policy?: boolean };
    readonly matched: readonly (readonly [string, number])[];
  };
}

export interface Outcome {
  readonly verdict: string;
  readonly terminal: { readonly chain: string; readonly index?: number; readonly policy?: boolean };
  readonly matched: readonly (readonly [string, number])[];
}

export interface Disagreement {
  readonly id: string;
  readonly kernel: Outcome;
  readonly simulated?: Outcome;
  readonly problem: string;
  readonly context: string;
}

export function readCases(path: string): KernelCase[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as KernelCase);
}

function outcomeOf(r: TraceResult): Outcome {
  const d = r.decidedBy;
  return {
    verdict: r.verdict,
    terminal: isPolicyRef(d) ? { chain: d.chain, policy: true } : { chain: d.chain, index: d.index },
    matched: r.matched.map((m) => [m.chain, m.index] as const),
  };
}

function describeTrace(r: TraceResult): string {
  return r.steps.map((s) => {
    const where = isPolicyRef(s.ref) ? `${s.ref.chain} policy` : `${s.ref.chain}/${s.ref.index}`;
    return `    ${'  '.repeat(s.depth)}${where} ${s.result}${s.why !== undefined ? ` (${s.why})` : ''}${s.action !== undefined ? ` → ${s.action}` : ''}`;
  }).join('\n');
}

/** Replays every case; returns the disagreements (empty when the simulator agrees with the kernel). */
export function replay(cases: readonly KernelCase[], family: IpFamily): { disagreements: Disagreement[]; compared: number } {
  const sims = new Map<string, Simulator | string>();
  const disagreements: Disagreement[] = [];
  for (const c of cases) {
    let sim = sims.get(c.ruleset);
    if (sim === undefined) {
      const loaded = loadIptables(c.ruleset, `${c.id}.rules`, { family });
      sim = hasErrors(loaded.diagnostics)
        ? loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span?.start.line ?? '?'}: ${d.code} ${d.message}`).join('; ')
        : prepare(loaded.ruleset);
      sims.set(c.ruleset, sim);
    }
    const kernel: Outcome = c.kernel;
    if (typeof sim === 'string') {
      disagreements.push({ id: c.id, kernel, problem: `the iptables dialect rejects the ruleset: ${sim}`, context: c.ruleset });
      continue;
    }
    const pr = packetFromJson({ ...c.packet, hook: 'input' });
    if (pr.packet === undefined) {
      disagreements.push({ id: c.id, kernel, problem: `bad packet: ${pr.errors.join('; ')}`, context: JSON.stringify(c.packet) });
      continue;
    }
    const r = sim.simulate(pr.packet);
    const simulated = outcomeOf(r);
    if (JSON.stringify(simulated) !== JSON.stringify({ verdict: kernel.verdict, terminal: kernel.terminal, matched: kernel.matched })) {
      disagreements.push({
        id: c.id, kernel, simulated, problem: 'verdict, deciding rule or matched rules differ',
        context: `${c.ruleset}packet ${JSON.stringify(c.packet)} (ctstate ${r.ctstate}${r.ctstateDerived ? ', derived' : ''})\n  trace:\n${describeTrace(r)}`,
      });
    }
  }
  return { disagreements, compared: cases.length };
}

export function formatDisagreements(ds: readonly Disagreement[], max = 3): string {
  return ds.slice(0, max).map((d) => [
    `case ${d.id}: ${d.problem}`,
    `  kernel:    ${JSON.stringify(d.kernel)}`,
    ...(d.simulated !== undefined ? [`  simulated: ${JSON.stringify(d.simulated)}`] : []),
    d.context,
  ].join('\n')).join('\n\n');
}
