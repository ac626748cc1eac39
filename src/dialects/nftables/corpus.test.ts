/**
 * nftables' own test data (../shared/corpus/nftables-tests): every `nft list ruleset` dump (text and
 * JSON) must load without an error, twins must give the same model and survive print → parse, and the
 * `tests/py/*.t` rule lines must be accepted or rejected as marked. The floors below are the rates
 * reached; the test fails when a change makes them drop.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, corpusSkipReason, hasCorpus } from '../../../test/support/corpus.js';
import { loadNftables, printRuleset } from './index.js';
import { comparable, runPyTestFile } from './testing.js';

const dumpsDir = corpusPath('nftables-tests/dumps') ?? '';
const pyDir = corpusPath('nftables-tests/py') ?? '';

function load(dir: string, f: string): ReturnType<typeof loadNftables> {
  return loadNftables(readFileSync(join(dir, f), 'utf8'), f, { readFile: () => undefined });
}

describe.skipIf(!hasCorpus)(`nftables corpus: dumps ${hasCorpus ? '' : corpusSkipReason}`, () => {
  const files = hasCorpus ? readdirSync(dumpsDir).filter((f) => f.endsWith('.nft') || f.endsWith('.json-nft')) : [];
  const loaded = new Map(files.map((f) => [f, load(dumpsDir, f)]));

  it('loads every dump (text and JSON) without an error diagnostic', () => {
    const failing = files.filter((f) => loaded.get(f)?.diagnostics.some((d) => d.severity === 'error'));
    const text = files.filter((f) => f.endsWith('.nft')).length;
    console.info(`nftables dumps: ${files.length - failing.length}/${files.length} load without errors (${text} text, ${files.length - text} JSON)`);
    expect(files.length).toBeGreaterThanOrEqual(600);
    expect(failing).toEqual([]);
  });

  it('text and JSON twins give the same model', () => {
    const twins = files.filter((f) => f.endsWith('.json-nft') && loaded.has(f.replace(/\.json-nft$/, '.nft')));
    const differ = twins.filter((f) => comparable(loaded.get(f)?.ruleset) !== comparable(loaded.get(f.replace(/\.json-nft$/, '.nft'))?.ruleset));
    console.info(`nftables twins: ${twins.length - differ.length}/${twins.length} give the same model`);
    expect(twins.length).toBeGreaterThanOrEqual(230);
    expect(differ).toEqual([]);
  });

  it('parse(print(parse(dump))) equals parse(dump) for every dump', () => {
    const differ = files.filter((f) => {
      const a = loaded.get(f);
      if (!a) return true;
      const b = loadNftables(printRuleset(a.syntax), `${f}.printed`, { readFile: () => undefined });
      return b.diagnostics.some((d) => d.severity === 'error') || comparable(a.syntax) !== comparable(b.syntax) || comparable(a.ruleset) !== comparable(b.ruleset);
    });
    expect(differ).toEqual([]);
  });
});

describe.skipIf(!hasCorpus)('nftables corpus: tests/py/*.t rules accepted or rejected as marked', () => {
  const families = hasCorpus ? readdirSync(pyDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  const results = families.flatMap((fam) => readdirSync(join(pyDir, fam))
    .filter((f) => /\.t(\.netdev)?$/.test(f))
    .map((f) => ({ fam, file: `${fam}/${f}`, cases: runPyTestFile(readFileSync(join(pyDir, fam, f), 'utf8'), `${fam}/${f}`) })));
  const all = results.flatMap((r) => r.cases);

  it('accepts every ok line and rejects every fail line (per family)', () => {
    const byFamily = new Map<string, [number, number]>();
    for (const r of results) {
      const e = byFamily.get(r.fam) ?? [0, 0];
      e[0] += r.cases.filter((c) => c.pass).length;
      e[1] += r.cases.length;
      byFamily.set(r.fam, e);
    }
    console.info(`nftables py tests: ${[...byFamily].map(([f, [p, t]]) => `${f} ${p}/${t}`).join(', ')}; total ${all.filter((c) => c.pass).length}/${all.length}`);
    expect(all.length).toBeGreaterThanOrEqual(1500);
    const failing = results.flatMap((r) => r.cases.filter((c) => !c.pass).map((c) => `${r.file}:${c.line} ${c.expectOk ? 'ok' : 'fail'} ${c.text} -- ${c.firstError ?? ''}`));
    expect(failing).toEqual([]);
  });

  it('a rule and the listing nft prints for it give the same model (floor: the rate reached)', () => {
    const compared = all.filter((c) => c.sameAsListing !== undefined);
    const same = compared.filter((c) => c.sameAsListing).length;
    console.info(`nftables py tests: rule and nft's listing give the same model for ${same}/${compared.length}`);
    expect(compared.length).toBeGreaterThanOrEqual(1280);
    expect(same / compared.length).toBeGreaterThanOrEqual(0.939);
  });
});
