import { it } from 'vitest';
import { sampleNftCase, nftCaseLoad } from '../../src/kernel/gen-nft-case.js';
import { displayText } from '../../src/kernel/differential.js';
import { packetToJson } from '../../src/model/packet-input.js';

it('sample', () => {
  for (const seed of [1, 2, 3]) {
    const c = sampleNftCase(seed, { packets: 4, interfaces: ['fwo1', 'fwo2', 'eth0'] });
    console.log(`--- seed ${seed}\n${displayText(nftCaseLoad(c.ruleset))}`);
    for (const p of c.packets) console.log(JSON.stringify(packetToJson(p)));
  }
});
