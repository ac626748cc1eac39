import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../diagnostics/source.js';
import { loadNftables, printNftChange, printRuleset } from './index.js';
import { printNftScriptLine } from './print-command.js';
import { parseNftText } from './parse-text.js';

describe('printNftChange: ruleset changes as nft commands', () => {
  it('prints rule insertions, additions, replacements and deletions with positions by handle', () => {
    expect(printNftChange({ kind: 'insert-rule', family: 'inet', table: 'filter', chain: 'input', position: 7, rule: 'tcp dport 8080 accept' }))
      .toBe('nft insert rule inet filter input position 7 tcp dport 8080 accept');
    expect(printNftChange({ kind: 'add-rule', family: 'ip', table: 'filter', chain: 'INPUT', rule: 'ip saddr 198.18.0.5 drop' }))
      .toBe('nft add rule ip filter INPUT ip saddr 198.18.0.5 drop');
    expect(printNftChange({ kind: 'replace-rule', family: 'inet', table: 'filter', chain: 'input', handle: 4, rule: 'tcp dport { 22, 443 } accept' }))
      .toBe("nft replace rule inet filter input handle 4 'tcp dport { 22, 443 } accept'");
    expect(printNftChange({ kind: 'delete-rule', family: 'inet', table: 'filter', chain: 'input', handle: 4 })).toBe('nft delete rule inet filter input handle 4');
  });

  it('prints elements, policies and chains, quoting what the shell would misread', () => {
    expect(printNftChange({ kind: 'add-element', family: 'inet', table: 'filter', set: 'allowed', elements: ['198.18.0.5', '198.18.1.0/24'] }))
      .toBe("nft add element inet filter allowed '{ 198.18.0.5, 198.18.1.0/24 }'");
    expect(printNftChange({ kind: 'set-policy', family: 'inet', table: 'filter', chain: 'input', policy: 'accept' }))
      .toBe("nft chain inet filter input '{ policy accept; }'");
    expect(printNftChange({ kind: 'add-rule', family: 'inet', table: 'filter', chain: 'input', rule: 'iifname "eth0" accept' }))
      .toBe(`nft add rule inet filter input 'iifname "eth0" accept'`);
  });

  it('script lines are valid nft -f input that applies the change', () => {
    const base = 'table inet filter {\n set allowed { type ipv4_addr; }\n chain input { type filter hook input priority 0; policy drop;\n  tcp dport 22 accept\n }\n}\n';
    const changes = [
      printNftScriptLine({ kind: 'insert-rule', family: 'inet', table: 'filter', chain: 'input', position: 3, rule: 'tcp dport 8080 accept' }),
      printNftScriptLine({ kind: 'add-element', family: 'inet', table: 'filter', set: 'allowed', elements: ['198.18.0.5'] }),
      printNftScriptLine({ kind: 'set-policy', family: 'inet', table: 'filter', chain: 'input', policy: 'accept' }),
    ];
    const r = loadNftables(`${base}${changes.join('\n')}\n`, 'x.nft');
    expect(r.diagnostics).toEqual([]);
    const t = r.syntax.tables[0];
    expect(t?.chains[0]?.rules.map((x) => x.text)).toEqual(['tcp dport 8080 accept', 'tcp dport 22 accept']);
    expect(t?.chains[0]?.policy).toBe('accept');
    expect(t?.sets[0]?.elements).toMatchObject([{ kind: 'value', text: '198.18.0.5' }]);
  });
});

describe('printRuleset', () => {
  it('prints the layout of nft list ruleset with handles as comments', () => {
    const r = parseNftText(sourceFile('x.nft', [
      'table inet filter {',
      ' set s { type ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/8 . 22, 1.2.3.4 . 80-90 } }',
      ' map m { typeof tcp dport : verdict; elements = { 22 : jump c2 } }',
      ' chain c { type filter hook input priority filter - 5; policy drop; comment "in"',
      '  tcp flags & (syn | ack) == syn ip saddr . tcp dport @s counter accept comment "x"',
      '  tcp dport vmap @m',
      ' }',
      ' chain c2 { }',
      '}',
    ].join('\n')));
    expect(printRuleset(r.value)).toBe([
      'table inet filter {',
      '\tset s { # handle 3',
      '\t\ttype ipv4_addr . inet_service',
      '\t\tflags interval',
      '\t\telements = { 10.0.0.0/8 . 22,',
      '\t\t\t     1.2.3.4 . 80-90 }',
      '\t}',
      '',
      '\tmap m { # handle 4',
      '\t\ttypeof tcp dport : verdict',
      '\t\telements = { 22 : jump c2 }',
      '\t}',
      '',
      '\tchain c { # handle 1',
      '\t\ttype filter hook input priority filter - 5; policy drop;',
      '\t\tcomment "in"',
      '\t\ttcp flags & (syn | ack) == syn ip saddr . tcp dport @s counter accept comment "x" # handle 5',
      '\t\ttcp dport vmap @m # handle 6',
      '\t}',
      '',
      '\tchain c2 { # handle 2',
      '\t}',
      '}',
      '',
    ].join('\n'));
  });
});
