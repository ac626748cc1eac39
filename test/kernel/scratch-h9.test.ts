import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { KernelSession } from '../../src/kernel/session.js';
import { productModel } from '../../src/kernel/product-model.js';
import { compareOutcomes, formatDifferences } from '../../src/kernel/compare.js';
import { packetFromJson } from '../../src/model/packet-input.js';

it('scratch', async () => {
  const s = await KernelSession.open({ interfaces: ['fwo1', 'fwo2', 'eth0'] });
  try {
    const text = readFileSync(process.env.RS as string, 'utf8');
    const err = await s.load(text, 'nftables');
    if (err) { console.log('LOAD', err); return; }
    const m = productModel().load({ text, dialect: 'nftables' });
    if ('errors' in m) { console.log('MODEL', m.errors); return; }
    const pk = readFileSync(process.env.PK as string, 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
      const r = packetFromJson(JSON.parse(l));
      if (!('packet' in r)) throw new Error(JSON.stringify(r));
      return r.packet;
    });
    const obs = await s.observe(pk);
    for (const [i, o] of obs.entries()) {
      if (!o.ok) { console.log(i, 'NOT', o.reason, o.events); continue; }
      const mo = m.simulate(pk[i]!);
      const d = compareOutcomes(o.outcome, mo);
      console.log(i, d.length ? 'DIFF ' + formatDifferences(d) : 'ok', o.outcome.verdict, JSON.stringify(o.outcome.decidedBy), o.outcome.matched.map((r) => `${r.chain}/${r.index}`).join(','));
    }
    console.log(await s.checkCounters());
  } finally { await s.close(); }
});
