/**
 * The kernel as referee: random iptables / ip6tables rulesets and boundary-biased packets, every
 * verdict, deciding rule and matched-rule list compared with fwdoctor's. CI runs the default
 * (5,000 cases, IPv4 and IPv6 alternating by seed) and requires 0 disagreements.
 *
 *   FWDOCTOR_KERNEL_CASES=N        packets to check (default 5000)
 *   FWDOCTOR_KERNEL_SEED=S|random  first ruleset seed (default 1; ruleset k uses S + k)
 *   FWDOCTOR_KERNEL_RECORD=FILE    append every kernel-answered case as JSON Lines (record.ts shape)
 */
import { describeDifferential } from './differential-report.js';
import { envInt } from './kernel-env.js';
import { differentialModels } from '../../src/kernel/product-model.js';

const CASES = envInt('FWDOCTOR_KERNEL_CASES', 5000);
const SEED = process.env.FWDOCTOR_KERNEL_SEED === 'random' ? Math.floor(Math.random() * 1e9) : envInt('FWDOCTOR_KERNEL_SEED', 1);

describeDifferential({
  title: 'kernel differential: random iptables rulesets (IPv4 and IPv6)',
  label: 'differential',
  cases: CASES,
  seed: SEED,
  record: process.env.FWDOCTOR_KERNEL_RECORD,
  models: differentialModels,
  reproduce: `FWDOCTOR_KERNEL_SEED=${SEED} FWDOCTOR_KERNEL_CASES=${CASES} npx vitest run test/kernel/differential.test.ts`,
});
