import { describe, expect, it } from 'vitest';
import { ACCEPT, DROP, RETURN, CONTINUE, jump, goTo, reject, type Effect } from '../../model/action.js';
import { parseAddress } from '../../model/address.js';
import { ANY, and, bits, ctstate, eq, protocol, src, opaque, iface } from '../../model/match.js';
import type { Ruleset } from '../../model/ruleset.js';
import { simulate, prepare } from './simulate.js';
import { chain, cidr, pkt, rule, table, withFields } from './testing.js';
import { isPolicyRef, type RuleRef, type PolicyRef } from './types.js';

const syn22 = pkt('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S in eth0');
const LOG: Effect = { kind: 'log', name: 'LOG', prefix: 'X: ', text: '-j LOG --log-prefix "X: "' };

function rs(...tables: Ruleset['tables']): Ruleset {
  return { tables };
}

function input(rules: Parameters<typeof chain>[1], policy: 'accept' | 'drop' = 'drop', extra: Parameters<typeof chain>[1][] = [], names: string[] = []): Ruleset {
  const users = extra.map((r, i) => chain(names[i] ?? `USER${i}`, r));
  return rs(table('filter', [chain('INPUT', rules, { hook: 'input', policy }), ...users]));
}

function where(r: RuleRef | PolicyRef): string {
  return isPolicyRef(r) ? `${r.chain}:policy` : `${r.chain}:${r.index}`;
}

describe('simulate: one base chain', () => {
  it('applies the policy when nothing matches, and explains every miss', () => {
    const r = simulate(input([rule(eq('dport', 80), ACCEPT, [], '-A INPUT -p tcp --dport 80 -j ACCEPT', 5)]), syn22);
    expect(r.verdict).toBe('drop');
    expect(where(r.decidedBy)).toBe('INPUT:policy');
    expect(r.matched).toEqual([]);
    expect(r.steps.map((s) => [where(s.ref), s.result, s.why ?? s.action])).toEqual([
      ['INPUT:1', 'no-match', 'dport 22 ≠ 80'],
      ['INPUT:policy', 'match', 'policy DROP'],
    ]);
    expect(r.steps[0]).toMatchObject({ text: '-A INPUT -p tcp --dport 80 -j ACCEPT', ref: { line: 5, file: 'test.rules' } });
  });

  it('stops at the first terminal rule; LOG continues and is listed as matched', () => {
    const r = simulate(input([rule(ANY, CONTINUE, [LOG]), rule(eq('dport', 22), ACCEPT), rule(ANY, DROP)]), syn22);
    expect(r.verdict).toBe('accept');
    expect(where(r.decidedBy)).toBe('INPUT:2');
    expect(r.matched.map(where)).toEqual(['INPUT:1', 'INPUT:2']);
    expect(r.steps.map((s) => s.action)).toEqual(['LOG "X: "', 'ACCEPT']);
  });

  it('reports reject with its kind', () => {
    const rw = { kind: 'tcp-reset', code: 0, name: 'tcp-reset' } as const;
    const r = simulate(input([rule(protocol(6), reject(rw))], 'accept'), syn22);
    expect(r.verdict).toBe('reject');
    expect(r.reject).toEqual(rw);
    expect(r.steps[0]?.action).toBe('REJECT --reject-with tcp-reset');
  });

  it('RETURN in a base chain applies its policy', () => {
    const r = simulate(input([rule(ANY, RETURN), rule(ANY, ACCEPT)], 'drop'), syn22);
    expect(r.verdict).toBe('drop');
    expect(where(r.decidedBy)).toBe('INPUT:policy');
    expect(r.matched.map(where)).toEqual(['INPUT:1']);
  });
});

