import { describe, expect, it } from 'vitest';
import { expectGolden, runCli } from './run-cli.js';

const WEB = 'examples/webserver-8080-blocked/rules.v4';

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text).not.toMatch(/TypeError|ReferenceError|SyntaxError: /);
}

describe('fwdoctor demo', () => {
  it('traces the bundled example and names the blocking rule and the unreachable ACCEPT', () => {
    const r = runCli(['demo']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('verdict DROP — decided by filter/LOGDROP/2');
    expect(r.stdout).toContain('never reached filter/INPUT/8');
    expectGolden('demo.txt', r.stdout);
  });
});

describe('fwdoctor trace', () => {
  it('prints a readable trace with the deciding rule, file and line', () => {
    const r = runCli(['trace', WEB, '--packet', 'tcp 198.18.10.7:40000 -> 198.19.0.2:22', '--in', 'eth0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verdict ACCEPT — decided by filter/INPUT/5 at examples/webserver-8080-blocked/rules.v4:11');
    expectGolden('trace-ssh-accepted.txt', r.stdout);
  });

  it('reports bad rules with code frames, still analyses the rest, and exits 2', () => {
    const r = runCli(['trace', 'test/e2e/fixtures/bad.rules', '--packet', 'tcp 198.18.0.5:1 -> 198.19.0.2:8080']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("test/e2e/fixtures/bad.rules:6:32 error iptables/invalid-value  tcp --dport: expected a port in 0-65535, got '70000'");
    expect(r.stderr).toContain('> 6 | -A INPUT -p tcp -m tcp --dport 70000 -j DROP');
    expect(r.stderr).toContain('test/e2e/fixtures/bad.rules:7:38 error iptables/unknown-chain');
    expect(r.stdout).toContain('verdict DROP — decided by filter/INPUT/3');
    noStackTrace(r.stderr + r.stdout);
  });

  it('traces JSON Lines packets in order, one result per line, errors in place', () => {
    const r = runCli(['trace', WEB, '--packets', 'test/e2e/fixtures/packets.jsonl', '--json']);
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => l.verdict ?? 'error')).toEqual(['drop', 'drop', 'drop', 'error', 'drop']);
    expect(lines[0]?.decidedBy).toEqual({ family: 'ip', table: 'filter', chain: 'LOGDROP', index: 2, line: 16, file: WEB });
    expect(lines[0]?.matched).toEqual([
      { family: 'ip', table: 'filter', chain: 'INPUT', index: 7 },
      { family: 'ip', table: 'filter', chain: 'LOGDROP', index: 2 },
    ]);
    expect(r.stderr).toContain('packets.jsonl:4: not valid JSON');
  });

  it('reads the ruleset and packets from standard input', () => {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -m udp --dport 53 -j REJECT\nCOMMIT\n';
    const r = runCli(['trace', '-', '--packet', 'udp 198.18.0.5:5353 -> 198.19.0.2:53', '--json'], { input: rules });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'reject', reject: { name: 'icmp-port-unreachable' } });
  });

  it('--expect gates on the verdict', () => {
    const args = ['trace', WEB, '--packet', 'tcp 198.18.0.5:1 -> 198.19.0.2:443'];
    expect(runCli([...args, '--expect', 'accept']).status).toBe(0);
    const r = runCli([...args, '--expect', 'blocked']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("did not get the expected verdict 'blocked'");
  });

  it('never lets rule text drive the terminal', () => {
    const r = runCli(['trace', 'test/e2e/fixtures/hostile.rules', '--packet', 'tcp 198.18.0.5:1 -> 198.19.0.2:22']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('\\x1b[31mred');
    expect(r.stdout).toContain('verdict ACCEPT — decided by filter/we$(id)ird/1');
  });

  it('explains usage errors, unreadable files and bad packets without a stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['trace', WEB, '--bogus'], /unknown option '--bogus'/],
      [['trace', 'no/such/file', '--packet', 'tcp 1.2.3.4:1 -> 198.18.0.1:2'], /cannot read no\/such\/file: no such file/],
      [['trace', WEB, '--packet', 'tcp 198.18.0.5 -> 198.19.0.2'], /dport: a tcp packet needs a destination port/],
      [['trace', WEB, '--packet', 'tcp 198.18.0.5:1 -> 198.19.0.300:2'], /dst: expected an IPv4 or IPv6 address, got "198.19.0.300"/],
      [['trace', WEB], /give a packet with --packet/],
      [['trace', WEB, '--packet', 'tcp 198.18.0.5:1 -> 198.19.0.2:2', '--assume', 'filter/INPUT/x=match'], /expected a 1-based rule index/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      noStackTrace(r.stderr);
    }
  });

  it('refuses input it cannot recognise', () => {
    const r = runCli(['trace', '-', '--packet', 'udp 198.18.0.5:5353 -> 198.19.0.2:53'], { input: 'hello world\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot tell which firewall format this is');
    expect(r.stderr).toContain('no rules could be read from the input');
  });
});
