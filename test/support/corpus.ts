/**
 * Test inputs from ../shared/corpus/ (beside the clone in CI and for developers). A user's clone has
 * no ../shared: tests that need it skip with a message instead of failing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpusRoot = join(repoRoot, '..', 'shared', 'corpus');

/** Absolute path of `rel` under ../shared/corpus, or undefined when the corpus is not there. */
export function corpusPath(rel: string): string | undefined {
  const p = join(corpusRoot, rel);
  return existsSync(p) ? p : undefined;
}

export const hasCorpus = existsSync(corpusRoot);
export const corpusSkipReason = `skipped: ${corpusRoot} is absent (the shared test corpus sits beside the clone in CI)`;
