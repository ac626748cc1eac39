/**
 * The fast reader (fast-line.ts) must give exactly what the general reader gives: the same syntax
 * tree, the same diagnostics and the same model, on every file. Each input is loaded twice, with
 * and without the fast reader, and compared. Inputs: the fixtures, the corpora in ../shared
 * (skipped when absent), lines made by mutating real lines (seeded), and generated iptables and
 * ip6tables lines (a fast-check property). The last two exercise the ways the fast reader must
 * decline a line, and its memory of rule tails (every line comes back with other base options).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { makeRandom } from '../../kernel/random.js';
import { LazyCommand } from './command.js';
import { convertEarly } from './convert-early.js';
import { FastLineReader } from './fast-line.js';
import { type IptablesOptions, loadIptables, printIptablesSave } from './index.js';
import type { IpFamily, IptablesSyntax } from './syntax.js';
import { modelJson } from './testing.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** What a line of the tree says about itself (a LazyCommand reads the rest from its text). */
function commandFacts(s: IptablesSyntax): unknown[] {
  const out: unknown[] = [];
  for (const item of s.items) {
    if (item.kind !== 'table') { out.push(item); continue; }
    for (const x of item.items) {
      if (x.kind !== 'command') { out.push(x); continue; }
      out.push({
        line: x.line, text: x.text, op: x.op, valid: x.valid, chain: x.chain, index: x.index, argument: x.argument,
        counters: x.counters, summary: x.summary, opSpan: x.opSpan, chainSpan: x.chainSpan, rule: x.rule,
      });
    }
  }
  return out;
}

/** Loads `text` with and without the fast reader and expects the same everything. */
function expectSame(text: string, name: string, opts: IptablesOptions = {}): void {
  const fast = loadIptables(text, name, opts);
  const general = loadIptables(text, name, { ...opts, fastReader: false });
  expect(JSON.stringify(fast.diagnostics), `${name}: diagnostics`).toBe(JSON.stringify(general.diagnostics));
  expect(modelJson(fast.ruleset), `${name}: model`).toBe(modelJson(general.ruleset));
  expect(printIptablesSave(fast.syntax), `${name}: printed`).toBe(printIptablesSave(general.syntax));
  expect(commandFacts(fast.syntax), `${name}: commands`).toEqual(commandFacts(general.syntax));
}

/** How many of the `-A` lines of a filter table the fast reader takes. */
function fastShare(lines: readonly string[], family: IpFamily = 'ipv4'): number {
  const source = { file: 'x', lead: 0, start: 0, family, table: 'filter', hook: convertEarly(family, 'filter') };
  const reader = new FastLineReader(source, { ...source, start: 1 });
  let taken = 0;
  lines.forEach((l, i) => { if (reader.read(l, i + 1) instanceof LazyCommand) taken++; });
  return taken / lines.length;
}

const INSERTS = ['!', '-p tcp', '! -p udp', '-p icmp', '-s 198.18.0.1', '-d 198.19.0.0/16', '-i lo', '-o eth0', '-m tcp', '-j ACCEPT', '--dport', '22', '"x y"', '-f', '-4', '-g USER', '-m comment --comment "a\\"b"'];
const CHAINS = ['INPUT', 'OUTPUT', 'FORWARD', 'USER', 'NOPE'];

/** One line changed in one or two ways that the readers must agree on. */
function mutate(line: string, next: () => number): string {
  const words = line.split(' ');
  const pick = (n: number): number => Math.floor(next() * n);
  const edits = 1 + pick(2);
  for (let e = 0; e < edits; e++) {
    const at = 2 + pick(Math.max(1, words.length - 2));
    switch (pick(9)) {
      case 0: words.splice(at, 1); break;
      case 1: words.splice(at, 0, words[at] ?? '-j'); break;
      case 2: words.splice(at, 0, INSERTS[pick(INSERTS.length)] as string); break;
      case 3: if (at + 1 < words.length) [words[at], words[at + 1]] = [words[at + 1] as string, words[at] as string]; break;
      case 4: { // an abbreviated option, or one with =value
        const w = words[at] ?? '';
        if (w.startsWith('--') && w.length > 5) words[at] = next() < 0.5 ? w.slice(0, 5) : `${w}=${words.splice(at + 1, 1)[0] ?? ''}`;
        break;
      }
      case 5: words[1] = CHAINS[pick(CHAINS.length)] as string; break;
      case 6: if (at < words.length) words[at] = `"${words[at]}"`; break;
      case 7: words.splice(at, 0, ''); break; // a double space
      default: words[at] = String(pick(70000));
    }
  }
  return words.join(' ');
}

function sampleLines(): string[] {
  const lines: string[] = [];
  for (const f of readdirSync(fixtures)) {
    if (!f.endsWith('.rules') && !f.endsWith('.save')) continue;
    for (const l of readFileSync(join(fixtures, f), 'utf8').split('\n')) if (l.startsWith('-A ')) lines.push(l);
  }
  for (const l of readFileSync(join(fixtures, 'snapshot', 'edge-cases.restore'), 'utf8').split('\n')) if (l.startsWith('-A ')) lines.push(l);
  for (const l of readFileSync(join(fixtures, 'snapshot', 'synthetic-sample.restore'), 'utf8').split('\n').slice(0, 400)) if (l.startsWith('-A ')) lines.push(l);
  return lines;
}

