/**
 * The fast reader (fast-line.ts) must give exactly what the general reader gives: the same syntax
 * tree, the same diagnostics and the same model, on every file. Each input is loaded twice, with
 * and without the fast reader, and compared. Inputs: the fixtures, the corpora in ../shared
 * (skipped when absent), and lines made by mutating real lines (seeded), which exercise every
 * way the fast reader must decline a line and its memory of rule tails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { makeRandom } from '../../kernel/random.js';
import { LazyCommand } from './command.js';
import { convertEarly } from './convert-early.js';
import { FastLineReader } from './fast-line.js';
import { type IptablesOptions, loadIptables, printIptablesSave } from './index.js';
import type { IptablesSyntax } from './syntax.js';
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
function fastShare(lines: readonly string[]): number {
  const reader = new FastLineReader({ file: 'x', lead: 0, start: 0, family: 'ipv4', table: 'filter', hook: convertEarly('ipv4', 'filter') });
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

describe('the fast line reader reads as the general reader does', () => {
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
      lines.push(m, `-A INPUT -p tcp ${tail}`, `-A ${CHAINS[k % CHAINS.length]} -s 198.18.${k % 256}.1 ${tail}`);
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
