import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNftables } from './index.js';
import { sourceFile } from '../../diagnostics/source.js';
import { parseNftText } from './parse-text.js';
import { printRuleBody } from './print-expr.js';
import type { NftSyntax } from './syntax.js';

function parse(text: string, files: Record<string, string> = {}): ReturnType<typeof parseNftText> {
  return parseNftText(sourceFile('main.nft', text), { readFile: (p) => files[p] });
}

function rules(s: NftSyntax, table = 0, chain = 0): string[] {
  return s.tables[table]?.chains[chain]?.rules.map((r) => printRuleBody(r)) ?? [];
}

function errors(r: ReturnType<typeof parseNftText>): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span?.file}:${d.span?.start.line}:${d.span?.start.column} ${d.code} ${d.message}`);
}

describe('parseNftText: files in the nftables.conf style', () => {
  it('expands define variables (also sets of values) and keeps the rule text as written', () => {
    const r = parse('define ssh = 22\ndefine webs = { 80, 443 }\ntable inet f {\n chain c {\n  tcp dport $ssh accept\n  tcp dport $webs accept\n }\n}\n');
    expect(errors(r)).toEqual([]);
    expect(rules(r.value)).toEqual(['tcp dport 22 accept', 'tcp dport { 80, 443 } accept']);
    expect(r.value.tables[0]?.chains[0]?.rules[0]?.text).toBe('tcp dport $ssh accept');
  });

  it('reports an undefined variable where it is used and keeps parsing the next rules', () => {
    const r = parse('table ip t {\n chain c {\n  ip saddr $nope drop\n  tcp dport 22 accept\n }\n}\n');
    expect(errors(r)).toEqual(["main.nft:3:12 nftables/undefined-variable undefined variable '$nope': expected a name given by 'define' earlier in the file"]);
    expect(rules(r.value)).toEqual(['ip saddr $nope drop', 'tcp dport 22 accept']);
  });

  it('reads includes relative to the including file through the injected reader', () => {
    const files = {
      'etc/nft/main.nft': 'include "rules/ssh.nft"\n',
      'etc/nft/rules/ssh.nft': 'define port = 22\ntable ip t {\n chain c {\n  tcp dport $port accept\n }\n}\n',
    };
    const r = parseNftText(sourceFile('etc/nft/main.nft', files['etc/nft/main.nft']), { readFile: (p) => files[p as keyof typeof files] });
    expect(errors(r)).toEqual([]);
    expect(rules(r.value)).toEqual(['tcp dport 22 accept']);
    expect([...r.files.keys()]).toEqual(['etc/nft/main.nft', 'etc/nft/rules/ssh.nft']);
    expect(r.value.tables[0]?.chains[0]?.rules[0]?.span.file).toBe('etc/nft/rules/ssh.nft');
  });

  it('expands wildcard includes in name order; no match is not an error', () => {
    const files: Record<string, string> = { 'conf.d/20-b.nft': 'table ip b { }\n', 'conf.d/10-a.nft': 'table ip a { }\n' };
    const glob = (pattern: string): string[] => Object.keys(files).filter((f) => new RegExp(`^${pattern.replace('.', '\\.').replace('*', '.*')}$`).test(f));
    const r = parseNftText(sourceFile('main.nft', 'include "conf.d/*.nft"\ninclude "none.d/*.nft"\n'), { readFile: (p) => files[p], glob });
    expect(errors(r)).toEqual([]);
    expect(r.value.tables.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('reports a missing include and an include loop as errors', () => {
    expect(errors(parse('include "nope.nft"\n'))).toEqual(["main.nft:1:9 nftables/include-not-found cannot read included file 'nope.nft'"]);
    const loop = parse('include "main.nft"\n', { 'main.nft': 'include "main.nft"\n' });
    expect(errors(loop)[0]).toContain('nftables/include-loop');
  });

  it('handles comments, line continuation, ; separators and flush ruleset', () => {
    const r = parse([
      'table ip old { chain c { accept; } }',
      'flush ruleset # start from scratch',
      'table ip t { # comment',
      '  chain c { type filter hook input priority 0; policy drop;',
      '    tcp dport \\',
      '      22 accept ; udp dport 53 accept',
      '  }',
      '}',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    expect(r.value.tables.map((t) => t.name)).toEqual(['t']);
    expect(rules(r.value)).toEqual(['tcp dport 22 accept', 'udp dport 53 accept']);
    expect(r.value.tables[0]?.chains[0]?.policy).toBe('drop');
  });

  it('applies add / insert / replace / delete rule commands with positions by handle and index', () => {
    const r = parse([
      'add table inet f',
      'add chain inet f c { type filter hook input priority filter + 5 ; }',
      'add rule inet f c tcp dport 1 accept',
      'add rule inet f c tcp dport 3 accept',
      'insert rule inet f c position 3 tcp dport 2 accept',
      'insert rule inet f c tcp dport 0 accept',
      'add rule inet f c index 3 tcp dport 4 accept',
      'replace rule inet f c handle 2 tcp dport 1111 accept',
      'delete rule inet f c handle 4',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    expect(rules(r.value)).toEqual(['tcp dport 0 accept', 'tcp dport 1111 accept', 'tcp dport 3 accept', 'tcp dport 4 accept']);
    expect(r.value.tables[0]?.chains[0]?.base?.priority).toEqual({ kind: 'named', name: 'filter', offset: 5 });
  });

  it('reads numeric and named priorities with offsets, policies and devices', () => {
    const r = parse([
      'table netdev n { chain i { type filter hook ingress device "eth0" priority -5; policy drop; } }',
      'table bridge b { chain f { type filter hook forward priority filter - 3; } }',
      'table ip t { chain c { type nat hook prerouting priority dstnat; } chain d { type filter hook input priority mangle -5; } }',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    const [n, b, t] = r.value.tables;
    expect(n?.chains[0]?.base).toMatchObject({ type: 'filter', hook: 'ingress', devices: ['eth0'], priority: { kind: 'number', value: -5 } });
    expect(b?.chains[0]?.base?.priority).toEqual({ kind: 'named', name: 'filter', offset: -3 });
    expect(t?.chains.map((c) => c.base?.priority)).toEqual([{ kind: 'named', name: 'dstnat', offset: 0 }, { kind: 'named', name: 'mangle', offset: -5 }]);
  });

  it('parses sets and maps with types, typeof, flags, concatenations and elements (also added later)', () => {
    const r = parse([
      'table inet f {',
      '  set s { type ipv4_addr . inet_service; flags interval,timeout; timeout 1h; elements = { 10.0.0.0/8 . 22-25, 1.2.3.4 . 80 timeout 5m comment "x" } }',
      '  map m { typeof iifname : verdict; elements = { "eth0" : jump c, * : drop } }',
      '  chain c { }',
      '}',
      'add element inet f s { 5.6.7.8 . 443 }',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    const [s, m] = r.value.tables[0]?.sets ?? [];
    expect(s?.keyType).toEqual({ kind: 'types', names: ['ipv4_addr', 'inet_service'] });
    expect(s?.flags).toEqual(['interval', 'timeout']);
    expect(s?.elements.length).toBe(3);
    expect(s?.elements[0]).toMatchObject({ kind: 'concat', items: [{ kind: 'prefix', len: 8 }, { kind: 'range' }] });
    expect(s?.elements[1]).toMatchObject({ kind: 'elem', options: [{ kind: 'timeout', value: '5m' }, { kind: 'comment', value: 'x' }] });
    expect(m?.map).toBe(true);
    expect(m?.dataType).toEqual({ kind: 'types', names: ['verdict'] });
    expect(m?.elements.map((e) => e.kind)).toEqual(['mapping', 'mapping']);
  });

  it('parses flowtables, named objects and anonymous chains', () => {
    const r = parse([
      'table inet f {',
      '  flowtable ft { hook ingress priority filter; devices = { "eth0", "eth1" }; counter }',
      '  counter cnt { packets 1 bytes 2 }',
      '  ct helper ftp { type "ftp" protocol tcp; }',
      '  chain c { type filter hook forward priority 0; flow add @ft; tcp dport 22 jump { ip saddr 1.2.3.4 accept; drop } }',
      '}',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    const t = r.value.tables[0];
    expect(t?.flowtables[0]).toMatchObject({ name: 'ft', hook: 'ingress', devices: ['eth0', 'eth1'], counter: true });
    expect(t?.objects.map((o) => `${o.type} ${o.name}`)).toEqual(['counter cnt', 'ct helper ftp']);
    expect(rules(r.value)).toEqual(['flow add @ft', 'tcp dport 22 jump { ip saddr 1.2.3.4 accept; drop }']);
  });

  it('splits words by datatype: ranges, prefixes, IPv6 ranges, names with dashes, MAC addresses', () => {
    const r = parse([
      'table inet f { chain c {',
      '  tcp dport 1024-65535 ip6 saddr 2001:db8::-2001:db8::ff ip6 daddr fe80::/64 accept',
      '  icmp type destination-unreachable ether saddr 00:11:22:33:44:55 accept',
      '  ip6 saddr vmap { ::1 : accept, ::2:drop }',
      '} }',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    const stmts = r.value.tables[0]?.chains[0]?.rules.map((x) => x.stmts) ?? [];
    expect(stmts[0]?.map((s) => (s.kind === 'match' ? s.right.kind : s.kind))).toEqual(['range', 'range', 'prefix', 'verdict']);
    expect(stmts[1]?.[0]).toMatchObject({ right: { kind: 'value', text: 'destination-unreachable' } });
    expect(stmts[2]?.[0]).toMatchObject({ kind: 'vmap', data: { kind: 'set', items: [{ kind: 'mapping' }, { kind: 'mapping', key: { text: '::2' } }] } });
  });

  it('reports unknown keywords with expected/found and recovers at the next line', () => {
    const r = parse('table ip t {\n chain c {\n  tcp dprot 22 accept\n  frobnicate\n  udp dport 53 accept\n }\n}\n');
    expect(errors(r)).toEqual([
      "main.nft:3:7 nftables/unknown-keyword expected a field of 'tcp' (sport, dport, sequence, ackseq, doff, reserved, flags, window, checksum, urgptr), got 'dprot'",
      "main.nft:4:3 nftables/unknown-keyword unknown statement 'frobnicate': expected a match (ip saddr …, tcp dport …), a verdict or a statement such as counter, log, reject",
    ]);
    expect(rules(r.value)).toEqual(['udp dport 53 accept']);
  });

  it('keeps handles from `nft -a list ruleset` comments', () => {
    const r = parse('table ip t { # handle 1\n chain c { # handle 2\n  tcp dport 22 accept # handle 7\n }\n}\n');
    expect(r.value.tables[0]?.chains[0]?.handle).toBe(2);
    expect(r.value.tables[0]?.chains[0]?.rules[0]?.handle).toBe(7);
  });

  it('never throws on garbage', () => {
    for (const text of ['}}}', 'table', 'table ip t { chain c { ip saddr { 1.2.3.4', '"unterminated', 'add rule ip t c accept', '\u0000\u0001']) {
      expect(() => parse(text)).not.toThrow();
      expect(parse(text).diagnostics.length).toBeGreaterThan(0);
    }
  });
});

describe('robustness', () => {
  const words = ['table', 'inet', 'ip', 'chain', 'c', 'set', 's', '{', '}', ';', '\n', 'type', 'filter', 'hook', 'input', 'priority', '0', 'tcp', 'dport',
    '22', '1-100', 'accept', 'jump', '@s', '$v', 'define', 'v', '=', 'ip saddr', '10.0.0.0/8', '::1', ':', ',', '.', '"x"', 'vmap', 'ct state', 'new', '!=', '&', '(', ')', 'elements', 'include'];
  it('never throws, whatever the token soup, and reports errors with spans inside the file', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), (ws) => {
      const text = ws.join(' ');
      const r = loadNftables(text, 'f.nft', { readFile: () => undefined });
      const lines = text.split('\n').length;
      for (const d of r.diagnostics) expect(d.span === undefined || (d.span.start.line >= 1 && d.span.start.line <= lines)).toBe(true);
    }), { numRuns: 300 });
  });
});
