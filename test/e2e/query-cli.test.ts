/**
 * `fwdoctor query` as a user runs it: --accepted / --dropped tables, --service-matrix --json (the
 * DESIGN.md contract) with and without fffuu's --ipassmt, and bad input (exit 2, file:line:column).
 * Refresh the golden files with: UPDATE_GOLDEN=1 npx vitest run test/e2e
 */
import { describe, expect, it } from 'vitest';
import { expectGolden, runCli } from './run-cli.js';

const WEB = 'test/e2e/fixtures/lint-web.rules';
const ROUTER = 'test/e2e/fixtures/query-router.rules';

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text).not.toMatch(/TypeError|ReferenceError|RangeError/);
}

interface MatrixJson {
  readonly dport: number;
  readonly classes: readonly { readonly id: number; readonly ranges: readonly string[] }[];
  readonly edges: readonly (readonly [number, number])[];
}

describe('fwdoctor query', () => {
  it('--accepted: rows with one witness each', () => {
    const r = runCli(['query', WEB, '--accepted', 'tcp dport 80']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ipv4 tcp from 10.0.0.0/8 dport 80');
    expectGolden('query-web-accepted-80.txt', r.stdout);
  });

  it('--dropped with --from: what the slice loses', () => {
    const r = runCli(['query', WEB, '--dropped', 'tcp dport 443', '--from', '198.51.100.0/24']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('from 198.51.100.0/24');
    expectGolden('query-web-dropped-443.txt', r.stdout);
  });

  it('--service-matrix --json: classes partition IPv4, edges between them', () => {
    const r = runCli(['query', WEB, '--service-matrix', '--dport', '80', '--json']);
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout) as MatrixJson;
    expect(m.dport).toBe(80);
    const ranges = m.classes.flatMap((c) => c.ranges);
    expect(ranges).toContain('10.0.0.0/8');
    expect(m.edges.length).toBeGreaterThan(0);
    expectGolden('query-web-matrix-80.json', r.stdout);
  });

  it('--service-matrix --ipassmt: input interfaces become the source ranges they carry (fffuu)', () => {
    const r = runCli(['query', ROUTER, '--service-matrix', '--hook', 'forward', '--dport', '80', '--ipassmt', 'test/e2e/fixtures/query-ipassmt.txt', '--json']);
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout) as MatrixJson;
    const id = (range: string): number | undefined => m.classes.find((c) => c.ranges.includes(range))?.id;
    const web = id('10.0.0.80');
    const outside = id('128.0.0.0/1');
    expect(web).toBeDefined();
    expect(m.edges).toContainEqual([outside, web]);
    expect(m.edges.some(([a, b]) => a === outside && b !== web)).toBe(false);
    expectGolden('query-router-ipassmt-80.json', r.stdout);
  });

  it('a bad ipassmt file: diagnostics with file:line:column, exit 2', () => {
    const r = runCli(['query', ROUTER, '--service-matrix', '--ipassmt', 'test/e2e/fixtures/query-ipassmt-bad.txt']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("test/e2e/fixtures/query-ipassmt-bad.txt:2:9 error ipassmt/bad-address  eth1: expected an IPv4 address, CIDR or range, got '10.0.0.300/8'");
    expect(r.stderr).toContain('test/e2e/fixtures/query-ipassmt-bad.txt:3:1 error ipassmt/syntax');
    noStackTrace(r.stderr + r.stdout);
  });

  it('a bad slice or bad rules: a message, exit 2, no stack trace', () => {
    const slice = runCli(['query', WEB, '--accepted', 'tcp dport 99999']);
    expect(slice.status).toBe(2);
    expect(slice.stderr).toContain("dport: expected a port or N-M in 0-65535, got '99999'");
    const rules = runCli(['query', 'test/e2e/fixtures/lint-bad.rules', '--accepted', 'tcp']);
    expect(rules.status).toBe(2);
    expect(rules.stderr).toContain('test/e2e/fixtures/lint-bad.rules:4:32 error iptables/invalid-value');
    noStackTrace(slice.stderr + rules.stderr);
  });
});
