import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCEPT } from '../../model/action.js';
import { loadNftables, printRuleset } from './index.js';
import { comparable } from './testing.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const names = readdirSync(dir).filter((f) => /\.(nft|json)$/.test(f));
const good = names.filter((f) => !f.includes('-bad.'));
const bad = names.filter((f) => f.includes('-bad.'));
const pairs = good.filter((f) => f.endsWith('.nft') && names.includes(f.replace(/\.nft$/, '.json')));

function load(name: string, text = read(name)): ReturnType<typeof loadNftables> {
  return loadNftables(text, name, { readFile: (p) => { try { return read(p); } catch { return undefined; } } });
}

describe('nftables fixtures', () => {
  it('has text/JSON pairs to compare', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(good)('%s loads without errors', (f) => {
    const r = load(f);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.ruleset.tables.length).toBeGreaterThan(0);
  });

  it.each(pairs)('%s and its nft -j twin give the same model', (f) => {
    const text = load(f);
    const json = load(f.replace(/\.nft$/, '.json'));
    expect(comparable(json.ruleset)).toEqual(comparable(text.ruleset));
  });

  it.each(good)('%s: parse(print(parse(x))) equals parse(x)', (f) => {
    const a = load(f);
    const b = loadNftables(printRuleset(a.syntax), `${f}.printed`);
    expect(b.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(comparable(b.syntax)).toEqual(comparable(a.syntax));
    expect(comparable(b.ruleset)).toEqual(comparable(a.ruleset));
  });

  it.each(good.filter((f) => f.endsWith('.nft')))('%s: CRLF, a BOM and trailing whitespace give the same model', (f) => {
    const a = load(f);
    const b = load(f, `\uFEFF${read(f).replace(/\n/g, ' \t\r\n')}`);
    expect(comparable(b.ruleset)).toEqual(comparable(a.ruleset));
  });

  it.each(bad)('%s gives exactly the expected diagnostics', (f) => {
    const r = load(f);
    const got = r.diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.severity} ${d.code} ${d.message}`);
    expect(got).toEqual(read(f.replace(/\.(nft|json)$/, '.expected')).trim().split('\n'));
  });
});

describe('nftables.conf style fixture (variables, includes, commands)', () => {
  const r = load('conf/main.nft');

  it('reads the include relative to the including file and applies its commands', () => {
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect([...r.files.keys()]).toEqual(['conf/main.nft', 'conf/rules.d/services.nft']);
    const t = r.ruleset.tables[0];
    expect(t?.chains.map((c) => c.name)).toEqual(['input', 'services']);
    expect(t?.chains[1]?.rules.map((x) => [x.origin.file, x.origin.line, x.origin.text])).toEqual([
      ['conf/rules.d/services.nft', 4, 'add rule inet filter services tcp dport $web_ports accept'.slice('add rule inet filter services '.length)],
      ['conf/rules.d/services.nft', 5, 'udp dport domain accept'],
    ]);
    expect(t?.chains[1]?.rules[0]?.match).toMatchObject({ kind: 'and', items: [{ kind: 'num', field: 'protocol' }, { kind: 'num', field: 'dport', set: { intervals: [[80, 80], [443, 443]] } }] });
  });

  it('expands variables spanning continuation lines', () => {
    const rule = r.ruleset.tables[0]?.chains[0]?.rules[1];
    expect(rule?.action).toEqual(ACCEPT);
    expect(rule?.match).toMatchObject({ kind: 'and', items: [
      { kind: 'iface', dir: 'in', name: 'eth1' }, { kind: 'family', family: 'ipv4' },
      { kind: 'addr', field: 'src', set: { set: { intervals: [[0xc6120000n, 0xc61200ffn], [0xc6120700n, 0xc61207ffn]] } } },
      { kind: 'num', field: 'protocol' }, { kind: 'num', field: 'dport', set: { intervals: [[22, 22]] } },
    ] });
  });
});

describe('iptables-nft tables as nft lists them', () => {
  it('text shows translated matches; JSON shows xt compat expressions, mapped by name', () => {
    const text = load('iptables-nft.nft').ruleset;
    const json = load('iptables-nft.xt.json').ruleset;
    const tRules = text.tables[0]?.chains[0]?.rules ?? [];
    const jRules = json.tables[0]?.chains[0]?.rules ?? [];
    expect(tRules[0]?.match).toMatchObject({ kind: 'and', items: [{ field: 'protocol' }, { field: 'dport' }, { kind: 'ctstate', states: ['new'] }] });
    expect(jRules[0]?.match).toMatchObject({ kind: 'and', items: [{ field: 'protocol' }, { field: 'dport' }, { kind: 'opaque', reason: expect.stringContaining('xt match conntrack') }] });
    expect(tRules[1]?.match).toMatchObject({ kind: 'opaque', text: 'xt match "string"' });
    expect(jRules[1]?.effects).toEqual([{ kind: 'counter' }, { kind: 'log', name: 'LOG', text: 'xt target "LOG"' }]);
    expect(tRules[2]?.action).toEqual({ kind: 'reject', with: { kind: 'icmp', code: 3, name: 'port-unreachable' } });
    expect(jRules[2]?.action).toMatchObject({ kind: 'reject', with: { kind: 'icmpx', name: expect.stringContaining('xt target') } });
    expect(text.tables.map((t) => `${t.family} ${t.name} ${t.chains[0]?.base?.priority}`)).toEqual(['ip filter 0', 'inet filter 10']);
  });
});
