import { describe, expect, it } from 'vitest';
import { ACCEPT, DROP, jump } from '../../model/action.js';
import { addressSetOf, cidrSet, parseCidr } from '../../model/address.js';
import { ANY, and, bits, ctstate, dst, eq, family, iface, not, num, or, protocol, src } from '../../model/match.js';
import type { Rule, Ruleset } from '../../model/ruleset.js';
import { loadNftables } from './index.js';

function load(text: string): Ruleset {
  const r = loadNftables(text, 'test.nft', { readFile: () => undefined });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return r.ruleset;
}

/** The rules of the first chain of a one-table ruleset whose chain holds `body`. */
function rulesOf(body: string, family = 'inet', header = 'type filter hook input priority 0;'): readonly Rule[] {
  return load(`table ${family} t {\n chain c {\n  ${header}\n  ${body.split('\n').join('\n  ')}\n }\n}\n`).tables[0]?.chains[0]?.rules ?? [];
}

function matchOf(body: string, family = 'inet'): unknown {
  return rulesOf(body, family)[0]?.match;
}

const v4 = (c: string): ReturnType<typeof src> => src(cidrSet(parseCidr(c) ?? { family: 'ipv4', value: 0n, length: 0 }));

describe('convert: selectors, dependencies and operators', () => {
  it('adds the dependencies nft adds: l4 protocol for ports, IP family in inet tables', () => {
    expect(matchOf('tcp dport 22')).toEqual(and(protocol(6), eq('dport', 22)));
    expect(matchOf('ip saddr 198.18.0.0/15')).toEqual(and(family('ipv4'), v4('198.18.0.0/15')));
    expect(matchOf('ip saddr 198.18.0.0/15', 'ip')).toEqual(v4('198.18.0.0/15'));
    expect(matchOf('icmp type echo-request')).toEqual(and(family('ipv4'), protocol(1), eq('icmpType', 8)));
    expect(matchOf('icmpv6 type nd-neighbor-solicit', 'ip6')).toEqual(and(protocol(58), eq('icmpType', 135)));
    expect(matchOf('th dport 53')).toEqual(eq('dport', 53));
  });

  it('negation keeps the dependency outside: tcp dport != 22 does not match UDP', () => {
    expect(matchOf('tcp dport != 22')).toEqual(and(protocol(6), not(eq('dport', 22))));
    expect(matchOf('ip daddr != { 198.19.0.1, 198.19.0.2 }', 'ip')).toEqual(not(dst(addressSetOf('ipv4', [[0xc6130001n, 0xc6130002n]]))));
  });

  it('relational operators, ranges and sets become interval sets', () => {
    expect(matchOf('ip ttl < 10', 'ip')).toEqual(num('ttl', [0, 9]));
    expect(matchOf('tcp dport >= 1024')).toEqual(and(protocol(6), num('dport', [1024, 65535])));
    expect(matchOf('udp dport { 53, 67-68, 123 }')).toEqual(and(protocol(17), num('dport', [53, 53], [67, 68], [123, 123])));
    expect(matchOf('ip6 length 60', 'ip6')).toEqual(eq('length', 100));
  });

  it('bitmask types: implicit op means "any of these bits", == and != compare the whole value', () => {
    expect(matchOf('tcp flags syn')).toEqual(and(protocol(6), not(bits('tcpFlags', 0x02, 0))));
    expect(matchOf('tcp flags syn,ack')).toEqual(and(protocol(6), not(bits('tcpFlags', 0x12, 0))));
    expect(matchOf('tcp flags == syn')).toEqual(and(protocol(6), bits('tcpFlags', 0xff, 0x02)));
    expect(matchOf('tcp flags != syn')).toEqual(and(protocol(6), not(bits('tcpFlags', 0xff, 0x02))));
    expect(matchOf('tcp flags & (syn | ack) == syn')).toEqual(and(protocol(6), bits('tcpFlags', 0x12, 0x02)));
    expect(matchOf('tcp flags syn / syn,ack')).toEqual(and(protocol(6), bits('tcpFlags', 0x12, 0x02)));
    expect(matchOf('tcp flags { syn, syn | ack }')).toEqual(and(protocol(6), or(bits('tcpFlags', 0xff, 0x02), bits('tcpFlags', 0xff, 0x12))));
    // `!` is none of the bits, not `!=` (found by the kernel harness; nft -j writes it as "op": "!").
    expect(matchOf('tcp flags ! fin,syn')).toEqual(and(protocol(6), not(not(bits('tcpFlags', 0x03, 0)))));
  });

  it('ct state: lists are any-of, != compares the state value (so != established,related always holds)', () => {
    expect(matchOf('ct state established,related')).toEqual(or(ctstate('established'), ctstate('related')));
    expect(matchOf('ct state != established')).toEqual(or(ctstate('invalid'), ctstate('related'), ctstate('new'), ctstate('untracked')));
    expect(matchOf('ct state != established,related')).toEqual(ANY);
    expect(matchOf('ct state { new, untracked }')).toEqual(or(ctstate('new'), ctstate('untracked')));
  });

  it('marks: ranges become mask blocks, bit operations fold into one mask and value', () => {
    expect(matchOf('meta mark 0x10-0x1f')).toEqual(bits('mark', 0xfffffff0, 0x10));
    expect(matchOf('ct mark & 0xff00 == 0x100')).toEqual(bits('connmark', 0xff00, 0x100));
    expect(matchOf('ct mark | 0x23 == 0x33')).toEqual(bits('connmark', 0xffffffdc, 0x10));
    expect(matchOf('ct mark | 0x23 == 0x11')).toEqual({ kind: 'none' });
  });

  it('interfaces: names and wildcards; iif by name', () => {
    expect(matchOf('iifname "eth*"')).toEqual(iface('in', 'eth', true));
    expect(matchOf('oifname != { "lo", "wg0" }')).toEqual(not(or(iface('out', 'lo'), iface('out', 'wg0'))));
    expect(matchOf('iif "lo"')).toEqual(iface('in', 'lo'));
  });

  it('meta nfproto, meta protocol and ether type select the IP family', () => {
    expect(matchOf('meta nfproto ipv6')).toEqual(family('ipv6'));
    expect(matchOf('meta protocol ip')).toEqual(family('ipv4'));
    expect(matchOf('meta l4proto { tcp, udp }')).toEqual(num('protocol', [6, 6], [17, 17]));
  });

  it('what the model cannot express becomes opaque with a reason, never dropped', () => {
    expect(matchOf('fib daddr type local')).toMatchObject({ kind: 'opaque', reason: expect.stringContaining('routing table'), text: 'fib daddr type local' });
    expect(matchOf('tcp dport 22 limit rate 5/second')).toMatchObject({ kind: 'and', items: [protocol(6), eq('dport', 22), { kind: 'opaque', reason: expect.stringContaining('rate limit') }] });
    expect(matchOf('ip id 5', 'ip')).toMatchObject({ kind: 'opaque', text: 'ip id 5' });
  });
});