/** A restore file with `lines` in each of filter, mangle and nat (user chain USER declared). */
function restoreFile(lines: readonly string[]): string {
  const table = (name: string, chains: readonly string[]): string =>
    `*${name}\n${chains.map((c) => `:${c} ACCEPT [0:0]\n`).join('')}:USER - [0:0]\n${lines.join('\n')}\nCOMMIT\n`;
  return table('filter', ['INPUT', 'FORWARD', 'OUTPUT'])
    + table('mangle', ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'])
    + table('nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
}

/**
 * Pieces of rule lines: base options, match modules with options (most made to fit the line's
 * protocol), targets, and stray words that make errors.
 */
const BASE = ['-s 198.18.0.1', '! -s 198.18.4.0/22', '-d 198.19.0.0/16', '-d 198.19.1.2/255.255.0.255', '-i lo', '! -i eth+', '-o fwo1',
  '-s 198.18.0.7', '-d 198.19.0.9/32', '-s 198.18.0.1,198.18.0.2', '-s host.example'];
const PROTOCOLS = ['-p tcp', '-p udp', '-p icmp', '! -p tcp', '-p all', '-p 6', ''];
const GENERIC = ['-m state --state NEW', '-m conntrack --ctstate RELATED,ESTABLISHED', '-m conntrack ! --ctstate INVALID --ctproto 6',
  '-m comment --comment "rule 1"', '-m comment --comment x', '-m length --length 38:170', '-m length ! --length 5',
  '-m ttl --ttl-eq 64', '-m ttl --ttl-lt 3 --ttl-gt 1', '-m iprange --src-range 198.18.0.1-198.18.0.9',
  '-m iprange --dst-range 198.18.0.9-198.18.0.1', '-m limit --limit 3/s', '-m owner --uid-owner 0', '-m mark --mark 0x1/0xff',
  '-m set --match-set blocked src', '-m addrtype --dst-type LOCAL'];
const BY_PROTOCOL: Record<string, readonly string[]> = {
  tcp: ['-m tcp --dport 22', '-m tcp ! --sport 1024:', '-m tcp --tcp-flags SYN,ACK SYN', '-m tcp --syn', '-m multiport --dports 80,443',
    '-m multiport ! --ports 1:1024,8080', '-m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15'],
  udp: ['-m udp --dport 53', '-m udp --sport 1:2', '-m multiport --sports 53,123'],
  icmp: ['-m icmp --icmp-type 8', '-m icmp --icmp-type echo-reply', '-m icmp ! --icmp-type 3/4'],
};
const TARGETS = ['-j ACCEPT', '-j DROP', '-j RETURN', '-j USER', '-g USER', '-j NOPE', '-j REJECT', '-j REJECT --reject-with tcp-reset',
  '-j REJECT --reject-with icmp-host-prohibited', '-j LOG --log-prefix "x: "', '-j MARK --set-mark 1', '-j DNAT --to-destination 198.18.0.1',
  '-j MASQUERADE', '-j CT --notrack', ''];
const STRAY = ['!', '-m', '-j', '--dport', '--dport=22', '--dpo 22', '22', '"', '"a\\"b"', '-f', '-4', '-c 1 2', '--state NEW', '-p'];

const BASE6 = ['-s fd00:f00d::1', '! -d fd00:f00d::/32', '-s fd00:f00d:0:1::/64', '-d fd00:f00d::1/ffff:ffff::ff', '-i lo', '-s 198.18.0.1'];
BY_PROTOCOL['ipv6-icmp'] = ['-m icmp6 --icmpv6-type 128', '-m icmpv6 --icmpv6-type echo-reply', '-m icmp --icmp-type 8'];

const arbLineOf = (base: readonly string[], protocols: readonly string[]): fc.Arbitrary<string> => fc.tuple(
  fc.constantFrom('INPUT', 'OUTPUT', 'FORWARD', 'USER', 'PREROUTING'),
  fc.subarray([...base], { maxLength: 2 }),
  fc.constantFrom(...protocols),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.boolean(),
  fc.constantFrom(...TARGETS),
  fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, { arbitrary: fc.tuple(fc.nat(12), fc.constantFrom(...STRAY)), weight: 1 }),
  fc.constantFrom('', '', '', '[0:0] ', '[7:420] ', '[1:] '),
).map(([chain, base, protocol, picks, fitting, target, stray, counters]) => {
  // Modules that fit the protocol (or, for some lines, any module: errors the readers must agree on).
  const fit = [...GENERIC, ...(BY_PROTOCOL[protocol.replace(/^!? ?-p /, '')] ?? [])];
  const any = [...GENERIC, ...Object.values(BY_PROTOCOL).flat()];
  const pool = fitting ? fit : any;
  const groups = picks.map((k) => pool[k % pool.length] as string);
  const words = ['-A', chain, ...base, protocol, ...groups, target].filter((w) => w !== '').join(' ').split(' ');
  if (stray !== null) words.splice(2 + (stray[0] % Math.max(1, words.length - 1)), 0, stray[1]);
  return `${counters}${words.join(' ')}`;
});

const arbLine = arbLineOf(BASE, PROTOCOLS);
const arbLine6 = arbLineOf(BASE6, ['-p tcp', '-p ipv6-icmp', '-p icmp', '-p udp', '']);

describe('the fast line reader reads as the general reader does', () => {
  it('on generated lines (property: same tree, diagnostics and model)', () => {
    fc.assert(fc.property(fc.array(arbLine, { minLength: 1, maxLength: 40 }), (lines) => {
      // Each line twice: the second time its tail may come from the reader's memory.
      expectSame(restoreFile([...lines, ...lines]), 'generated.restore');
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.array(arbLine6, { minLength: 1, maxLength: 40 }), (lines) => {
      expectSame(restoreFile([...lines, ...lines]), 'generated6.restore', { family: 'ipv6' });
    }), { numRuns: 100 });
    // The generator makes lines of both kinds: many the fast reader takes, many it declines.
    const share = fastShare(fc.sample(arbLine, { numRuns: 2000, seed: 1 }).filter((l) => /^(\[\d+:\d+\] )?-A (INPUT|FORWARD|OUTPUT|USER) /.test(l)));
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.95);
    const share6 = fastShare(fc.sample(arbLine6, { numRuns: 2000, seed: 1 }).filter((l) => /^(\[\d+:\d+\] )?-A (INPUT|FORWARD|OUTPUT|USER) /.test(l)), 'ipv6');
    expect(share6).toBeGreaterThan(0.15);
    expect(share6).toBeLessThan(0.95);
  });

  it('on every fixture', () => {
    const files = readdirSync(fixtures).filter((f) => /\.(rules|save)$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expectSame(readFileSync(join(fixtures, f), 'utf8'), f);
    for (const f of ['edge-cases.restore', 'synthetic-sample.restore']) expectSame(readFileSync(join(fixtures, 'snapshot', f), 'utf8'), f);
  });

  it('on fixtures with an ipset file (rules that name sets are converted again)', () => {
    const text = readFileSync(join(fixtures, 'ranges-sets.rules'), 'utf8');
    expectSame(text, 'ranges-sets.rules', { ipsets: new Map() });
  });

  it('on mutated lines, each repeated with other base options (3 tables, 3,600 lines each)', () => {
    const next = makeRandom(20261121);
    const base = sampleLines();
    expect(base.length).toBeGreaterThan(300);
    const lines: string[] = [];
    for (let k = 0; k < 1200; k++) {
      const m = mutate(base[Math.floor(next() * base.length)] as string, next);
      // The same tail again, with other base options and chains: the memory of tails is used.
      const tail = m.slice(m.search(/ -[mj] /) + 1 || m.length);
      const counters = ['', '[0:0] ', `[${k}:${k * 60}] `, '[1:x] ', '[2:3]'][k % 5] as string;
      lines.push(m, `-A INPUT -p tcp ${tail}`, `${counters}-A ${CHAINS[k % CHAINS.length]} -s 198.18.${k % 256}.1 ${tail}`);
    }
    expectSame(restoreFile(lines), 'mutated.restore');
    // Both ways are exercised: many mutated lines are taken, many declined.
    const share = fastShare(lines.filter((l) => /^-A (INPUT|FORWARD|OUTPUT|USER) /.test(l)));
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.9);
  });

  it('takes nearly every line of canonical iptables-save output', () => {
    const lines = readFileSync(join(fixtures, 'snapshot', 'synthetic-sample.restore'), 'utf8').split('\n').filter((l) => l.startsWith('-A '));
    expect(fastShare(lines)).toBeGreaterThan(0.99);
    // iptables-save -c writes each rule's counters before it.
    expect(fastShare(lines.map((l, i) => `[${i}:${i * 60}] ${l}`))).toBeGreaterThan(0.99);
  });

  describe.skipIf(!hasCorpus)('on the shared corpora', () => {
    it('the synthetic 10k and 50k rule files', () => {
      for (const f of ['synthetic/iptables-input-10000.rules.gz', 'synthetic/iptables-input-50000.rules.gz']) {
        const path = corpusPath(f);
        if (path === undefined) throw new Error(`${f} is missing from the corpus`);
        expectSame(gunzipSync(readFileSync(path)).toString('utf8'), f);
      }
    }, 60_000);

    it('every net-network dump and iptables test-suite dump', () => {
      let n = 0;
      for (const dir of ['net-network', 'iptables-tests/dumps']) {
        const root = corpusPath(dir);
        if (root === undefined) continue;
        for (const f of readdirSync(root)) {
          const text = readFileSync(join(root, f), 'utf8');
          if (!/^\*(filter|nat|mangle|raw|security)\s*$/m.test(text)) continue;
          expectSame(text, `${dir}/${f}`);
          n++;
        }
      }
      expect(n).toBeGreaterThanOrEqual(50);
    }, 60_000);
  });
});
