/**
 * The harness's self-test: cases recorded from a real kernel (../shared/corpus/kernel/*.jsonl) are
 * replayed through this machine's kernel, and the harness must read back exactly the recorded
 * verdict, deciding rule and matched rules. Set FWDOCTOR_KERNEL_REPLAY_EVERY=1 to replay every
 * ruleset (default: every 3rd).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../support/corpus.js';
import { describeKernel, envInt, suiteSession } from './kernel-env.js';
import { type KernelCaseRecord, compareWithRecord, parseRecords, recordPacket } from '../../src/kernel/record.js';
import type { Packet } from '../../src/model/packet.js';

const every = envInt('FWDOCTOR_KERNEL_REPLAY_EVERY', 3);

function groupByRuleset(records: readonly KernelCaseRecord[]): KernelCaseRecord[][] {
  const groups = new Map<string, KernelCaseRecord[]>();
  for (const r of records) {
    const g = groups.get(r.ruleset);
    if (g) g.push(r);
    else groups.set(r.ruleset, [r]);
  }
  return [...groups.values()];
}

describeKernel('kernel harness replays recorded corpus cases', () => {
  const session = suiteSession();

  for (const file of ['iptables-filter-sample.jsonl', 'ip6tables-filter-sample.jsonl', 'nftables-input-sample.jsonl']) {
    it.skipIf(!hasCorpus)(`gives the recorded answers for ${file}`, async () => {
      const path = corpusPath(`kernel/${file}`);
      if (!path) throw new Error(`corpus file kernel/${file} is missing`);
      const { records, problems } = parseRecords(readFileSync(path, 'utf8'));
      expect(problems).toEqual([]);
      const groups = groupByRuleset(records).filter((_, i) => i % Math.max(1, every) === 0);
      let cases = 0;
      const mismatches: string[] = [];
      for (const group of groups) {
        const first = group[0] as KernelCaseRecord;
        const dialect = first.dialect === 'nftables' ? 'nftables' : first.dialect === 'ip6tables-save' ? 'ip6tables' : 'iptables';
        const loadError = await session().load(first.ruleset, dialect);
        expect(loadError, `${first.id}: the kernel refused the recorded ruleset`).toBeUndefined();
        const packets = group.map((r) => {
          const { packet, errors } = recordPacket(r);
          if (!packet) throw new Error(`${r.id}: bad packet: ${errors.join('; ')}`);
          return packet;
        });
        const obs = await session().observe(packets as Packet[]);
        for (const [i, o] of obs.entries()) {
          const r = group[i] as KernelCaseRecord;
          cases += 1;
          if (!o.ok) {
            mismatches.push(`${r.id}: not observed: ${o.reason}\n    ${o.events.join('\n    ')}`);
            continue;
          }
          const diff = compareWithRecord(r, o.outcome);
          if (diff.length > 0) mismatches.push(`${r.id}: ${diff.join('; ')}`);
        }
        expect(await session().checkCounters()).toEqual([]);
      }
      expect(mismatches.slice(0, 20)).toEqual([]);
      expect(cases).toBe(groups.reduce((n, g) => n + g.length, 0));
      expect(cases).toBeGreaterThan(0);
    }, 300_000);
  }
});
