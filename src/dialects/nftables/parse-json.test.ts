import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../diagnostics/source.js';
import { readJson } from './json-reader.js';
import { parseNftJson } from './parse-json.js';
import { printRuleBody } from './print-expr.js';

function parse(doc: unknown): ReturnType<typeof parseNftJson> {
  return parseNftJson(sourceFile('r.json', JSON.stringify(doc, null, 2)));
}

const table = { table: { family: 'inet', name: 'f', handle: 1 } };
const chain = { chain: { family: 'inet', table: 'f', name: 'c', handle: 1, type: 'filter', hook: 'input', prio: -5, policy: 'drop' } };
const rule = (expr: unknown[], extra: Record<string, unknown> = {}): unknown => ({ rule: { family: 'inet', table: 'f', chain: 'c', handle: 7, expr, ...extra } });

describe('readJson', () => {
  it('records where each object starts and reports syntax errors with an offset', () => {
    const d = readJson('{\n  "a": [ {"b": 1} ]\n}');
    const inner = (d.value as { a: object[] }).a[0] as object;
    expect(d.offsets.get(inner)).toBe(11);
    expect(readJson('{"a": [1, 2}').error).toEqual({ message: "expected ',' or ']' in an array, got '}'", offset: 11 });
    expect(readJson('{"a": "\\u0041\\n"}').value).toEqual({ a: 'A\n' });
  });
});

describe('parseNftJson', () => {
  it('reads tables, base chains, rules (with handles and comments) and prints them as nft would', () => {
    const r = parse({ nftables: [{ metainfo: { json_schema_version: 1 } }, table, chain, rule([
      { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [22, { range: [80, 88] }] } } },
      { match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } },
      { match: { op: '==', left: { '&': [{ payload: { protocol: 'tcp', field: 'flags' } }, ['syn', 'ack']] }, right: 'syn' } },
      { match: { op: '!=', left: { meta: { key: 'iifname' } }, right: 'eth*' } },
      { counter: { packets: 1, bytes: 2 } },
      { jump: { target: 'c' } },
    ], { comment: 'hi' })] });
    expect(r.diagnostics).toEqual([]);
    const t = r.value.tables[0];
    expect(t?.chains[0]).toMatchObject({ name: 'c', policy: 'drop', base: { type: 'filter', hook: 'input', priority: { kind: 'number', value: -5 } } });
    const rl = t?.chains[0]?.rules[0];
    expect(rl?.handle).toBe(7);
    expect(rl?.text).toBe('tcp dport { 22, 80-88 } ct state established,related tcp flags & (syn | ack) == syn iifname != "eth*" counter packets 1 bytes 2 jump c comment "hi"');
    expect(rl?.span.start).toEqual({ line: 28, column: 15 });
  });

  it('reads sets and maps with concatenated and typeof types, elements with options and map data', () => {
    const r = parse({ nftables: [table, chain,
      { set: { family: 'inet', table: 'f', name: 's', type: ['ipv4_addr', 'inet_service'], flags: ['interval'], elem: [{ concat: [{ prefix: { addr: '10.0.0.0', len: 8 } }, 22] }, { elem: { val: { concat: ['1.2.3.4', 80] }, timeout: 60000, comment: 'x' } }] } },
      { map: { family: 'inet', table: 'f', name: 'm', type: { typeof: { meta: { key: 'iifname' } } }, map: 'verdict', elem: [['eth0', { jump: { target: 'c' } }]] } },
    ] });
    expect(r.diagnostics).toEqual([]);
    const [s, m] = r.value.tables[0]?.sets ?? [];
    expect(s?.keyType).toEqual({ kind: 'types', names: ['ipv4_addr', 'inet_service'] });
    expect(s?.elements[1]).toMatchObject({ kind: 'elem', options: [{ kind: 'timeout', value: '60000ms' }, { kind: 'comment', value: 'x' }] });
    expect(m?.keyType).toEqual({ kind: 'typeof', exprs: [expect.objectContaining({ kind: 'meta', key: 'iifname' })] });
    expect(m?.elements.map((e) => e.kind === 'mapping' ? `${(e.key as { text: string }).text} ${e.key.kind} ${(e.key as { quoted: boolean }).quoted}` : '')).toEqual(['eth0 value true']);
  });

  it('reads statements: nat, reject, log, limit, mangle, vmap, queue, xt', () => {
    const r = parse({ nftables: [table, chain, rule([
      { snat: { family: 'ip', addr: '198.19.0.1', port: { range: [1024, 2048] }, flags: ['random'] } },
    ]), rule([{ reject: { type: 'icmpx', expr: 'admin-prohibited' } }]), rule([{ log: { prefix: 'p ', level: 'info' } }]),
    rule([{ limit: { rate: 10, burst: 5, per: 'minute' } }, { accept: null }]), rule([{ mangle: { key: { meta: { key: 'mark' } }, value: { '|': [{ meta: { key: 'mark' } }, 16] } } }]),
    rule([{ vmap: { key: { payload: { protocol: 'udp', field: 'dport' } }, data: { set: [[53, { accept: null }], ['*', { drop: null }]] } } }]),
    rule([{ queue: { num: { range: [1, 3] }, flags: ['bypass'] } }]), rule([{ xt: { type: 'target', name: 'LOG' } }])] });
    expect(r.diagnostics).toEqual([]);
    expect(r.value.tables[0]?.chains[0]?.rules.map((x) => printRuleBody(x))).toEqual([
      'snat ip to 198.19.0.1:1024-2048 random', 'reject with icmpx admin-prohibited', 'log prefix "p " level info', 'limit rate 10/minute accept',
      'meta mark set meta mark | 16', 'udp dport vmap { 53 : accept, * : drop }', 'queue flags bypass to 1-3', 'xt target "LOG"',
    ]);
  });

  it('applies add/flush commands of nft -j -f documents', () => {
    const r = parse({ nftables: [{ add: table }, { add: chain }, { add: rule([{ accept: null }]) }, { flush: { ruleset: null } }, { add: table }] });
    expect(r.diagnostics).toEqual([]);
    expect(r.value.tables.map((t) => [t.name, t.chains.length])).toEqual([['f', 0]]);
  });

  it('names the JSON path and the position of the object in every diagnostic', () => {
    const r = parse({ nftables: [table, { chain: { family: 'inet', table: 'nope', name: 'c' } }, { rule: { family: 'bogus', table: 'f', chain: 'c', expr: [] } }] });
    expect(r.diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.message}`)).toEqual([
      "11:16 nftables[1].chain.table: table 'inet nope' is not defined before it is used",
      '18:15 nftables[2].rule.family: expected a family (ip, ip6, inet, arp, bridge, netdev), got "bogus"',
      "18:15 nftables[2].rule.table: table 'ip f' is not defined before it is used",
    ]);
    expect(parseNftJson(sourceFile('x.json', '{"nftables": [')).diagnostics[0]?.message).toBe('invalid JSON: expected a JSON value, got end of input');
    expect(parse({ rules: [] }).diagnostics[0]?.message).toContain('expected an object with an "nftables" array');
  });
});