describe('simulate: jump, goto, return', () => {
  it('jump pushes, RETURN pops back to the rule after the jump', () => {
    const r = simulate(input(
      [rule(ANY, jump('USER0')), rule(eq('dport', 22), ACCEPT)],
      'drop',
      [[rule(src(cidr('198.18.0.0/16')), RETURN), rule(ANY, DROP)]],
    ), syn22);
    expect(r.verdict).toBe('accept');
    expect(r.matched.map(where)).toEqual(['INPUT:1', 'USER0:1', 'INPUT:2']);
    expect(r.steps.map((s) => s.depth)).toEqual([0, 1, 0]);
  });

  it('a user chain falling off its end returns to the caller', () => {
    const r = simulate(input([rule(ANY, jump('USER0')), rule(ANY, ACCEPT)], 'drop', [[rule(eq('dport', 80), DROP)]]), syn22);
    expect(r.verdict).toBe('accept');
    expect(r.steps.map((s) => [where(s.ref), s.result])).toEqual([['INPUT:1', 'match'], ['USER0:1', 'no-match'], ['INPUT:2', 'match']]);
  });

  it('a drop in a user chain is final', () => {
    const r = simulate(input([rule(ANY, jump('USER0')), rule(ANY, ACCEPT)], 'accept', [[rule(ANY, DROP)]]), syn22);
    expect(r.verdict).toBe('drop');
    expect(where(r.decidedBy)).toBe('USER0:1');
  });

  it('goto does not push: the end of the target returns to the caller of the caller', () => {
    const nested = simulate(input(
      [rule(ANY, jump('A')), rule(ANY, ACCEPT)],
      'drop',
      [[rule(ANY, goTo('B')), rule(ANY, DROP)], [rule(eq('dport', 80), DROP)]],
      ['A', 'B'],
    ), syn22);
    expect(nested.verdict).toBe('accept');
    expect(nested.matched.map(where)).toEqual(['INPUT:1', 'A:1', 'INPUT:2']);
    const fromBase = simulate(input([rule(ANY, goTo('B')), rule(ANY, ACCEPT)], 'drop', [[]], ['B']), syn22);
    expect(fromBase.verdict).toBe('drop');
    expect(where(fromBase.decidedBy)).toBe('INPUT:policy');
  });

  it('RETURN in a goto target returns to the chain that jumped', () => {
    const r = simulate(input(
      [rule(ANY, jump('A')), rule(ANY, DROP)],
      'accept',
      [[rule(ANY, goTo('B')), rule(ANY, ACCEPT)], [rule(ANY, RETURN), rule(ANY, ACCEPT)]],
      ['A', 'B'],
    ), syn22);
    expect(r.verdict).toBe('drop');
    expect(r.matched.map(where)).toEqual(['INPUT:1', 'A:1', 'B:1', 'INPUT:2']);
  });

  it('stops on a loop with a note (the kernel refuses such rulesets)', () => {
    const r = simulate(input([rule(ANY, jump('A'))], 'accept', [[rule(ANY, jump('B'))], [rule(ANY, jump('A'))]], ['A', 'B']), syn22);
    expect(r.verdict).toBe('drop');
    expect(r.notes.some((n) => n.includes('loops'))).toBe(true);
    const gotoLoop = simulate(input([rule(ANY, goTo('A'))], 'accept', [[rule(ANY, goTo('B'))], [rule(ANY, goTo('A'))]], ['A', 'B']), syn22);
    expect(gotoLoop.notes.some((n) => n.includes('loops'))).toBe(true);
  });
});

describe('simulate: several base chains on a hook', () => {
  const nft = (name: string, prio: number, rules: Parameters<typeof chain>[1], policy: 'accept' | 'drop' = 'accept', family: 'ip' | 'inet' | 'ip6' = 'inet') =>
    table(name, [chain('input', rules, { hook: 'input', priority: prio, policy })], family, 'nftables');

  it('runs them in ascending priority; accept ends only the current chain', () => {
    const r = simulate(rs(nft('late', 10, [rule(ANY, ACCEPT)]), nft('early', -5, [rule(ANY, CONTINUE, [LOG]), rule(ANY, ACCEPT)])), syn22);
    expect(r.verdict).toBe('accept');
    expect(r.matched.map((m) => `${m.table}:${m.index}`)).toEqual(['early:1', 'early:2', 'late:1']);
    expect(r.decidedBy).toMatchObject({ table: 'late', index: 1 });
  });

  it('drop is final: later chains do not run', () => {
    const r = simulate(rs(nft('late', 10, [rule(ANY, ACCEPT)]), nft('early', -5, [], 'drop')), syn22);
    expect(r.verdict).toBe('drop');
    expect(r.decidedBy).toMatchObject({ table: 'early', policy: true });
    expect(r.steps.every((s) => s.ref.table === 'early')).toBe(true);
  });

  it('an accept by policy counts as the decision when it is the last chain', () => {
    const r = simulate(rs(nft('a', 0, [rule(ANY, ACCEPT)]), nft('b', 5, [rule(eq('dport', 80), DROP)])), syn22);
    expect(r.decidedBy).toMatchObject({ table: 'b', policy: true });
  });

  it('notes equal priorities as an ambiguous order', () => {
    const r = simulate(rs(nft('a', 0, []), nft('b', 0, [])), syn22);
    expect(r.notes.some((n) => n.startsWith('ambiguousOrder'))).toBe(true);
  });

  it('skips other families, nat chains and other hooks', () => {
    const natChain = table('nat', [chain('INPUT', [rule(ANY, DROP)], { hook: 'input', type: 'nat', priority: 100 })]);
    const v6 = nft('six', 0, [rule(ANY, DROP)], 'drop', 'ip6');
    const fwd = table('filter', [chain('FORWARD', [rule(ANY, DROP)], { hook: 'forward' })]);
    const r = simulate(rs(natChain, v6, fwd), syn22);
    expect(r.verdict).toBe('accept');
    expect(r.steps).toEqual([]);
    expect(r.notes.some((n) => n.includes('no base chain'))).toBe(true);
    expect(simulate(rs(v6), withFields(pkt('tcp [fd00::1]:1 -> [fd00::2]:2'), {})).verdict).toBe('drop');
  });

  it('raw chains before conntrack see no entry; notrack makes later chains see UNTRACKED', () => {
    const raw = table('raw', [chain('OUTPUT', [rule(ctstate('invalid'), CONTINUE, [{ kind: 'notrack' }])], { hook: 'output', priority: -300 })]);
    const filter = table('filter', [chain('OUTPUT', [rule(ctstate('untracked'), DROP)], { hook: 'output' })]);
    const r = simulate(rs(raw, filter), withFields(syn22, { hook: 'output' }));
    expect(r.verdict).toBe('drop');
    expect(r.matched.map((m) => m.table)).toEqual(['raw', 'filter']);
    expect(r.notes.some((n) => n.startsWith('raw/OUTPUT runs before conntrack'))).toBe(true);
  });
});

