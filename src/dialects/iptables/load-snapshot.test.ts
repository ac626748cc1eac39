/**
 * loadIptables against snapshots of its output recorded before the load-speed work (issue 2):
 * making the loader faster must not change the model or the diagnostics. The snapshots were made
 * by the code of commit 19d7a72 (the last one before that work).
 *
 * - fixtures/snapshot/X.restore → X.model.json.gz: the whole output (ruleset and diagnostics) as
 *   JSON, bigints written `123n`. `synthetic-sample` is every 33rd rule of the 50k synthetic file;
 *   `edge-cases` mixes what the fast paths must leave alone (quotes, interleaved options,
 *   abbreviations, -I/-D/-R/-E, address lists, counters, errors).
 * - The 50k synthetic file itself (from ../shared/corpus) by the SHA-256 of the same JSON.
 *
 * After a deliberate change of the model, regenerate with `UPDATE_SNAPSHOTS=1 npx vitest run
 * src/dialects/iptables/load-snapshot.test.ts`, review the diff of the decompressed JSON, and
 * update SYNTHETIC_50K_SHA256 from the message of the failing test.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpusPath, corpusSkipReason, hasCorpus } from '../../../test/support/corpus.js';
import { loadIptables } from './index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'snapshot');
const update = process.env.UPDATE_SNAPSHOTS === '1';

const SYNTHETIC_50K_SHA256 = 'a0ab81d6d745987b4bd0b63da32f66493a77d2e78c8e99539f16ec3d0b51538d';

function outputJson(text: string, fileName: string): string {
  const r = loadIptables(text, fileName);
  return JSON.stringify({ ruleset: r.ruleset, diagnostics: r.diagnostics }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

describe('loadIptables output equals the recorded snapshots', () => {
  for (const name of ['edge-cases', 'synthetic-sample']) {
    it(name, () => {
      const got = outputJson(readFileSync(join(dir, `${name}.restore`), 'utf8'), `${name}.restore`);
      const path = join(dir, `${name}.model.json.gz`);
      if (update) writeFileSync(path, gzipSync(`${got}\n`, { level: 9 }));
      const want = gunzipSync(readFileSync(path)).toString('utf8').trimEnd();
      // Compare parsed values first for a readable diff, then the text for key order.
      expect(JSON.parse(got)).toEqual(JSON.parse(want));
      expect(got).toBe(want);
    });
  }

  describe.skipIf(!hasCorpus)('the 50k-rule synthetic file', () => {
    it('gives the recorded model and diagnostics', () => {
      const path = corpusPath('synthetic/iptables-input-50000.rules.gz');
      if (path === undefined) throw new Error(corpusSkipReason);
      const text = gunzipSync(readFileSync(path)).toString('utf8');
      const hash = createHash('sha256').update(outputJson(text, 'iptables-input-50000.rules')).digest('hex');
      expect(hash).toBe(SYNTHETIC_50K_SHA256);
    }, 30_000);
  });
});
