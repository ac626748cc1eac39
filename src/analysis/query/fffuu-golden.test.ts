/**
 * Every service matrix of ../shared/corpus/fffuu-golden/ reproduced: the same address classes (as
 * sets of IPv4 intervals) and the same edges. fffuu computes them on the upper closure (`may`), with
 * the generic interface assignment (lo = 127.0.0.0/8) or the custom one given (`--ipassmt`).
 * Where our semantics differ by choice, docs/space.md says so and the difference is tested here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { sourceFile } from '../../diagnostics/source.js';
import { loadIptables } from '../../dialects/iptables/index.js';
import type { Hook, Ruleset } from '../../model/ruleset.js';
import { type Ipassmt, parseIpassmt } from './ipassmt.js';
import { serviceMatrix } from './service-matrix.js';
import { type GoldenMatrix, haskellMatrices, ipassmtFromEcho, ipassmtFromIsabelle, matrixAgainst, unfoldedChainToSave } from './testing.js';

const load = (file: string): Ruleset => loadIptables(readFileSync(file, 'utf8'), file, { family: 'ipv4' }).ruleset;
const golden = (rel: string): string => readFileSync(corpusPath(rel) as string, 'utf8');

describe.skipIf(!hasCorpus)('fffuu service matrices: haskell golden outputs', () => {
  const synology = 'fffuu-golden/haskell-golden/inputs/Synology_Diskstation_DS414__iptables-save_jun_2015_cleanup';
  for (const port of [22, 8080, 80]) {
    it(`synology INPUT, tcp/${port} (fffuu --chain INPUT --service_matrix_dport ${port})`, () => {
      const g = haskellMatrices(golden('fffuu-golden/haskell-golden/expected/synology_iptables-save_jun_2015_cleanup')).get(port);
      const r = matrixAgainst(g as GoldenMatrix, load(corpusPath(synology) as string), { dport: port, hook: 'input', may: true });
      expect(r.actual).toEqual(r.expected);
    });
  }

  // The TUM i8 input (4,813 rules) is not in the corpus, but fffuu's expected output prints its
  // unfolded FORWARD chain (upper closure, 3,795 rules) and the ipassmt it was given: both are read
  // back from there, so the matrix is computed from fffuu's own view of the ruleset.
  const i8 = 'fffuu-golden/haskell-golden/expected/i8_iptables-save-2015-05-15_15-23-41_cheating';
  for (const port of [22, 80]) {
    it(`TUM i8 FORWARD with --ipassmt ipassmt_tumi8, tcp/${port}`, () => {
      const text = golden(i8);
      const rs = loadIptables(unfoldedChainToSave(text, 'FORWARD'), 'i8-unfolded', { family: 'ipv4' }).ruleset;
      expect(rs.tables[0]?.chains.find((c) => c.name === 'FORWARD')?.rules.length).toBe(3795);
      const ipassmt = ipassmtFromEcho(text.split('\n')[1] as string);
      expect(ipassmt.entries.length).toBe(23);
      const r = matrixAgainst(haskellMatrices(text).get(port) as GoldenMatrix, rs, { dport: port, hook: 'forward', may: true, ipassmt });
      expect(r.actual).toEqual(r.expected);
    });
  }

  // fffuu --table raw --chain PREROUTING --ipassmt ipassmt_sqrl: the expected file and the ipassmt
  // are in fffuu's test suite (haskell_tool/test/Suites/GoldenFiles, haskell_tool/ipassmt_sqrl) but
  // not in the corpus; the assignment and the two one-class matrices are restated here.
  const sqrlAssmt = `ldit = [10.13.42.136/29]\nlmd = [10.13.42.128/29]\nloben = [10.13.42.144/28]\nwg = [10.13.42.176/28]
wt = [10.13.42.160/28]\nlup = all_but_those_ips [192.168.0.0/16, 172.16.0.0/12, 10.0.0.0/8]\nlo = [127.0.0.0/8]
vpriv = [0.0.0.0/0]\nvshit = [0.0.0.0/0]\nvocb = [0.0.0.0/0]\nlua = [0.0.0.0/0]\n`;
  for (const port of [22, 80]) {
    it(`SQRL raw PREROUTING with --ipassmt ipassmt_sqrl, tcp/${port}: one class, reaching itself`, () => {
      const rs = load(corpusPath('fffuu-golden/haskell-golden/inputs/SQRL_Shorewall__2015_aug_iptables-save-spoofing-protection') as string);
      const ipassmt = parseIpassmt(sourceFile('ipassmt_sqrl', sqrlAssmt)).value;
      const all: GoldenMatrix = { nodes: [{ name: 'a', ips: '{0.0.0.0 .. 255.255.255.255}' }], edges: [['a', 'a']] };
      const r = matrixAgainst(all, rs, { dport: port, hook: 'prerouting', may: true, ipassmt });
      expect(r.actual).toEqual(r.expected);
    });
  }
});

interface Fact {
  readonly theory: string;
  readonly line: number;
  readonly statement: string;
  readonly inputs: readonly { readonly staged_path: string }[];
  readonly local_definitions: Readonly<Record<string, string>> | null;
  readonly parsed: (GoldenMatrix & { readonly connection_meaning: string }) | null;
}

function factsOf(kind: string): Fact[] {
  const file = corpusPath('fffuu-golden/thy-facts/facts.jsonl');
  if (file === undefined) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(`"kind": "${kind}"`) || l.includes(`"kind":"${kind}"`))
    .map((l) => JSON.parse(l) as Fact);
}

/** The fact's own ipassmt definition, when its statement uses one (not ipassmt_generic_ipv4). */
function factIpassmt(f: Fact): Ipassmt | undefined {
  const def = f.local_definitions?.['ipassmt'];
  return def !== undefined && /\bipassmt\b/.test(f.statement.replace(/ipassmt_generic_ipv4/g, '')) ? ipassmtFromIsabelle(def) : undefined;
}

