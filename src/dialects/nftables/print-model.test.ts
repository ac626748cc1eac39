import { describe, expect, it } from 'vitest';
import { ACCEPT, DROP, type Action, type Effect, jump } from '../../model/action.js';
import { addressSetOf, cidrSet } from '../../model/address.js';
import { type Match, and, bits, ctstate, dst, eq, family, iface, not, num, opaque, or, protocol, src } from '../../model/match.js';
import { loadNftables } from './index.js';
import { printModelRule } from './print-model.js';
import { comparable } from './testing.js';

const lan = src(cidrSet({ family: 'ipv4', value: 0xc6120000n, length: 15 }));
const v6 = dst(addressSetOf('ipv6', [[0xfd00f00d000000000000000000000000n, 0xfd00f00d0000000000000000000000ffn]]));

/** Prints the rule, loads it back in a table of that family, and returns the text and the model rule. */
function roundTrip(match: Match, action: Action, family: 'ip' | 'ip6' | 'inet' = 'inet', effects: Effect[] = []): { text: string; back: unknown } {
  const p = printModelRule({ match, action, effects }, family);
  if (!p.ok) throw new Error(p.reason);
  const r = loadNftables(`table ${family} t {\n chain c { type filter hook input priority 0;\n  ${p.text}\n }\n chain u { }\n}\n`, 'x.nft');
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { text: p.text, back: r.ruleset.tables[0]?.chains[0]?.rules[0] };
}

describe('printModelRule: model rules as nft text that loads back to the same model', () => {
  const cases: [string, Match, Action, 'ip' | 'ip6' | 'inet', Effect[], string][] = [
    ['ports imply the protocol', and(family('ipv4'), lan, protocol(6), eq('dport', 22)), ACCEPT, 'inet', [], 'ip saddr 198.18.0.0/15 tcp dport 22 accept'],
    ['port sets and ranges', and(protocol(17), num('dport', [53, 53], [5000, 5010])), DROP, 'ip', [], 'udp dport { 53, 5000-5010 } drop'],
    ['IPv6 ranges', and(family('ipv6'), v6), ACCEPT, 'inet', [], 'ip6 daddr fd00:f00d::/120 accept'],
    ['icmp types imply the protocol', and(family('ipv4'), protocol(1), eq('icmpType', 8)), ACCEPT, 'inet', [], 'icmp type 8 accept'],
    ['interfaces, conntrack, negation', and(iface('in', 'eth', true), ctstate('new', 'established'), not(eq('dport', 80))), jump('u'), 'inet', [], 'iifname "eth*" ct state new,established th dport != 80 jump u'],
    ['marks and effects', and(bits('mark', 0xff, 0x10)), ACCEPT, 'ip', [{ kind: 'counter' }, { kind: 'mark', target: 'connmark', op: 'set', value: 1, mask: 0xffffffff }], 'meta mark & 0x000000ff == 0x00000010 counter ct mark set 0x00000001 accept'],
    ['tcp flags', and(protocol(6), bits('tcpFlags', 0x12, 0x02)), DROP, 'ip', [], 'meta l4proto tcp tcp flags & 0x12 == 0x02 drop'],
    ['reject kinds', and(protocol(6), eq('dport', 23)), { kind: 'reject', with: { kind: 'tcp-reset', code: 0, name: 'tcp reset' } }, 'inet', [], 'tcp dport 23 reject with tcp reset'],
  ];
  it.each(cases)('%s', (_name, match, action, fam, effects, expected) => {
    const { text, back } = roundTrip(match, action, fam, effects);
    expect(text).toBe(expected);
    const p = printModelRule({ match, action, effects }, fam);
    expect(p.ok).toBe(true);
    const again = roundTrip((back as { match: Match }).match, (back as { action: Action }).action, fam, (back as { effects: Effect[] }).effects);
    expect(comparable(again.back)).toEqual(comparable(back));
  });

  it('refuses what it cannot write, with the reason', () => {
    expect(printModelRule({ match: or(eq('dport', 1), lan), action: ACCEPT }, 'ip')).toEqual({ ok: false, reason: 'a disjunction of different fields needs several nft rules' });
    expect(printModelRule({ match: opaque('rate limit', '-m limit --limit 5/s'), action: ACCEPT }, 'ip')).toEqual({ ok: false, reason: "the rule contains a predicate fwdoctor cannot spell: -m limit --limit 5/s" });
    expect(printModelRule({ match: ctstate('dnat'), action: ACCEPT }, 'ip')).toEqual({ ok: false, reason: 'ct state has no dnat (use ct status dnat)' });
  });
});
