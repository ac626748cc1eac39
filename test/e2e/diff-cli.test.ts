/**
 * `fwdoctor diff OLD NEW` as a user runs it: exit 0 when no packet changes verdict, 1 with the
 * changes (witness packets, the rules responsible on each side), 2 on bad input.
 * Refresh the golden files with: UPDATE_GOLDEN=1 npx vitest run test/e2e
 */
import { describe, expect, it } from 'vitest';
import { expectGolden, runCli } from './run-cli.js';

const OLD = 'test/e2e/fixtures/diff-old.rules';

describe('fwdoctor diff', () => {
  it('equivalent rulesets (reordered, a prefix split in two): exit 0', () => {
    const r = runCli(['diff', OLD, 'test/e2e/fixtures/diff-same.rules']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('equivalent');
    expectGolden('diff-equivalent.txt', r.stdout);
  });

  it('different rulesets: exit 1, each change with a witness and the deciding rules', () => {
    const r = runCli(['diff', OLD, 'test/e2e/fixtures/diff-new.rules']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('now accepted');
    expect(r.stdout).toContain('now blocked');
    expect(r.stdout).toContain('old: accept by filter/INPUT/3   new: drop by filter/INPUT policy');
    expectGolden('diff-changed.txt', r.stdout);
  });

  it('--json: the same changes as data', () => {
    const r = runCli(['diff', OLD, 'test/e2e/fixtures/diff-new.rules', '--json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { equivalent: boolean; changes: { change: string; witness: { dport: number } }[] };
    expect(out.equivalent).toBe(false);
    expect(out.changes.map((c) => [c.change, c.witness.dport]).sort()).toEqual([['now-accepted', 80], ['now-blocked', 22]]);
  });

  it('bad input: diagnostics with file:line:column, exit 2', () => {
    const r = runCli(['diff', OLD, 'test/e2e/fixtures/lint-bad.rules']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('test/e2e/fixtures/lint-bad.rules:4:32 error iptables/invalid-value');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
