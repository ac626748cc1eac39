/**
 * Every generated nftables ruleset (with its iptables-nft companion table, when it has one) must be
 * one nft 1.0.6 and iptables-restore accept, and the product must read it without an error — the
 * generator's text as well as the kernel's own `nft -j` listing of it.
 */
import { expect, it } from 'vitest';
import { describeKernel, envInt, suiteSession } from './kernel-env.js';
import { nftCaseLoad, sampleNftCase } from '../../src/kernel/gen-nft-case.js';
import { displayText } from '../../src/kernel/differential.js';
import { loadMixed, nativeListing } from '../../src/kernel/product-model.js';

const COUNT = envInt('FWDOCTOR_KERNEL_NFT_GEN_CHECKS', 120);

describeKernel('generated nftables rulesets', () => {
  const session = suiteSession({ interfaces: ['fwo1', 'fwo2', 'eth0'] });

  it(`load in the kernel and in fwdoctor (${COUNT} seeds, ip / ip6 / inet, some with an iptables-nft table)`, async () => {
    const problems: string[] = [];
    let companions = 0;
    for (let seed = 1; seed <= COUNT; seed++) {
      const c = sampleNftCase(seed, { packets: 1, interfaces: session().interfaces });
      const load = nftCaseLoad(c.ruleset);
      if (load.companion) companions++;
      const err = await session().load(load.text, load.dialect, load.companion);
      if (err !== undefined) {
        problems.push(`seed ${seed}: kernel refused:\n${err}\n${displayText(load)}`);
        continue;
      }
      const fromText = loadMixed(load.text, load.companion, `seed${seed}.nft`);
      if (fromText.errors.length > 0) problems.push(`seed ${seed}: fwdoctor refused the text: ${fromText.errors.join('; ')}\n${displayText(load)}`);
      const fromJson = loadMixed(nativeListing(await session().listJson(), load.companion), load.companion, `seed${seed}.json`);
      if (fromJson.errors.length > 0) problems.push(`seed ${seed}: fwdoctor refused the kernel's nft -j listing: ${fromJson.errors.join('; ')}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(companions).toBeGreaterThan(COUNT / 10);
  }, 300_000);
});
