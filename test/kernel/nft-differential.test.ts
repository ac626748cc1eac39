/**
 * The kernel as referee for nftables: random rulesets of ip, ip6 and inet tables (several base
 * chains on the input hook at different priorities, regular chains, named and anonymous sets,
 * concatenations, verdict maps; some next to an iptables-nft filter table) and boundary-biased
 * packets. Every verdict, deciding rule and matched-rule list (`[family, table, chain, index]`, from
 * `nft monitor trace`) must agree with fwdoctor's, read two ways: the generated nft text (plus the
 * iptables-save text of the companion table) and the kernel's own `nft -j list ruleset`.
 *
 *   FWDOCTOR_KERNEL_NFT_CASES=N         packets to check (default: FWDOCTOR_KERNEL_CASES, else 5000)
 *   FWDOCTOR_KERNEL_NFT_SEED=S|random   first ruleset seed (default: FWDOCTOR_KERNEL_SEED, else 1)
 *   FWDOCTOR_KERNEL_NFT_RECORD=FILE     append every kernel-answered case as JSON Lines
 */
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { describeKernel, envInt } from './kernel-env.js';
import { KernelSession } from '../../src/kernel/session.js';
import { runDifferential } from '../../src/kernel/differential.js';
import { expectKernelAgreement } from './differential-report.js';
import { nftSource } from '../../src/kernel/gen-nft-case.js';
import { formatRecord } from '../../src/kernel/record.js';
import { nftDifferentialModels } from '../../src/kernel/product-model.js';

function envOr(name: string, fallback: string): string | undefined {
  const v = process.env[name];
  return v !== undefined && v !== '' ? name : (process.env[fallback] !== undefined && process.env[fallback] !== '' ? fallback : undefined);
}

const casesVar = envOr('FWDOCTOR_KERNEL_NFT_CASES', 'FWDOCTOR_KERNEL_CASES');
const CASES = casesVar ? envInt(casesVar, 5000) : 5000;
const seedVar = envOr('FWDOCTOR_KERNEL_NFT_SEED', 'FWDOCTOR_KERNEL_SEED');
const SEED = seedVar && process.env[seedVar] === 'random' ? Math.floor(Math.random() * 1e9) : seedVar ? envInt(seedVar, 1) : 1;
const RECORD = process.env.FWDOCTOR_KERNEL_NFT_RECORD;

describeKernel('kernel differential: random nftables rulesets (ip, ip6, inet; with iptables-nft tables)', () => {
  let session: KernelSession;
  beforeAll(async () => {
    session = await KernelSession.open({ interfaces: ['fwo1', 'fwo2', 'eth0'] });
  });
  afterAll(async () => {
    await session?.close();
  });

  it(`agrees with the kernel on ${CASES} cases (seed ${SEED})`, async () => {
    const models = nftDifferentialModels();
    const report = await runDifferential({
      session, models, cases: CASES, seed: SEED, source: nftSource(),
      ...(RECORD ? { onCase: (r) => appendFileSync(RECORD, `${formatRecord(r)}\n`) } : {}),
    });
    expectKernelAgreement({ label: 'nft differential', report, models, seed: SEED, cases: CASES, reproduce: `FWDOCTOR_KERNEL_NFT_SEED=${SEED} FWDOCTOR_KERNEL_NFT_CASES=${CASES} npx vitest run test/kernel/nft-differential.test.ts` });
  }, 900_000);
});
