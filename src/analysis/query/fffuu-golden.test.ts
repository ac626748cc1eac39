/**
 * fffuu's service matrices (../shared/corpus/fffuu-golden/) reproduced: the same address classes
 * (as sets of IPv4 intervals) and the same edges, for every matrix whose input is in the corpus and
 * whose interface assignment is fffuu's generic one (lo = 127.0.0.0/8). Matrices computed with a
 * custom interface assignment (ipassmt) are compared in the docs, not here: see docs/space.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { loadIptables } from '../../dialects/iptables/index.js';
import { parseIpv4 } from '../../model/address.js';
import type { Hook } from '../../model/ruleset.js';
import { serviceMatrix } from './service-matrix.js';

export interface GoldenMatrix {
  readonly nodes: { name: string; ips: string }[];
  readonly edges: [string, string][];
}

function intervalsOf(ips: string): string {
  return ips.split(' u ').map((part) => {
    const m = /^\{(\S+) \.\. (\S+)\}$/.exec(part.trim());
    const [lo, hi] = m ? [m[1] as string, m[2] as string] : [part.trim(), part.trim()];
    return `${parseIpv4(lo)}-${parseIpv4(hi)}`;
  }).join(',');
}

/** fffuu's classes and edges vs ours, as comparable strings. */
export function compareMatrix(golden: GoldenMatrix, file: string, hook: Hook, dport: number, may: boolean): { expected: string[]; actual: string[] } {
  const rs = loadIptables(readFileSync(file, 'utf8'), file, { family: 'ipv4' }).ruleset;
  const m = serviceMatrix(rs, { dport, hook, may });
  const ours = m.classes.map((c) => c.intervals.map(([lo, hi]) => `${lo}-${hi}`).join(','));
  const theirs = golden.nodes.map((n) => intervalsOf(n.ips));
  const nameOf = new Map(golden.nodes.map((n, i) => [n.name, theirs[i] as string]));
  return {
    expected: [...theirs.map((t) => `class ${t}`), ...golden.edges.map(([a, b]) => `edge ${nameOf.get(a) ?? a} -> ${nameOf.get(b) ?? b}`)].sort(),
    actual: [...ours.map((t) => `class ${t}`), ...m.edges.map(([a, b]) => `edge ${ours[a] ?? a} -> ${ours[b] ?? b}`)].sort(),
  };
}

/** `=========== TCP port 10000->P =========` blocks of a fffuu output file. */
function haskellMatrices(text: string): Map<number, GoldenMatrix> {
  const out = new Map<number, GoldenMatrix>();
  const blocks = text.split(/=========== TCP port 10000->(\d+) =========\n/);
  for (let i = 1; i < blocks.length; i += 2) {
    const nodes: GoldenMatrix['nodes'] = [];
    const edges: GoldenMatrix['edges'] = [];
    for (const line of (blocks[i + 1] as string).split('\n')) {
      const n = /^(\w+) \|-> (.*)$/.exec(line);
      const e = /^\((\w+),(\w+)\)$/.exec(line);
      if (n) nodes.push({ name: n[1] as string, ips: n[2] as string });
      else if (e) edges.push([e[1] as string, e[2] as string]);
    }
    out.set(Number(blocks[i]), { nodes, edges });
  }
  return out;
}

describe.skipIf(!hasCorpus)('fffuu service matrices', () => {
  const synology = corpusPath('fffuu-golden/haskell-golden/inputs/Synology_Diskstation_DS414__iptables-save_jun_2015_cleanup');
  const expected = corpusPath('fffuu-golden/haskell-golden/expected/synology_iptables-save_jun_2015_cleanup');

  for (const port of [22, 8080, 80]) {
    it(`synology INPUT, tcp/${port} (fffuu --service_matrix_dport ${port})`, () => {
      if (synology === undefined || expected === undefined) return;
      const golden = haskellMatrices(readFileSync(expected, 'utf8')).get(port);
      expect(golden).toBeDefined();
      const r = compareMatrix(golden as GoldenMatrix, synology, 'input', port, true);
      expect(r.actual).toEqual(r.expected);
    });
  }

  const facts = corpusPath('fffuu-golden/thy-facts/facts.jsonl');
  const generic = facts === undefined ? [] : readFileSync(facts, 'utf8').split('\n').filter((l) => l.includes('"service_matrix"'))
    .map((l) => JSON.parse(l) as { theory: string; line: number; statement: string; inputs: { staged_path: string }[]; parsed: (GoldenMatrix & { connection_meaning: string }) | null })
    .filter((f) => f.parsed !== null && !/ipassmt\b(?!_generic)/.test(f.statement.replace(/ipassmt_generic_ipv4/g, '')));
  for (const f of generic) {
    it(`${f.theory}:${f.line} (${f.parsed?.connection_meaning ?? ''})`, () => {
      const input = corpusPath(`fffuu-golden/${f.inputs[0]?.staged_path ?? ''}`);
      if (input === undefined || f.parsed === null) return;
      const port = Number(/dport (\d+)/.exec(f.parsed.connection_meaning)?.[1] ?? /TCP 10000 (\d+)/.exec(f.parsed.connection_meaning)?.[1]);
      const hook: Hook = f.statement.includes('FORWARD') ? 'forward' : 'input';
      const r = compareMatrix(f.parsed, input, hook, port, f.statement.includes('upper_closure') || true);
      expect(r.actual).toEqual(r.expected);
    });
  }
});