describe('simulate: state carried between rules', () => {
  it('a mark set by one rule is seen by later rules', () => {
    const setMark: Effect = { kind: 'mark', target: 'mark', op: 'set', value: 0x10, mask: 0xff };
    const r = simulate(input([rule(ANY, CONTINUE, [setMark]), rule(bits('mark', 0xff, 0x10), ACCEPT)]), withFields(syn22, { mark: 0x1ff }));
    expect(r.verdict).toBe('accept');
    expect(r.mark).toBe(0x110);
  });

  it('connmark save / restore, and no connmark without a conntrack entry', () => {
    const save: Effect = { kind: 'mark', target: 'connmark', op: 'save', value: 0, mask: 0xffffffff };
    const setMark: Effect = { kind: 'mark', target: 'mark', op: 'or', value: 4, mask: 0xffffffff };
    const rules = [rule(ANY, CONTINUE, [setMark, save]), rule(bits('connmark', 0xffffffff, 4), ACCEPT)];
    expect(simulate(input(rules), syn22).verdict).toBe('accept');
    const invalid = simulate(input(rules), withFields(syn22, { tcpFlags: 0x11 }));
    expect(invalid.ctstate).toBe('invalid');
    expect(invalid.verdict).toBe('drop');
    expect(invalid.connmark).toBe(0);
  });

  it('derives the conntrack state of a first packet and says so', () => {
    const rules = [rule(ctstate('established', 'related'), ACCEPT), rule(ctstate('invalid'), DROP), rule(ANY, ACCEPT)];
    const ack = simulate(input(rules), withFields(syn22, { tcpFlags: 0x10 }));
    expect(ack).toMatchObject({ verdict: 'accept', ctstate: 'new', ctstateDerived: true });
    expect(ack.notes[0]).toContain('ctstate NEW derived');
    const synack = simulate(input(rules), withFields(syn22, { tcpFlags: 0x12 }));
    expect(synack).toMatchObject({ verdict: 'drop', ctstate: 'invalid' });
    expect(simulate(input(rules), withFields(syn22, { ctstate: 'established' }))).toMatchObject({ verdict: 'accept', ctstateDerived: false });
  });
});

describe('simulate: verdict maps', () => {
  const vmap = rule(protocol(6), { kind: 'dispatch', cases: [{ match: eq('dport', 22), action: DROP }, { match: eq('dport', 80), action: ACCEPT }] });

  it('the first case that holds gives the action', () => {
    const r = simulate(input([vmap], 'accept'), syn22);
    expect(r).toMatchObject({ verdict: 'drop', decidedBy: { index: 1 } });
  });

  it('no case: the rule does not match and evaluation continues', () => {
    const r = simulate(input([vmap, rule(ANY, CONTINUE, [LOG])], 'accept'), withFields(syn22, { dport: 443 }));
    expect(r.verdict).toBe('accept');
    expect(r.matched.map(where)).toEqual(['INPUT:2']);
    expect(r.steps[0]).toMatchObject({ result: 'no-match', why: 'no verdict-map entry matches: dport 443 ≠ 22 and dport 443 ≠ 80' });
  });

  it('a case may jump', () => {
    const j = rule(ANY, { kind: 'dispatch', cases: [{ match: iface('in', 'eth0'), action: jump('USER0') }] });
    const r = simulate(input([j, rule(ANY, ACCEPT)], 'drop', [[rule(ANY, DROP)]]), syn22);
    expect(r.matched.map(where)).toEqual(['INPUT:1', 'USER0:1']);
    expect(r.verdict).toBe('drop');
  });
});

