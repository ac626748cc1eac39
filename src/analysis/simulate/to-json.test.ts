import { describe, expect, it } from 'vitest';
import { ACCEPT, DROP, CONTINUE, jump } from '../../model/action.js';
import { ANY, eq, opaque } from '../../model/match.js';
import { simulate } from './simulate.js';
import { chain, pkt, rule, table } from './testing.js';
import { toJson } from './to-json.js';

const p = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S in eth0');
const LOG = { kind: 'log', name: 'LOG', text: '-j LOG' } as const;

describe('toJson', () => {
  it('produces the DESIGN.md trace-result shape', () => {
    const rs = { tables: [table('filter', [
      chain('INPUT', [rule(eq('dport', 80), ACCEPT, [], '-A INPUT -p tcp --dport 80 -j ACCEPT', 5), rule(ANY, jump('USER1'), [], '-A INPUT -j USER1', 6)], { hook: 'input', policy: 'accept' }),
      chain('USER1', [rule(ANY, CONTINUE, [LOG], '-A USER1 -j LOG', 9), rule(ANY, DROP, [], '-A USER1 -j DROP', 10)]),
    ])] };
    const j = toJson(simulate(rs, p));
    expect(JSON.parse(JSON.stringify(j))).toEqual({
      verdict: 'drop',
      decidedBy: { family: 'ip', table: 'filter', chain: 'USER1', index: 2, line: 10, file: 'test.rules' },
      matched: [
        { family: 'ip', table: 'filter', chain: 'INPUT', index: 2 },
        { family: 'ip', table: 'filter', chain: 'USER1', index: 1 },
        { family: 'ip', table: 'filter', chain: 'USER1', index: 2 },
      ],
      trace: [
        { family: 'ip', table: 'filter', chain: 'INPUT', index: 1, line: 5, file: 'test.rules', depth: 0, result: 'no-match', why: 'dport 22 ≠ 80', text: '-A INPUT -p tcp --dport 80 -j ACCEPT' },
        { family: 'ip', table: 'filter', chain: 'INPUT', index: 2, line: 6, file: 'test.rules', depth: 0, result: 'match', action: 'jump USER1', text: '-A INPUT -j USER1' },
        { family: 'ip', table: 'filter', chain: 'USER1', index: 1, line: 9, file: 'test.rules', depth: 1, result: 'match', action: 'LOG', text: '-A USER1 -j LOG' },
        { family: 'ip', table: 'filter', chain: 'USER1', index: 2, line: 10, file: 'test.rules', depth: 1, result: 'match', action: 'DROP', text: '-A USER1 -j DROP' },
      ],
      ctstate: 'new',
      ctstateDerived: true,
      notes: ['ctstate NEW derived for the first packet of a flow: a SYN opens a new connection'],
    });
  });

  it('writes a policy decision and the alternatives', () => {
    const rs = { tables: [table('filter', [chain('INPUT', [rule(opaque('rate limit', '-m limit'), ACCEPT)], { hook: 'input', policy: 'drop' })])] };
    const j = toJson(simulate(rs, p));
    expect(j.decidedBy).toEqual({ family: 'ip', table: 'filter', chain: 'INPUT', policy: true });
    expect(j.assumptions).toEqual([{ rule: { family: 'ip', table: 'filter', chain: 'INPUT', index: 1 }, matched: false }]);
    expect(j.alternatives).toEqual([{
      assumptions: [{ rule: { family: 'ip', table: 'filter', chain: 'INPUT', index: 1 }, matched: true }],
      verdict: 'accept', decidedBy: { family: 'ip', table: 'filter', chain: 'INPUT', index: 1, file: 'test.rules' },
    }]);
    expect(j.dependsOn).toEqual([{ rule: { family: 'ip', table: 'filter', chain: 'INPUT', index: 1, file: 'test.rules' }, reason: 'rate limit (-m limit)' }]);
  });
});
