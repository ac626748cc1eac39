import { describe, expect, it } from 'vitest';
import { prepare } from '../analysis/simulate/index.js';
import { frameProblem } from './frame.js';
import { aimAtRule } from './gen-aim.js';
import { genToModel } from './gen-to-model.js';
import { packetHints } from './gen-packet.js';
import { type GenRuleset, printRuleset } from './gen-syntax.js';
import { POOLS, poolBase } from './gen-ruleset.js';
import { sampleCase } from './generate.js';

const IFS = ['fwo1', 'fwo2', 'eth0'];

function inPool(family: 'ipv4' | 'ipv6', which: 'src' | 'dst', v: bigint): boolean {
  const lo = poolBase(family, which);
  return v >= lo && v <= (lo | ((1n << BigInt(POOLS[family].hostBits)) - 1n));
}

describe('generated cases', () => {
  it('the same seed gives the same case; the family follows the seed parity', () => {
    const a = sampleCase(12345, { packets: 8, interfaces: IFS });
    const b = sampleCase(12345, { packets: 8, interfaces: IFS });
    expect(printRuleset(a.ruleset)).toBe(printRuleset(b.ruleset));
    expect(a.packets).toEqual(b.packets);
    expect(a.ruleset.family).toBe('ipv6');
    expect(sampleCase(12346, { packets: 1, interfaces: IFS }).ruleset.family).toBe('ipv4');
  });

  it('packets are sendable, stay in the test ranges, arrive on lab interfaces, and every user chain has a caller', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const c = sampleCase(seed, { packets: 20, interfaces: IFS });
      for (const p of c.packets) {
        expect(frameProblem(p)).toBeUndefined();
        expect(inPool(p.family, 'src', p.src)).toBe(true);
        expect(inPool(p.family, 'dst', p.dst)).toBe(true);
        expect(IFS).toContain(p.iif);
        expect(p.ctstate).toBeUndefined();
      }
      for (const ch of c.ruleset.chains.slice(1)) {
        const called = c.ruleset.chains.some((x) => x.rules.some((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === ch.name));
        expect(called, `${ch.name} in seed ${seed}`).toBe(true);
      }
    }
  });

  it('prints canonical iptables-save text', () => {
    const rs: GenRuleset = {
      family: 'ipv4', policy: 'DROP',
      chains: [
        { name: 'INPUT', rules: [
          { matches: [{ kind: 'addr', dir: 's', neg: true, value: 0xc6120100n, len: 24 }, { kind: 'iface', neg: false, name: 'fwo+' }, { kind: 'proto', neg: false, proto: 'tcp' },
            { kind: 'l4', proto: 'tcp', sport: { neg: true, lo: 1, hi: 100 }, dport: { neg: false, lo: 22, hi: 22 }, flags: { neg: false, mask: 0x17, comp: 0x02 } }], target: { kind: 'jump', chain: 'USER0' } },
          { matches: [{ kind: 'addr', dir: 'd', neg: false, value: 0n, len: 0 }, { kind: 'ctstate', module: 'conntrack', neg: true, states: ['ESTABLISHED', 'NEW'] }, { kind: 'mark', neg: false, value: 5, mask: 0xff }], target: { kind: 'REJECT', with: 'icmp-host-prohibited' } },
        ] },
        { name: 'USER0', rules: [{ matches: [{ kind: 'tos', neg: false, value: 0x10, mask: 0x3f }, { kind: 'comment', text: 'rule 7' }], target: { kind: 'LOG', prefix: 'in: ' } }] },
      ],
    };
    expect(printRuleset(rs)).toBe([
      '*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':USER0 - [0:0]',
      '-A INPUT ! -s 198.18.1.0/24 -i fwo+ -p tcp -m tcp ! --sport 1:100 --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j USER0',
      '-A INPUT -m conntrack ! --ctstate NEW,ESTABLISHED -m mark --mark 0x5/0xff -j REJECT --reject-with icmp-host-prohibited',
      '-A USER0 -m tos --tos 0x10/0x3f -m comment --comment "rule 7" -j LOG --log-prefix "in: "',
      'COMMIT', '',
    ].join('\n'));
  });

  it('hints hold the boundaries of the rules\' sets', () => {
    const rs: GenRuleset = {
      family: 'ipv4', policy: 'ACCEPT',
      chains: [{ name: 'INPUT', rules: [{ matches: [{ kind: 'addr', dir: 's', neg: false, value: 0xc6120a00n, len: 24 }, { kind: 'proto', neg: false, proto: 'udp' },
        { kind: 'l4', proto: 'udp', dport: { neg: false, lo: 1000, hi: 2000 } }, { kind: 'length', neg: false, lo: 100, hi: 200 }], target: { kind: 'DROP' } }] }],
    };
    const h = packetHints(rs);
    expect(h.src).toEqual(expect.arrayContaining([0xc61209ffn, 0xc6120a00n, 0xc6120affn, 0xc6120b00n]));
    expect(h.ports).toEqual(expect.arrayContaining([999, 1000, 2000, 2001]));
    expect(h.lengths).toEqual(expect.arrayContaining([99, 100, 200, 201]));
    expect(h.protocols).toEqual([17]);
  });

  it('aimed packets make their rule match far more often than chance', () => {
    let hit = 0;
    let total = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const c = sampleCase(seed, { packets: 1, interfaces: IFS });
      const sim = prepare(genToModel(c.ruleset));
      const input = c.ruleset.chains[0];
      if (!input) continue;
      for (const [i] of input.rules.entries()) {
        const p = aimAtRule(c.packets[0] as never, c.ruleset, i, seed * 31 + i, IFS);
        total++;
        if (sim.simulate(p).steps.some((s) => 'index' in s.ref && s.ref.chain === 'INPUT' && s.ref.index === i + 1 && s.result === 'match')) hit++;
      }
    }
    expect(hit / total).toBeGreaterThan(0.3);
  });
});
