/**
 * Runs the built CLI (dist/cli/main.js, made by `npm test`'s build step) as a user would, and compares
 * output with golden files. Refresh the golden files with: UPDATE_GOLDEN=1 npx vitest run test/e2e
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../support/corpus.js';

export const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], o: { input?: string; cwd?: string } = {}): CliResult {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run 'npm run build' (npm test does it first)`);
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: o.cwd ?? repoRoot,
    input: o.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Compares `actual` with test/e2e/golden/NAME, or rewrites the file when UPDATE_GOLDEN=1. */
export function expectGolden(name: string, actual: string): void {
  const file = join(repoRoot, 'test', 'e2e', 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) throw new Error(`golden file ${name} was missing`);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