describe('simulate: undecided rules', () => {
  const limit = opaque('rate limit', '-m limit --limit 5/s');

  it('explores both branches; the primary is the one that blocks', () => {
    const r = simulate(input([rule(and(protocol(6), limit), ACCEPT)], 'drop'), syn22);
    expect(r.verdict).toBe('drop');
    expect(r.assumptions).toEqual([{ ref: expect.objectContaining({ index: 1 }), matched: false }]);
    expect(r.alternatives).toEqual([{ assumptions: [{ ref: expect.objectContaining({ index: 1 }), matched: true }], verdict: 'accept', decidedBy: expect.objectContaining({ index: 1 }) }]);
    expect(r.dependsOn).toEqual([{ ref: expect.objectContaining({ index: 1 }), reason: 'rate limit (-m limit --limit 5/s)' }]);
    expect(r.steps[0]).toMatchObject({ result: 'unknown', assumed: false, why: 'depends on rate limit (-m limit --limit 5/s)' });
  });

  it('a possible drop is shown first even when skipping the rule accepts', () => {
    const r = simulate(input([rule(limit, DROP), rule(ANY, ACCEPT)], 'drop'), syn22);
    expect(r).toMatchObject({ verdict: 'drop', decidedBy: { index: 1 }, assumptions: [{ matched: true }] });
    expect(r.alternatives.map((a) => a.verdict)).toEqual(['accept']);
  });

  it('a rule decided by the packet needs no branch', () => {
    const r = simulate(input([rule(and(eq('dport', 80), limit), DROP)], 'accept'), syn22);
    expect(r.alternatives).toEqual([]);
    expect(r.dependsOn).toEqual([]);
  });

  it('assume fixes the value', () => {
    const r = simulate(input([rule(limit, ACCEPT)], 'drop'), syn22, { assume: (ref) => (ref.index === 1 ? true : undefined) });
    expect(r).toMatchObject({ verdict: 'accept', alternatives: [] });
    expect(r.dependsOn[0]?.reason).toContain('assumed to match');
  });

  it('caps the number of branches and says so', () => {
    const rules = Array.from({ length: 10 }, () => rule(limit, CONTINUE, [LOG]));
    const r = simulate(input(rules, 'accept'), syn22, { maxBranches: 4 });
    expect(r.alternatives.length).toBe(3);
    expect(r.notes.some((n) => n.includes('capped at 4'))).toBe(true);
    expect(simulate(input(rules.slice(0, 3), 'accept'), syn22).alternatives.length).toBe(7);
  });

  it('addrtype is decided by the host addresses when given, explored otherwise', () => {
    const local = rule({ kind: 'addrtype', field: 'dst', types: ['local'] }, ACCEPT);
    const open = simulate(input([local], 'drop'), syn22);
    expect(open.dependsOn[0]?.reason).toContain('addrtype needs the host');
    expect(open.alternatives.length).toBe(1);
    const decided = simulate(input([local], 'drop'), syn22, { localAddresses: [parseAddress('198.19.0.2')!] });
    expect(decided).toMatchObject({ verdict: 'accept', alternatives: [], dependsOn: [] });
  });

  it('an undecided rule that jumps: both branches walk the right chains', () => {
    const r = simulate(input([rule(opaque('recent', '-m recent --rcheck'), jump('USER0')), rule(ANY, ACCEPT)], 'accept', [[rule(ANY, DROP)]]), syn22);
    expect(r).toMatchObject({ verdict: 'drop', decidedBy: { chain: 'USER0', index: 1 } });
    expect(r.matched.map(where)).toEqual(['INPUT:1', 'USER0:1']);
    expect(r.alternatives).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: expect.objectContaining({ chain: 'INPUT', index: 2 }) })]);
  });

  it('a user-space verdict is a decision point', () => {
    const q = rule(ANY, { kind: 'queue', text: 'NFQUEUE --queue-num 1', bypass: false });
    const r = simulate(input([q], 'accept'), syn22);
    expect(r.verdict).toBe('drop');
    expect(r.assumptions).toEqual([{ ref: expect.anything(), matched: true, accepted: false }]);
    expect(r.alternatives.map((a) => a.verdict)).toEqual(['accept']);
  });
});

describe('prepare', () => {
  it('traces many packets with one index, fast on a large chain', () => {
    const rules = Array.from({ length: 50_000 }, (_, i) => rule(and(protocol(6), src(cidr(`10.${(i >> 8) & 255}.${i & 255}.0/24`)), eq('dport', 1 + (i % 1000))), ACCEPT));
    const sim = prepare(input(rules, 'drop'));
    sim.simulate(syn22);
    const t0 = performance.now();
    const r = sim.simulate(syn22);
    const ms = performance.now() - t0;
    expect(r.steps.length).toBe(50_001);
    expect(r.verdict).toBe('drop');
    expect(ms).toBeLessThan(1000);
  });
});
