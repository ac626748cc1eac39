/**
 * Golden tests over fixtures/: one small ruleset per feature and a `-bad` variant.
 *
 * - `X.rules` is parsed; `X.save` (or `X.rules` itself when it is already canonical) is the
 *   expected iptables-save print. `X.diag` lists the expected parse diagnostics, one per line:
 *   `LINE:COLUMN severity code message` (required for `-bad` files; no diagnostics otherwise).
 * - Invariants on every good fixture: parse(print(parse(x))) gives the same print and the same
 *   model; CRLF, a BOM and trailing blanks give the same diagnostics, print and model.
 *
 * The goldens were checked against iptables 1.8.9 (nf_tables) in a network namespace. After a
 * deliberate change, rewrite the .diag files with `UPDATE_FIXTURES=1 npx vitest run
 * src/dialects/iptables/fixtures.test.ts` and review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { loadIptables, parseIptablesSave, printIptablesSave } from './index.js';
import { modelJson } from './testing.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const update = process.env.UPDATE_FIXTURES === '1';

function formatDiags(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.span?.start.line ?? 0}:${d.span?.start.column ?? 0} ${d.severity} ${d.code} ${d.message}`).join('\n');
}

const fixtures = readdirSync(dir).filter((f) => f.endsWith('.rules')).sort();

describe('iptables fixtures', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  for (const name of fixtures) {
    const base = name.slice(0, -'.rules'.length);
    const text = readFileSync(join(dir, name), 'utf8');
    const diagPath = join(dir, `${base}.diag`);
    const bad = base.endsWith('-bad');

    it(`${base}: diagnostics`, () => {
      const { diagnostics } = parseIptablesSave(text, name);
      const got = formatDiags(diagnostics);
      if (update && (bad || got !== '')) writeFileSync(diagPath, `${got}\n`);
      const want = existsSync(diagPath) ? readFileSync(diagPath, 'utf8').trimEnd() : '';
      expect(got).toBe(want);
      if (bad) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
      else expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    });

    if (bad) continue;

    it(`${base}: prints as iptables-save does`, () => {
      const savePath = join(dir, `${base}.save`);
      const want = existsSync(savePath) ? readFileSync(savePath, 'utf8') : text;
      expect(printIptablesSave(parseIptablesSave(text, name).value)).toBe(want);
    });

    it(`${base}: parse(print(parse(x))) equals parse(x)`, () => {
      const first = loadIptables(text, name);
      const printed = printIptablesSave(first.syntax);
      const second = loadIptables(printed, name);
      expect(printIptablesSave(second.syntax)).toBe(printed);
      expect(modelJson(second.ruleset, false)).toBe(modelJson(first.ruleset, false));
    });

    it(`${base}: CRLF, BOM and trailing blanks change nothing`, () => {
      const plain = loadIptables(text, name);
      const variants = [
        text.replace(/\n/g, '\r\n'),
        `\uFEFF${text}`,
        text.replace(/\n/g, ' \t \n'),
      ];
      for (const v of variants) {
        const other = loadIptables(v, name);
        expect(formatDiags(other.diagnostics)).toBe(formatDiags(plain.diagnostics));
        expect(printIptablesSave(other.syntax)).toBe(printIptablesSave(plain.syntax));
        expect(modelJson(other.ruleset)).toBe(modelJson(plain.ruleset));
      }
    });
  }
});
