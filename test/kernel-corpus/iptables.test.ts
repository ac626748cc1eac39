import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus, corpusSkipReason } from '../support/corpus.js';
import { formatDisagreements, readCases, replay } from './replay.js';

describe.skipIf(!hasCorpus)(`iptables: the simulator agrees with the kernel${hasCorpus ? '' : ` (${corpusSkipReason})`}`, () => {
  it('on every recorded case of kernel/iptables-filter-sample.jsonl', () => {
    const path = corpusPath('kernel/iptables-filter-sample.jsonl');
    expect(path, 'corpus file kernel/iptables-filter-sample.jsonl').toBeDefined();
    const cases = readCases(path as string);
    expect(cases.length).toBe(1200);
    const { disagreements } = replay(cases, 'ipv4');
    expect(disagreements.length, `${disagreements.length} of ${cases.length} cases disagree; first ones:\n\n${formatDisagreements(disagreements)}`).toBe(0);
  });
});