describe('convert: sets, maps and verdict maps', () => {
  const table = [
    'table inet t {',
    ' set allow { type ipv4_addr; flags interval; elements = { 198.18.0.0/24, 198.18.9.1 } }',
    ' set pairs { type ipv4_addr . inet_service; elements = { 198.19.0.1 . 22, 198.19.0.2 . 443 } }',
    ' map ports { type inet_service : verdict; elements = { 22 : jump ssh, 80 : accept } }',
    ' set seen { type ipv4_addr; flags dynamic; }',
    ' chain c { type filter hook input priority 0;',
    '  ip saddr @allow accept',
    '  ip daddr . tcp dport @pairs accept',
    '  tcp dport vmap @ports',
    '  udp dport vmap { 53 : accept, * : drop }',
    '  ip saddr @seen drop',
    '  add @seen { ip saddr }',
    ' }',
    ' chain ssh { }',
    '}',
  ].join('\n');
  const rules = load(table).tables[0]?.chains[0]?.rules ?? [];

  it('inlines a named set and keeps its name in the origin', () => {
    expect(rules[0]?.match).toEqual(and(family('ipv4'), src(addressSetOf('ipv4', [[0xc6120000n, 0xc61200ffn], [0xc6120901n, 0xc6120901n]]))));
    expect(rules[0]?.match).toMatchObject({ items: [{ kind: 'family' }, { kind: 'addr', set: { set: { intervals: [[0xc6120000n, 0xc61200ffn], [0xc6120901n, 0xc6120901n]] } } }] });
    expect(rules[0]?.origin.native).toMatchObject({ family: 'inet', table: 't', chain: 'c', index: 1, sets: 'allow' });
  });

  it('a concatenated set is an or of ands', () => {
    expect(rules[1]?.match).toEqual(or(
      and(family('ipv4'), dst(cidrSet({ family: 'ipv4', value: 0xc6130001n, length: 32 })), protocol(6), eq('dport', 22)),
      and(family('ipv4'), dst(cidrSet({ family: 'ipv4', value: 0xc6130002n, length: 32 })), protocol(6), eq('dport', 443)),
    ));
  });

  it('a negated concatenated set keeps the dependencies outside the negation', () => {
    // Found by the kernel harness: `ip6 saddr . tcp dport != { … }` does not match a UDP packet.
    expect(matchOf('ip saddr . tcp dport != { 198.19.0.1 . 22 }', 'ip')).toEqual(and(protocol(6), not(
      and(src(cidrSet({ family: 'ipv4', value: 0xc6130001n, length: 32 })), protocol(6), eq('dport', 22)),
    )));
  });

  it('verdict maps become dispatch actions; the wildcard case comes last and keeps the dependency', () => {
    expect(rules[2]?.action).toEqual({ kind: 'dispatch', cases: [
      { match: and(protocol(6), eq('dport', 22)), action: jump('ssh') },
      { match: and(protocol(6), eq('dport', 80)), action: ACCEPT },
    ] });
    expect(rules[3]?.action).toEqual({ kind: 'dispatch', cases: [
      { match: and(protocol(17), eq('dport', 53)), action: ACCEPT },
      { match: protocol(17), action: DROP },
    ] });
  });

  it('a set the ruleset updates at run time is opaque, and the update is an effect', () => {
    expect(rules[4]?.match).toMatchObject({ kind: 'and', items: [{ kind: 'family' }, { kind: 'opaque', reason: expect.stringContaining('updated by the ruleset') }] });
    expect(rules[5]?.effects).toEqual([{ kind: 'other', name: 'add @seen', text: 'add @seen { ip saddr }' }]);
  });
});

