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
import { describeDifferential } from './differential-report.js';
import { envInt } from './kernel-env.js';
import { nftSource } from '../../src/kernel/gen-nft-case.js';
import { nftDifferentialModels } from '../../src/kernel/product-model.js';

function envOr(name: string, fallback: string): string | undefined {
  const v = process.env[name];
  return v !== undefined && v !== '' ? name : (process.env[fallback] !== undefined && process.env[fallback] !== '' ? fallback : undefined);
}

const casesVar = envOr('FWDOCTOR_KERNEL_NFT_CASES', 'FWDOCTOR_KERNEL_CASES');
const CASES = casesVar ? envInt(casesVar, 5000) : 5000;
const seedVar = envOr('FWDOCTOR_KERNEL_NFT_SEED', 'FWDOCTOR_KERNEL_SEED');
const SEED = seedVar && process.env[seedVar] === 'random' ? Math.floor(Math.random() * 1e9) : seedVar ? envInt(seedVar, 1) : 1;

describeDifferential({
  title: 'kernel differential: random nftables rulesets (ip, ip6, inet; with iptables-nft tables)',
  label: 'nft differential',
  cases: CASES,
  seed: SEED,
  record: process.env.FWDOCTOR_KERNEL_NFT_RECORD,
  models: nftDifferentialModels,
  source: nftSource(),
  reproduce: `FWDOCTOR_KERNEL_NFT_SEED=${SEED} FWDOCTOR_KERNEL_NFT_CASES=${CASES} npx vitest run test/kernel/nft-differential.test.ts`,
});