function factInput(f: Fact): Ruleset {
  const staged = f.inputs[0]?.staged_path ?? '';
  // The docker ruleset is staged under a path that was not copied; net-network has the same file.
  const path = corpusPath(`fffuu-golden/${staged}`) ?? corpusPath(`net-network/configs_corny_docker__${staged.split('/').pop() ?? ''}`);
  return load(path as string);
}

const portOf = (meaning: string): number => Number(/dport (\d+)/.exec(meaning)?.[1] ?? /TCP \d+ (\d+)/.exec(meaning)?.[1]);

describe.skipIf(!hasCorpus)('fffuu service matrices: Isabelle facts (thy-facts, kind service_matrix)', () => {
  const facts = factsOf('service_matrix');
  it('all nine facts are here', () => {
    expect(facts.length).toBe(9);
  });
  for (const f of facts.filter((x) => x.parsed !== null)) {
    it(`${f.theory}:${f.line} (${f.parsed?.connection_meaning ?? ''})`, () => {
      const hook: Hook = f.statement.includes('FORWARD') ? 'forward' : 'input';
      const ipassmt = factIpassmt(f);
      const state = f.statement.includes('CT_Established') ? 'established' : 'new';
      const r = matrixAgainst(f.parsed as GoldenMatrix, factInput(f), { dport: portOf(f.parsed?.connection_meaning ?? ''), hook, may: true, state, ...(ipassmt ? { ipassmt } : {}) });
      expect(r.actual).toEqual(r.expected);
    });
  }

  // Analyze_Containern.thy:106 states a relation, not a matrix: for http in FORWARD, ESTABLISHED
  // packets have the same classes as NEW ones and exactly one more edge, (0.0.0.0, 10.0.0.4).
  for (const f of facts.filter((x) => x.parsed === null)) {
    it(`${f.theory}:${f.line} (new vs established http matrices)`, () => {
      const rs = factInput(f);
      const ipassmt = factIpassmt(f) as Ipassmt;
      const fresh = serviceMatrix(rs, { dport: 80, hook: 'forward', may: true, ipassmt });
      const est = serviceMatrix(rs, { dport: 80, hook: 'forward', may: true, ipassmt, state: 'established' });
      const key = (c: { intervals: readonly (readonly [bigint, bigint])[] }): string => c.intervals.map(([a, b]) => `${a}-${b}`).join(',');
      expect(est.classes.map(key).sort()).toEqual(fresh.classes.map(key).sort());
      const edge = (m: typeof fresh) => (e: readonly [number, number]): string => `${key(m.classes[e[0]] as never)} -> ${key(m.classes[e[1]] as never)}`;
      const before = new Set(fresh.edges.map(edge(fresh)));
      const added = est.edges.map(edge(est)).filter((e) => !before.has(e));
      const classOf = (ip: bigint): string => key(est.classes.find((c) => c.intervals.some(([a, b]) => a <= ip && ip <= b)) as never);
      expect(added).toEqual([`${classOf(0n)} -> ${classOf(0x0a000004n)}`]);
      expect(fresh.edges.every((e) => est.edges.some((x) => edge(est)(x) === edge(fresh)(e)))).toBe(true);
    });
  }
});
