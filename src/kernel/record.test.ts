import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareWithRecord, formatRecord, iptablesAnswer, makeRecord, nftAnswer, parseRecords, recordPacket } from './record.js';
import type { KernelOutcome } from './observe.js';
import { corpusPath, hasCorpus } from '../../test/support/corpus.js';

const ref = (chain: string, index: number) => ({ family: 'ip' as const, table: 'filter', chain, index, handle: index + 10 });
const OUTCOME: KernelOutcome = {
  verdict: 'drop',
  decidedBy: ref('USER0', 2),
  matched: [ref('INPUT', 3), ref('USER0', 1), ref('USER0', 2), ref('INPUT', 3)],
  events: ['trace id 1 ip filter INPUT unknown rule handle 13 (verdict jump USER0)'],
};
const RULES = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';

describe('recorded cases', () => {
  it('the iptables shape: terminal rule or policy, matched as sorted distinct [chain, index]', () => {
    expect(iptablesAnswer(OUTCOME)).toEqual({ verdict: 'drop', terminal: { chain: 'USER0', index: 2 }, matched: [['INPUT', 3], ['USER0', 1], ['USER0', 2]] });
    expect(iptablesAnswer({ ...OUTCOME, decidedBy: { family: 'ip', table: 'filter', chain: 'INPUT', policy: true } }).terminal).toEqual({ chain: 'INPUT', policy: true });
  });

  it('the nftables shape keeps evaluation order', () => {
    expect(nftAnswer(OUTCOME).matched).toEqual([['ip', 'filter', 'INPUT', 3], ['ip', 'filter', 'USER0', 1], ['ip', 'filter', 'USER0', 2], ['ip', 'filter', 'INPUT', 3]]);
  });

  it('writes a line that reads back, with its packet and seed', () => {
    const packet = { family: 'ipv4', protocol: 6, src: 0xc6120005n, dst: 0xc6130002n, sport: 40000, dport: 22, tcpFlags: 2, ttl: 64, length: 40, tos: 0, mark: 0, connmark: 0, hook: 'input', fragment: false, iif: 'fwo1' } as const;
    const line = formatRecord(makeRecord('g1-p0', 'iptables-save', RULES, packet, OUTCOME, 42));
    const { records, problems } = parseRecords(`${line}\n`);
    expect(problems).toEqual([]);
    const r = records[0];
    if (!r) throw new Error('no record');
    expect(r.seed).toBe(42);
    expect(r.packet).toMatchObject({ family: 'ipv4', protocol: 'tcp', src: '198.18.0.5', dst: '198.19.0.2', dport: 22, tcpFlags: 'S', iif: 'fwo1' });
    expect(recordPacket(r).packet).toEqual(packet);
    expect(compareWithRecord(r, OUTCOME)).toEqual([]);
    expect(compareWithRecord(r, { ...OUTCOME, verdict: 'accept' })).toEqual(['verdict: recorded "drop", kernel now "accept"']);
    expect(compareWithRecord(r, { ...OUTCOME, matched: [ref('INPUT', 3)] })[0]).toMatch(/^matched: recorded/);
  });

  it('reports bad lines instead of throwing', () => {
    const { records, problems } = parseRecords('{"id": 1}\nnot json\n{"id":"x","dialect":"pf","ruleset":"","packet":{},"kernel":{}}\n');
    expect(records).toEqual([]);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
  });

  it.skipIf(!hasCorpus)('reads every case of the recorded corpus', () => {
    for (const f of ['iptables-filter-sample.jsonl', 'ip6tables-filter-sample.jsonl', 'nftables-input-sample.jsonl']) {
      const path = corpusPath(`kernel/${f}`);
      if (!path) throw new Error(`missing ${f}`);
      const { records, problems } = parseRecords(readFileSync(path, 'utf8'));
      expect(problems).toEqual([]);
      expect(records.length).toBeGreaterThan(500);
      for (const r of records) expect(recordPacket(r).errors).toEqual([]);
    }
  });
});