describe('convert: actions and effects', () => {
  it('reject defaults to port-unreachable of the family; icmpx when the inet rule does not say', () => {
    expect(rulesOf('reject', 'ip')[0]?.action).toEqual({ kind: 'reject', with: { kind: 'icmp', code: 3, name: 'port-unreachable' } });
    expect(rulesOf('reject', 'ip6')[0]?.action).toEqual({ kind: 'reject', with: { kind: 'icmpv6', code: 4, name: 'port-unreachable' } });
    expect(rulesOf('tcp dport 22 reject')[0]?.action).toEqual({ kind: 'reject', with: { kind: 'icmpx', code: 1, name: 'port-unreachable' } });
    expect(rulesOf('ip saddr 1.2.3.4 reject')[0]?.action).toEqual({ kind: 'reject', with: { kind: 'icmp', code: 3, name: 'port-unreachable' } });
  });

  it('explicit reject types add the dependency nft adds (family, tcp)', () => {
    const [icmp, tcp] = rulesOf('reject with icmp host-prohibited\nreject with tcp reset');
    expect(icmp?.match).toEqual(family('ipv4'));
    expect(icmp?.action).toEqual({ kind: 'reject', with: { kind: 'icmp', code: 10, name: 'host-prohibited' } });
    expect(tcp?.match).toEqual(protocol(6));
    expect(tcp?.action).toEqual({ kind: 'reject', with: { kind: 'tcp-reset', code: 0, name: 'tcp reset' } });
  });

  it('mark and connmark updates', () => {
    const rs = rulesOf(['meta mark set 0x10', 'meta mark set meta mark | 0x100', 'meta mark set meta mark & 0xffff0000 | 0x5', 'ct mark set meta mark', 'meta mark set ct mark', 'meta mark set ip dscp'].join('\n'));
    expect(rs.map((r) => r.effects[0])).toEqual([
      { kind: 'mark', target: 'mark', op: 'set', value: 0x10, mask: 0xffffffff },
      { kind: 'mark', target: 'mark', op: 'set', value: 0x100, mask: 0x100 },
      { kind: 'mark', target: 'mark', op: 'set', value: 0x5, mask: 0x0000ffff },
      { kind: 'mark', target: 'connmark', op: 'save', value: 0, mask: 0xffffffff },
      { kind: 'mark', target: 'mark', op: 'restore', value: 0, mask: 0xffffffff },
      { kind: 'other', name: 'mark set', text: 'meta mark set ip dscp' },
    ]);
  });

  it('counter, log, notrack, queue, verdicts', () => {
    const rs = load('table inet t {\n chain c {\n  counter log prefix "in: " accept\n  notrack\n  queue flags bypass to 3\n  goto other\n  return\n }\n chain other { }\n}\n').tables[0]?.chains[0]?.rules ?? [];
    expect(rs[0]?.effects).toEqual([{ kind: 'counter' }, { kind: 'log', name: 'log', prefix: 'in: ', text: 'log prefix "in: "' }]);
    expect(rs[0]?.action).toEqual(ACCEPT);
    expect(rs[1]?.effects).toEqual([{ kind: 'notrack' }]);
    expect(rs[2]?.action).toEqual({ kind: 'queue', text: 'queue flags bypass to 3', bypass: true });
    expect(rs[3]?.action).toEqual({ kind: 'goto', chain: 'other' });
    expect(rs[4]?.action).toEqual({ kind: 'return' });
  });

  it('NAT statements keep address and port ranges', () => {
    const text = 'table ip nat {\n chain pre { type nat hook prerouting priority dstnat;\n  tcp dport 80 dnat to 198.19.0.10:8080\n  dnat to 198.19.0.0/30\n }\n chain post { type nat hook postrouting priority srcnat;\n  meta l4proto tcp masquerade to :1024-2048 random\n }\n}\n';
    const [pre, post] = load(text).tables[0]?.chains ?? [];
    expect(pre?.rules[0]?.action).toEqual({ kind: 'nat', nat: { type: 'dnat', flags: [], addresses: { family: 'ipv4', lo: 0xc613000an, hi: 0xc613000an }, ports: [8080, 8080] } });
    expect(pre?.rules[1]?.action).toEqual({ kind: 'nat', nat: { type: 'dnat', flags: [], addresses: { family: 'ipv4', lo: 0xc6130000n, hi: 0xc6130003n } } });
    expect(post?.rules[0]?.action).toEqual({ kind: 'nat', nat: { type: 'masquerade', flags: ['random'], ports: [1024, 2048] } });
  });

  it('an anonymous chain becomes a chain of the table, jumped to', () => {
    const t = load('table inet t {\n chain c { type filter hook input priority 0;\n  tcp dport 22 jump { ip saddr 1.2.3.4 accept; drop }\n }\n}\n').tables[0];
    expect(t?.chains[0]?.rules[0]?.action).toEqual(jump('__chain0'));
    expect(t?.chains[1]?.name).toBe('__chain0');
    expect(t?.chains[1]?.rules.map((r) => r.action)).toEqual([ACCEPT, DROP]);
  });
});

