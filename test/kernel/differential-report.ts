/** The suite, report and assertions shared by the random differential suites (iptables and nftables). */
import { appendFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { type DifferentialOptions, type DifferentialReport, formatCoverage, formatDisagreement, runDifferential } from '../../src/kernel/differential.js';
import type { ModelUnderTest } from '../../src/kernel/model.js';
import { formatRecord } from '../../src/kernel/record.js';
import { describeKernel, suiteSession } from './kernel-env.js';

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

export interface DifferentialSuite<R> {
  readonly title: string;
  readonly label: string;
  readonly cases: number;
  readonly seed: number;
  /** Append every kernel-answered case to this file (JSON Lines), when set. */
  readonly record: string | undefined;
  readonly models: () => readonly ModelUnderTest[] | Promise<readonly ModelUnderTest[]>;
  readonly source?: DifferentialOptions<R>['source'];
  readonly reproduce: string;
}

/** One kernel session, `cases` random cases from `seed`, and 0 disagreements required. */
export function describeDifferential<R>(suite: DifferentialSuite<R>): void {
  describeKernel(suite.title, () => {
    const session = suiteSession({ interfaces: ['fwo1', 'fwo2', 'eth0'] });

    it(`agrees with the kernel on ${suite.cases} cases (seed ${suite.seed})`, async () => {
      const models = await suite.models();
      const { record } = suite;
      const report = await runDifferential<R>({
        session: session(), models, cases: suite.cases, seed: suite.seed,
        ...(suite.source !== undefined ? { source: suite.source } : {}),
        ...(record !== undefined && record !== '' ? { onCase: (r) => appendFileSync(record, `${formatRecord(r)}\n`) } : {}),
      });
      expectKernelAgreement({ label: suite.label, report, models, seed: suite.seed, cases: suite.cases, reproduce: suite.reproduce });
    }, 900_000);
  });
}
