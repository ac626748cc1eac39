/**
 * The kernel as referee: random iptables / ip6tables rulesets and boundary-biased packets, every
 * verdict, deciding rule and matched-rule list compared with fwdoctor's. CI runs the default
 * (5,000 cases, IPv4 and IPv6 alternating by seed) and requires 0 disagreements.
 *
 *   FWDOCTOR_KERNEL_CASES=N        packets to check (default 5000)
 *   FWDOCTOR_KERNEL_SEED=S|random  first ruleset seed (default 1; ruleset k uses S + k)
 *   FWDOCTOR_KERNEL_RECORD=FILE    append every kernel-answered case as JSON Lines (record.ts shape)
 */
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { describeKernel, envInt } from './kernel-env.js';
import { KernelSession } from '../../src/kernel/session.js';
import { runDifferential } from '../../src/kernel/differential.js';
import { expectKernelAgreement } from './differential-report.js';
import { formatRecord } from '../../src/kernel/record.js';
import { differentialModels } from '../../src/kernel/product-model.js';

const CASES = envInt('FWDOCTOR_KERNEL_CASES', 5000);
const SEED = process.env.FWDOCTOR_KERNEL_SEED === 'random' ? Math.floor(Math.random() * 1e9) : envInt('FWDOCTOR_KERNEL_SEED', 1);
const RECORD = process.env.FWDOCTOR_KERNEL_RECORD;

describeKernel('kernel differential: random iptables rulesets (IPv4 and IPv6)', () => {
  let session: KernelSession;
  beforeAll(async () => {
    session = await KernelSession.open({ interfaces: ['fwo1', 'fwo2', 'eth0'] });
  });
  afterAll(async () => {
    await session?.close();
  });

  it(`agrees with the kernel on ${CASES} cases (seed ${SEED})`, async () => {
    const models = await differentialModels();
    const report = await runDifferential({
      session, models, cases: CASES, seed: SEED,
      ...(RECORD ? { onCase: (r) => appendFileSync(RECORD, `${formatRecord(r)}\n`) } : {}),
    });
    expectKernelAgreement({ label: 'differential', report, models, seed: SEED, cases: CASES, reproduce: `FWDOCTOR_KERNEL_SEED=${SEED} FWDOCTOR_KERNEL_CASES=${CASES} npx vitest run test/kernel/differential.test.ts` });
  }, 900_000);
});