describe('convert: tables, chains and origins', () => {
  it('resolves named priorities per family and keeps policy, type and device', () => {
    const rs = load([
      'table inet f { chain i { type filter hook input priority filter - 5; policy drop; } }',
      'table bridge b { chain f { type filter hook forward priority filter; } }',
      'table netdev n { chain g { type filter hook ingress devices = { "eth0", "eth1" } priority 10; } }',
      'table ip x { chain p { type nat hook prerouting priority dstnat + 1; } chain u { } }',
    ].join('\n'));
    expect(rs.tables.map((t) => [t.family, t.name, t.source])).toEqual([['inet', 'f', 'nftables'], ['bridge', 'b', 'nftables'], ['netdev', 'n', 'nftables'], ['ip', 'x', 'nftables']]);
    expect(rs.tables.map((t) => t.chains[0]?.base)).toEqual([
      { hook: 'input', priority: -5, type: 'filter', policy: 'drop' },
      { hook: 'forward', priority: -200, type: 'filter', policy: 'accept' },
      { hook: 'ingress', priority: 10, type: 'filter', policy: 'accept', device: 'eth0,eth1' },
      { hook: 'prerouting', priority: -99, type: 'nat', policy: 'accept' },
    ]);
    expect(rs.tables[3]?.chains[1]?.base).toBeUndefined();
  });

  it('every rule points back to its file, line, column, text, index and handle', () => {
    const r = load('table inet f {\n chain c {\n  tcp dport 22 accept\n\n    udp dport 53   drop # handle 9\n }\n}\n').tables[0]?.chains[0]?.rules ?? [];
    expect(r.map((x) => x.origin)).toEqual([
      { dialect: 'nftables', file: 'test.nft', line: 3, column: 3, text: 'tcp dport 22 accept', native: { family: 'inet', table: 'f', chain: 'c', index: 1, handle: 2 } },
      { dialect: 'nftables', file: 'test.nft', line: 5, column: 5, text: 'udp dport 53 drop', native: { family: 'inet', table: 'f', chain: 'c', index: 2, handle: 9 } },
    ]);
  });
});
