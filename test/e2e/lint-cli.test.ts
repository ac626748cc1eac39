/**
 * `fwdoctor lint` as a user runs it: text, JSON and SARIF outputs against golden files, the CI exit
 * codes of --fail-on, --disable, and bad input (diagnostics with file:line:column, exit 2, never a
 * stack trace). Refresh the golden files with: UPDATE_GOLDEN=1 npx vitest run test/e2e
 */
import { describe, expect, it } from 'vitest';
import { expectGolden, runCli } from './run-cli.js';

const WEB = 'test/e2e/fixtures/lint-web.rules';

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text).not.toMatch(/TypeError|ReferenceError|RangeError/);
}

interface JsonFinding {
  readonly code: string;
  readonly severity: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number };
  readonly rule?: { readonly chain: string; readonly index?: number };
  readonly witness?: Record<string, unknown>;
}

describe('fwdoctor lint', () => {
  it('text: names the shadowing rules, file:line, witness and fix', () => {
    const r = runCli(['lint', WEB]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${WEB}:9:1 error lint/shadowed-rule  rule is shadowed by earlier rules #3, #4 with a different action`);
    expectGolden('lint-web.txt', r.stdout);
  });

  it('json: the DESIGN.md finding shape', () => {
    const r = runCli(['lint', WEB, '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    const shadowed = out.findings.find((f) => f.code === 'lint/shadowed-rule');
    expect(shadowed?.severity).toBe('error');
    expect(shadowed?.location).toEqual({ file: WEB, line: 9, column: 1 });
    expect(shadowed?.rule?.index).toBe(5);
    expect(shadowed?.witness?.['dport']).toBe(443);
    expect(out.findings.filter((f) => f.code === 'lint/conflicting-rules').length).toBe(2);
    expectGolden('lint-web.json', r.stdout);
  });

  it('sarif: SARIF 2.1.0 with ruleId, level, file and region', () => {
    const r = runCli(['lint', WEB, '--format', 'sarif']);
    expect(r.status).toBe(0);
    const log = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    expect(log.version).toBe('2.1.0');
    const res = log.runs[0]?.results.find((x) => x.ruleId === 'lint/shadowed-rule');
    expect(res?.level).toBe('error');
    expect(res?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe(WEB);
    expect(res?.locations?.[0]?.physicalLocation.region.startLine).toBe(9);
    expectGolden('lint-web.sarif', r.stdout);
  });

  it('--fail-on: exit 1 when a finding at that severity or worse is reported, 0 otherwise', () => {
    expect(runCli(['lint', WEB, '--fail-on', 'error']).status).toBe(1);
    expect(runCli(['lint', WEB, '--fail-on', 'info']).status).toBe(1);
    expect(runCli(['lint', 'test/e2e/fixtures/diff-old.rules', '--fail-on', 'error']).status).toBe(0);
  });

  it('--disable leaves the codes out (with or without the lint/ prefix), which changes the exit code', () => {
    const r = runCli(['lint', WEB, '--fail-on', 'error', '--disable', 'shadowed-rule', '--disable', 'lint/conflicting-rules', '--format', 'json']);
    expect(r.status).toBe(0);
    const codes = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.map((f) => f.code);
    expect(codes).not.toContain('lint/shadowed-rule');
    expect(codes).not.toContain('lint/conflicting-rules');
    expect(codes).toContain('lint/undocumented-rule');
  });

  it('bad rules: diagnostics with file:line:column and a code frame, exit 2, no stack trace', () => {
    const r = runCli(['lint', 'test/e2e/fixtures/lint-bad.rules']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("test/e2e/fixtures/lint-bad.rules:4:32 error iptables/invalid-value  tcp --dport: expected a port in 0-65535, got '99999'");
    expect(r.stderr).toContain('> 4 | -A INPUT -p tcp -m tcp --dport 99999 -j ACCEPT');
    noStackTrace(r.stderr + r.stdout);
  });

  it('a missing file or a bad option value: a plain message, exit 2', () => {
    const missing = runCli(['lint', 'test/e2e/fixtures/lint-no-such-file.rules']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read test/e2e/fixtures/lint-no-such-file.rules: no such file');
    const bad = runCli(['lint', WEB, '--format', 'xml']);
    expect(bad.status).toBe(2);
    noStackTrace(missing.stderr + bad.stderr);
  });
});
