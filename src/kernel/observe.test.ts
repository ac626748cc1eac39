import { describe, expect, it } from 'vitest';
import { baseChainsOn, parseListing } from './listing.js';
import { outcomeOf } from './observe.js';
import { type TraceEvent, parseTraceLine } from './trace-parse.js';

/** A listing shaped like `nft -a -j list ruleset` after iptables-restore (trimmed to what matters). */
const LISTING = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6' } },
    { table: { family: 'ip', name: 'filter', handle: 1 } },
    { chain: { family: 'ip', table: 'filter', name: 'INPUT', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
    { chain: { family: 'ip', table: 'filter', name: 'USER0', handle: 4 } },
    { chain: { family: 'ip', table: 'raw', name: 'PREROUTING', handle: 1, type: 'filter', hook: 'prerouting', prio: -300, policy: 'accept' } },
    { chain: { family: 'ip', table: 'nat', name: 'INPUT', handle: 2, type: 'nat', hook: 'input', prio: 100, policy: 'accept' } },
    { rule: { family: 'ip', table: 'filter', chain: 'INPUT', handle: 5, expr: [{ counter: { packets: 3, bytes: 120 } }, { xt: { type: 'target', name: 'LOG' } }] } },
    { rule: { family: 'ip', table: 'filter', chain: 'INPUT', handle: 6, expr: [{ counter: { packets: 2, bytes: 80 } }, { jump: { target: 'USER0' } }] } },
    { rule: { family: 'ip', table: 'filter', chain: 'INPUT', handle: 7, expr: [{ counter: { packets: 0, bytes: 0 } }, { reject: { type: 'icmp', expr: 'port-unreachable' } }] } },
    { rule: { family: 'ip', table: 'filter', chain: 'USER0', handle: 8, expr: [{ counter: { packets: 2, bytes: 80 } }, { return: null }] } },
    { rule: { family: 'ip', table: 'filter', chain: 'INPUT', handle: 9, expr: [{ accept: null }] } },
    { rule: { family: 'ip', table: 'raw', chain: 'PREROUTING', handle: 3, expr: [{ counter: { packets: 0, bytes: 0 } }] } },
    { table: { family: 'inet', name: 'fwdk', handle: 2 } },
    { chain: { family: 'inet', table: 'fwdk', name: 'pre', handle: 1, type: 'filter', hook: 'prerouting', prio: -350, policy: 'accept' } },
    { rule: { family: 'inet', table: 'fwdk', chain: 'pre', handle: 2, expr: [] } },
  ],
});

function events(lines: string[]): TraceEvent[] {
  return lines.map((l) => {
    const e = parseTraceLine(l);
    if (!e) throw new Error(`not an event: ${l}`);
    return e;
  });
}

describe('the kernel listing', () => {
  const listing = parseListing(LISTING, ['fwdk']);
  it('numbers rules by position in their chain, keeps counters and spots rejects', () => {
    const byHandle = (h: number) => listing.rules.find((r) => r.handle === h);
    expect(byHandle(5)).toMatchObject({ chain: 'INPUT', index: 1, packets: 3, rejects: false });
    expect(byHandle(7)).toMatchObject({ chain: 'INPUT', index: 3, rejects: true });
    expect(byHandle(9)).toMatchObject({ chain: 'INPUT', index: 4 });
    expect(byHandle(9)?.packets).toBeUndefined();
    expect(byHandle(8)).toMatchObject({ chain: 'USER0', index: 1 });
    expect(listing.rules.some((r) => r.table === 'fwdk')).toBe(false);
  });

  it('orders base chains on a hook and leaves out nat chains', () => {
    expect(baseChainsOn(listing, 'input', 'ipv4').map((c) => `${c.table}/${c.name}`)).toEqual(['filter/INPUT']);
    expect(baseChainsOn(listing, 'input', 'ipv6')).toEqual([]);
    expect(baseChainsOn(listing, 'prerouting', 'ipv4').map((c) => c.table)).toEqual(['raw']);
  });
});

describe('one packet\'s outcome from its trace', () => {
  const listing = parseListing(LISTING, ['fwdk']);
  const head = 'trace id 1 inet fwdk pre packet: iif "fwo1" ip saddr 198.18.0.1 ip daddr 198.19.0.1 ip id 7';

  it('every matched rule in order, the deciding rule, accept in the last base chain ends it', () => {
    const r = outcomeOf(events([
      head,
      'trace id 1 ip filter INPUT rule x # handle 5 (verdict continue)',
      'trace id 1 ip filter INPUT rule x # handle 6 (verdict jump USER0)',
      'trace id 1 ip filter USER0 rule x # handle 8 (verdict return)',
      'trace id 1 ip filter INPUT rule x # handle 9 (verdict accept)',
    ]), listing, 'input', 'ipv4');
    expect(r.complete).toBe(true);
    if (!r.observation.ok) throw new Error(r.observation.reason);
    const o = r.observation.outcome;
    expect(o.verdict).toBe('accept');
    expect(o.decidedBy).toMatchObject({ chain: 'INPUT', index: 4 });
    expect(o.matched.map((m) => `${m.chain}/${m.index}`)).toEqual(['INPUT/1', 'INPUT/2', 'USER0/1', 'INPUT/4']);
    expect(o.events).toHaveLength(4);
  });

  it('a reject rule gives verdict reject; a policy drop decides by policy', () => {
    const rej = outcomeOf(events([head, 'trace id 1 ip filter INPUT unknown rule handle 7 (verdict drop)']), listing, 'input', 'ipv4');
    expect(rej.observation.ok && rej.observation.outcome.verdict).toBe('reject');
    const pol = outcomeOf(events([head, 'trace id 1 ip filter INPUT policy drop']), listing, 'input', 'ipv4');
    expect(pol.observation.ok && pol.observation.outcome.decidedBy).toEqual({ family: 'ip', table: 'filter', chain: 'INPUT', policy: true });
  });

  it('rules of an earlier hook (raw PREROUTING) are not part of the input answer', () => {
    const r = outcomeOf(events([
      head, 'trace id 1 ip raw PREROUTING rule x # handle 3 (verdict continue)', 'trace id 1 ip raw PREROUTING policy accept',
      'trace id 1 ip filter INPUT policy drop',
    ]), listing, 'input', 'ipv4');
    expect(r.observation.ok && r.observation.outcome.matched).toEqual([]);
  });

  it('is incomplete until the verdict arrives, and says why', () => {
    const r = outcomeOf(events([head, 'trace id 1 ip filter INPUT rule x # handle 5 (verdict continue)']), listing, 'input', 'ipv4');
    expect(r.complete).toBe(false);
    expect(!r.observation.ok && r.observation.reason).toMatch(/ended before a verdict in ip filter INPUT/);
  });

  it('a handle the listing does not know is a harness failure, not a guess', () => {
    const r = outcomeOf(events([head, 'trace id 1 ip filter INPUT unknown rule handle 99 (verdict accept)']), listing, 'input', 'ipv4');
    expect(!r.observation.ok && r.observation.reason).toMatch(/handle 99/);
  });
});
