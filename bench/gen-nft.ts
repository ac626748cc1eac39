/**
 * A large nftables ruleset for benchmarks, in both `nft list ruleset` text and `nft -j` JSON:
 * an inet table with sets, a verdict map, a base chain dispatching to many regular chains, and an
 * ip table with a second base chain on the same hook. Deterministic (seeded) and loadable by nft.
 */
import { makeRandom } from '../src/kernel/random.js';

type J = Record<string, unknown>;

interface Rule {
  readonly text: string;
  readonly expr: readonly J[];
}


const pay = (protocol: string, field: string): J => ({ payload: { protocol, field } });
const meta = (key: string): J => ({ meta: { key } });
const eq = (left: J, right: unknown, op = '=='): J => ({ match: { op, left, right } });

export interface GeneratedNft {
  readonly text: string;
  readonly json: string;
  readonly rules: number;
}

/** `rules` rules (about), spread over `rules / 500` regular chains. */
export function generateNftRuleset(rules = 50_000, seed = 4): GeneratedNft {
  const r = makeRandom(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const v4 = (): string => `198.${18 + int(2)}.${int(256)}.${1 + int(254)}`;
  const net = (): [string, number] => [`198.18.${int(256)}.0`, 24];
  const port = (): number => 1 + int(65000);
  const verdict = (): [string, J] => (r() < 0.5 ? ['accept', { accept: null }] : ['drop', { drop: null }]);

  const templates: (() => Rule)[] = [
    () => {
      const [a, b, p] = [v4(), v4(), port()];
      return { text: `ip saddr ${a} ip daddr ${b} tcp dport ${p} accept`, expr: [eq(pay('ip', 'saddr'), a), eq(pay('ip', 'daddr'), b), eq(pay('tcp', 'dport'), p), { accept: null }] };
    },
    () => {
      const [n, len] = net();
      const [ps, vs] = [[port(), port() + 1], verdict()];
      return { text: `ip saddr ${n}/${len} udp dport { ${ps.join(', ')} } ${vs[0]}`, expr: [eq(pay('ip', 'saddr'), { prefix: { addr: n, len } }), eq(pay('udp', 'dport'), { set: ps }), vs[1]] };
    },
    () => {
      const lo = port();
      const i = int(8);
      return { text: `iifname "eth${i}" tcp dport ${lo}-${lo + 10} ct state new counter packets 0 bytes 0 accept`, expr: [eq(meta('iifname'), `eth${i}`), eq(pay('tcp', 'dport'), { range: [lo, lo + 10] }), eq({ ct: { key: 'state' } }, 'new', 'in'), { counter: { packets: 0, bytes: 0 } }, { accept: null }] };
    },
    () => ({ text: 'ip saddr @blocked drop', expr: [eq(pay('ip', 'saddr'), '@blocked'), { drop: null }] }),
    () => {
      const d = v4();
      return { text: `tcp flags & (syn | ack) == syn ip daddr ${d} limit rate 10/second accept`, expr: [eq({ '&': [pay('tcp', 'flags'), ['syn', 'ack']] }, 'syn'), eq(pay('ip', 'daddr'), d), { limit: { rate: 10, burst: 5, per: 'second' } }, { accept: null }] };
    },
    () => ({ text: 'ip daddr . tcp dport @svc accept', expr: [eq({ concat: [pay('ip', 'daddr'), pay('tcp', 'dport')] }, '@svc'), { accept: null }] }),
    () => {
      const [a, b] = [port(), port()];
      const x = a === b ? b + 1 : b;
      return { text: `tcp dport vmap { ${a} : accept, ${x} : drop }`, expr: [{ vmap: { key: pay('tcp', 'dport'), data: { set: [[a, { accept: null }], [x, { drop: null }]] } } }] };
    },
    () => {
      const m = 1 + int(255);
      return { text: `ct mark 0x${m.toString(16).padStart(8, '0')} meta mark set 0x00000020 return`, expr: [eq({ ct: { key: 'mark' } }, m), { mangle: { key: meta('mark'), value: 32 } }, { return: null }] };
    },
    () => {
      const a = v4();
      return { text: `ip saddr ${a} reject with icmp host-prohibited`, expr: [eq(pay('ip', 'saddr'), a), { reject: { type: 'icmp', expr: 'host-prohibited' } }] };
    },
    () => {
      const a = `fd00:f00d::${(1 + int(65000)).toString(16)}`;
      return { text: `ip6 saddr ${a} icmpv6 type echo-request accept`, expr: [eq(pay('ip6', 'saddr'), a), eq(pay('icmpv6', 'type'), 'echo-request'), { accept: null }] };
    },
  ];

  const chains = Math.max(1, Math.round(rules / 500));
  const perChain = Math.ceil((rules - chains - 2) / chains);
  const items: J[] = [{ metainfo: { json_schema_version: 1 } }, { table: { family: 'inet', name: 'bench' } }];
  const text: string[] = ['table inet bench {'];
  const blocked = new Set<string>();
  while (blocked.size < 200) blocked.add(`198.19.${int(256)}.0`);
  const svc = new Set<string>();
  while (svc.size < 200) svc.add(`${v4()} . ${port()}`);
  text.push('\tset blocked {', '\t\ttype ipv4_addr', '\t\tflags interval', `\t\telements = { ${[...blocked].sort().map((b) => `${b}/24`).join(', ')} }`, '\t}', '');
  text.push('\tset svc {', '\t\ttype ipv4_addr . inet_service', `\t\telements = { ${[...svc].join(', ')} }`, '\t}', '');
  items.push({ set: { family: 'inet', table: 'bench', name: 'blocked', type: 'ipv4_addr', flags: ['interval'], elem: [...blocked].sort().map((b) => ({ prefix: { addr: b, len: 24 } })) } });
  items.push({ set: { family: 'inet', table: 'bench', name: 'svc', type: ['ipv4_addr', 'inet_service'], elem: [...svc].map((s) => { const [a, p] = s.split(' . '); return { concat: [a, Number(p)] }; }) } });
  const names = Array.from({ length: chains }, (_, i) => `c${i}`);
  const chainRules = (name: string, list: readonly Rule[], header?: string, base?: J): void => {
    text.push(`\tchain ${name} {`);
    if (header) text.push(`\t\t${header}`);
    for (const x of list) text.push(`\t\t${x.text}`);
    text.push('\t}', '');
    items.push({ chain: { family: 'inet', table: 'bench', name, ...base } });
  };
  const dispatch: Rule[] = [
    { text: 'ct state established,related accept', expr: [eq({ ct: { key: 'state' } }, ['established', 'related'], 'in'), { accept: null }] },
    ...names.map((n, i) => ({ text: `tcp sport ${1000 + i} jump ${n}`, expr: [eq(pay('tcp', 'sport'), 1000 + i), { jump: { target: n } }] })),
  ];
  chainRules('input', dispatch, 'type filter hook input priority filter; policy drop;', { type: 'filter', hook: 'input', prio: 0, policy: 'drop' });
  const ruleItems: J[] = dispatch.map((x) => ({ rule: { family: 'inet', table: 'bench', chain: 'input', expr: x.expr } }));
  let count = dispatch.length;
  for (const n of names) {
    const list = Array.from({ length: perChain }, () => (templates[int(templates.length)] as () => Rule)());
    chainRules(n, list);
    for (const x of list) ruleItems.push({ rule: { family: 'inet', table: 'bench', chain: n, expr: x.expr } });
    count += list.length;
  }
  text.push('}');
  const extra: Rule[] = [{ text: 'tcp dport 22 ct state new accept', expr: [eq(pay('tcp', 'dport'), 22), eq({ ct: { key: 'state' } }, 'new', 'in'), { accept: null }] }];
  text.push('table ip extra {', '\tchain input {', '\t\ttype filter hook input priority filter + 10; policy accept;', ...extra.map((x) => `\t\t${x.text}`), '\t}', '}', '');
  items.push(...ruleItems, { table: { family: 'ip', name: 'extra' } }, { chain: { family: 'ip', table: 'extra', name: 'input', type: 'filter', hook: 'input', prio: 10, policy: 'accept' } });
  items.push(...extra.map((x) => ({ rule: { family: 'ip', table: 'extra', chain: 'input', expr: x.expr } })));
  return { text: text.join('\n'), json: `${JSON.stringify({ nftables: items })}\n`, rules: count + extra.length };
}
