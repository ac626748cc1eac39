import { describe, expect, it } from 'vitest';
import { shrinkCase } from './shrink.js';
import type { GenRuleset } from './gen-syntax.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';

const packet = (packetFromText('tcp 198.18.0.5:1234 -> 198.19.0.2:22 flags SA ttl 9 len 300 tos 16 in eth0').packet) as Packet;

const RS: GenRuleset = {
  family: 'ipv4', policy: 'DROP',
  chains: [
    { name: 'INPUT', rules: [
      { matches: [{ kind: 'proto', neg: false, proto: 'udp' }], target: { kind: 'ACCEPT' } },
      { matches: [{ kind: 'addr', dir: 's', neg: false, value: 0xc6120000n, len: 16 }, { kind: 'proto', neg: false, proto: 'tcp' },
        { kind: 'l4', proto: 'tcp', dport: { neg: false, lo: 20, hi: 22 } }, { kind: 'comment', text: 'rule 1' }], target: { kind: 'jump', chain: 'USER0' } },
      { matches: [{ kind: 'ttl', op: 'lt', neg: false, value: 3 }], target: { kind: 'LOG', prefix: 'in: ' } },
    ] },
    { name: 'USER0', rules: [{ matches: [{ kind: 'length', neg: true, lo: 1, hi: 2 }], target: { kind: 'REJECT', with: 'icmp-port-unreachable' } }] },
    { name: 'USER1', rules: [] },
  ],
};

/** A fake "disagreement": it persists while some rule still tests `--dport 20:22`. */
async function oracle(rs: GenRuleset, _p: Packet): Promise<boolean> {
  return rs.chains.some((c) => c.rules.some((r) => r.matches.some((m) => m.kind === 'l4' && m.dport?.lo === 20 && m.dport.hi === 22)));
}

describe('shrinking a disagreement', () => {
  it('keeps only what the disagreement needs: one rule with its port test, a plain packet', async () => {
    let calls = 0;
    const r = await shrinkCase(RS, packet, async (rs, p) => { calls++; return oracle(rs, p); }, ['fwo1', 'eth0']);
    expect(r.checks).toBe(calls);
    const rules = r.ruleset.chains.flatMap((c) => c.rules);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.matches).toEqual([{ kind: 'proto', neg: false, proto: 'tcp' }, { kind: 'l4', proto: 'tcp', dport: { neg: false, lo: 20, hi: 22 } }]);
    expect(r.ruleset.chains.map((c) => c.name)).toEqual(['INPUT']);
    expect(r.ruleset.policy).toBe('ACCEPT');
    expect(r.packet).toMatchObject({ ttl: 64, tos: 0, length: 40, iif: 'fwo1', tcpFlags: 0x02, sport: 40000, dport: 22 });
  });

  it('stops at the check budget', async () => {
    const r = await shrinkCase(RS, packet, oracle, ['fwo1'], 3);
    expect(r.checks).toBe(3);
  });
});
