/** The report and assertions shared by the random differential suites (iptables and nftables). */
import { expect } from 'vitest';
import { type DifferentialReport, formatCoverage, formatDisagreement } from '../../src/kernel/differential.js';
import type { ModelUnderTest } from '../../src/kernel/model.js';

export interface DifferentialRun {
  readonly label: string;
  readonly report: DifferentialReport;
  readonly models: readonly ModelUnderTest[];
  readonly seed: number;
  readonly cases: number;
  /** The command line that replays this run. */
  readonly reproduce: string;
}

/** Prints the summary, coverage and every disagreement, then requires 0 disagreements. */
export function expectKernelAgreement(run: DifferentialRun): void {
  const { report, models, seed, cases, reproduce } = run;
  const rate = report.cases / (report.elapsedMs / 1000);
  console.log(`[kernel] ${run.label}: ${report.agreed}/${report.cases} cases agree over ${report.rulesets} rulesets `
    + `(models: ${models.map((m) => m.name).join(' | ')}) in ${(report.elapsedMs / 1000).toFixed(1)} s, ${rate.toFixed(0)} cases/s, seed ${seed}`);
  console.log(`[kernel] coverage: ${formatCoverage(report.coverage, report.cases)}`);
  for (const d of report.disagreements) console.log(formatDisagreement(d, reproduce));
  expect(report.harnessProblems.slice(0, 5)).toEqual([]);
  expect(report.modelErrors.slice(0, 3)).toEqual([]);
  expect(report.disagreements.map((d) => formatDisagreement(d, reproduce))).toEqual([]);
  expect(report.cases).toBeGreaterThanOrEqual(cases * 0.99);
}
