import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../diagnostics/source.js';
import { DIALECTS, detectDialect } from '../registry.js';
import { tokenize } from './lexer.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globOnDisk, loadNftables, nftablesDialect } from './index.js';

describe('nftablesDialect', () => {
  it('detects nft text, nftables.conf scripts and nft -j JSON, but not iptables-save', () => {
    expect(nftablesDialect.detect('table inet filter {\n}\n')).toBe(true);
    expect(nftablesDialect.detect('#!/usr/sbin/nft -f\nflush ruleset\n')).toBe(true);
    expect(nftablesDialect.detect('add rule ip filter input accept\n')).toBe(true);
    expect(nftablesDialect.detect('{"nftables": [{"metainfo": {}}]}')).toBe(true);
    expect(nftablesDialect.detect('anything', '/etc/nftables.nft')).toBe(true);
    expect(nftablesDialect.detect('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n')).toBe(false);
    expect(nftablesDialect.detect('just some text')).toBe(false);
  });

  it('is registered, and the registry picks it for nft input', () => {
    expect(DIALECTS.map((d) => d.id)).toContain('nftables');
    expect(detectDialect('table ip t { chain c { accept } }')?.id).toBe('nftables');
  });

  it('implements the dialect contract: parse, convert, print', () => {
    const f = sourceFile('x.nft', 'table ip t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  tcp dport 22 accept\n }\n}\n');
    const parsed = nftablesDialect.parse(f);
    expect(parsed.diagnostics).toEqual([]);
    const model = nftablesDialect.convert(parsed.value, f, {});
    expect(model.value.tables[0]?.chains[0]?.base).toEqual({ hook: 'input', priority: 0, type: 'filter', policy: 'drop' });
    expect(nftablesDialect.print(parsed.value)).toContain('\t\ttcp dport 22 accept # handle 2');
  });

  it('expands wildcard includes on disk', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
    expect(globOnDisk(`${dir}/*-bad.nft`).map((p) => p.slice(dir.length + 1)).sort()).toEqual(['types-bad.nft', 'undefined-bad.nft']);
    expect(globOnDisk(`${dir}/nothing-*.nft`)).toEqual([]);
  });

  it('loadNftables returns the model, the syntax, every diagnostic and every file read', () => {
    const r = loadNftables('include "b.nft"\n', 'a.nft', { readFile: (p) => (p === 'b.nft' ? 'table ip t { chain c { ip saddr 1.2.3.4/33 } }\n' : undefined) });
    expect([...r.files.keys()]).toEqual(['a.nft', 'b.nft']);
    expect(r.diagnostics.map((d) => `${d.span?.file}:${d.span?.start.line}:${d.span?.start.column} ${d.message}`)).toEqual(['b.nft:1:33 prefix length 33 is longer than the 32 bits of ipv4_addr']);
    expect(r.syntax.tables[0]?.name).toBe('t');
    expect(r.ruleset.tables[0]?.chains[0]?.rules[0]?.match).toMatchObject({ kind: 'opaque' });
  });
});

describe('tokenize', () => {
  const words = (text: string): string[] => tokenize(sourceFile('x', text)).tokens.filter((t) => t.kind !== 'eof').map((t) => `${t.kind}:${t.text}`);

  it('keeps addresses, ranges, prefixes and names with dashes as single words', () => {
    expect(words('ip6 saddr 2001:db8::1-2001:db8::ff fe80::/64 echo-request 10.0.0.0/8 1-100 00:11:22:33:44:55')).toEqual([
      'word:ip6', 'word:saddr', 'word:2001:db8::1-2001:db8::ff', 'word:fe80::/64', 'word:echo-request', 'word:10.0.0.0/8', 'word:1-100', 'word:00:11:22:33:44:55',
    ]);
  });

  it('splits map separators from the key: 22:accept and ::1:accept', () => {
    expect(words('{22:accept, ::1:drop, 1234:1234:1234:1234:1234:1234:aaaa:::accept}')).toEqual([
      'punct:{', 'word:22', 'punct::', 'word:accept', 'punct:,', 'word:::1', 'punct::', 'word:drop', 'punct:,', 'word:1234:1234:1234:1234:1234:1234:aaaa::', 'punct::', 'word:accept', 'punct:}',
    ]);
  });

  it('reads strings, comments, line continuations, negative numbers and operators', () => {
    expect(words('iifname "eth 0" # comment\ntcp \\\n dport != 22 priority -150 filter - 5 <= >>')).toEqual([
      'word:iifname', 'string:eth 0', 'newline:\n', 'word:tcp', 'word:dport', 'punct:!=', 'word:22', 'word:priority', 'word:-150', 'word:filter', 'punct:-', 'word:5', 'punct:<=', 'punct:>>',
    ]);
    const bad = tokenize(sourceFile('x', 'comment "open\nnext'));
    expect(bad.diagnostics.map((d) => d.message)).toEqual(['expected a closing \'"\' before the end of the line']);
  });
});
