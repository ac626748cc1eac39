/**
 * Replays the nftables cases recorded from the Linux kernel (../shared/corpus/kernel/nftables-input-sample.jsonl):
 * each case is a ruleset as `nft list ruleset` prints it (several base chains on the input hook, sets,
 * verdict maps, jump/goto/return, ct state, reject…), the first packet of a flow, and what the kernel did
 * according to `nft monitor trace`. Parser + converter + simulator must agree on the verdict, the rule or
 * policy that decided, and every rule reported, in order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepare, type Simulator } from '../../src/analysis/simulate/index.js';
import { isPolicyRef, type TraceResult } from '../../src/analysis/simulate/types.js';
import { hasErrors } from '../../src/diagnostics/diagnostic.js';
import { loadNftables } from '../../src/dialects/nftables/index.js';
import { packetFromJson } from '../../src/model/packet-input.js';
import { corpusPath, corpusSkipReason, hasCorpus } from '../support/corpus.js';

interface NftKernelCase {
  readonly id: string;
  readonly ruleset: string;
  readonly packet: Record<string, unknown>;
  readonly kernel: {
    readonly verdict: string;
    readonly decidedBy: { readonly family: string; readonly table: string; readonly chain: string; readonly index?: number; readonly policy?: boolean };
    readonly matched: readonly (readonly [string, string, string, number])[];
  };
  readonly events: readonly string[];
}

type Outcome = NftKernelCase['kernel'];

function outcomeOf(r: TraceResult): Outcome {
  const d = r.decidedBy;
  return {
    verdict: r.verdict,
    decidedBy: isPolicyRef(d) ? { family: d.family, table: d.table, chain: d.chain, policy: true } : { family: d.family, table: d.table, chain: d.chain, index: d.index },
    matched: r.matched.map((m) => [m.family, m.table, m.chain, m.index] as const),
  };
}

function replay(cases: readonly NftKernelCase[]): { agree: number; disagreements: string[] } {
  const sims = new Map<string, Simulator | string>();
  const disagreements: string[] = [];
  let agree = 0;
  for (const c of cases) {
    let sim = sims.get(c.ruleset);
    if (sim === undefined) {
      const loaded = loadNftables(c.ruleset, `${c.id}.nft`, { readFile: () => undefined });
      sim = hasErrors(loaded.diagnostics) ? loaded.diagnostics.map((d) => d.message).join('; ') : prepare(loaded.ruleset);
      sims.set(c.ruleset, sim);
    }
    const p = packetFromJson(c.packet);
    const problem = typeof sim === 'string' ? `ruleset does not load: ${sim}` : p.packet === undefined ? `packet: ${p.errors.join('; ')}` : undefined;
    const got = typeof sim !== 'string' && p.packet ? outcomeOf(sim.simulate(p.packet)) : undefined;
    if (got && JSON.stringify(got) === JSON.stringify(c.kernel)) {
      agree++;
      continue;
    }
    disagreements.push(`${c.id}: ${problem ?? 'outcome differs'}\n  packet    ${JSON.stringify(c.packet)}\n  kernel    ${JSON.stringify(c.kernel)}\n  simulated ${JSON.stringify(got)}\n  trace     ${c.events.join(' | ')}`);
  }
  return { agree, disagreements };
}

describe.skipIf(!hasCorpus)(`nftables: parser + simulator agree with the kernel${hasCorpus ? '' : ` (${corpusSkipReason})`}`, () => {
  it('on every recorded case of kernel/nftables-input-sample.jsonl', () => {
    const path = corpusPath('kernel/nftables-input-sample.jsonl');
    expect(path, 'corpus file kernel/nftables-input-sample.jsonl').toBeDefined();
    const cases = readFileSync(path as string, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as NftKernelCase);
    expect(cases.length).toBe(880);
    const { agree, disagreements } = replay(cases);
    console.info(`nftables kernel corpus: ${agree}/${cases.length} cases agree`);
    expect(disagreements.length, `${disagreements.length} of ${cases.length} cases disagree; first ones:\n\n${disagreements.slice(0, 5).join('\n\n')}`).toBe(0);
  });
});
