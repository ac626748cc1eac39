import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { exitCodeFor, registerVerifyKernel, renderReport, reportJson, runVerifyKernel } from './verify-kernel.js';
import { PLAIN_STYLE } from './style.js';
import type { VerifyReport } from '../kernel/verify.js';
import { packetFromText } from '../model/packet-input.js';

const OPTS = { packets: '10', seed: '1', show: '5', color: false } as const;

function capture(): { out: () => string; err: () => string; restore: () => void } {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out += String(c); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { err += String(c); return true; });
  return { out: () => out, err: () => err, restore: () => { o.mockRestore(); e.mockRestore(); } };
}

const RULES = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n';

describe('fwdoctor verify-kernel: arguments and environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwdk-cli-'));
  const file = join(dir, 'rules.v4');
  writeFileSync(file, RULES);
  afterEach(() => { vi.restoreAllMocks(); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('needs exactly one of RULESET and --replay (exit 2)', async () => {
    const c = capture();
    try {
      expect(await runVerifyKernel(undefined, OPTS)).toBe(2);
      expect(await runVerifyKernel(file, { ...OPTS, replay: file })).toBe(2);
    } finally { c.restore(); }
    expect(c.err()).toContain('give a ruleset file, or --replay FILE.jsonl');
  });

  it('rejects a bad --packets value and an unreadable file (exit 2)', async () => {
    const c = capture();
    try {
      expect(await runVerifyKernel(file, { ...OPTS, packets: 'lots' })).toBe(2);
      expect(await runVerifyKernel(join(dir, 'missing.rules'), OPTS)).toBe(2);
    } finally { c.restore(); }
    expect(c.err()).toContain("--packets: expected an integer ≥ 1, got 'lots'");
    expect(c.err()).toContain('no such file');
  });

  it('exits 3 with a clear message when not root', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const c = capture();
    let code: number;
    try { code = await runVerifyKernel(file, OPTS); } finally { c.restore(); }
    expect(code).toBe(3);
    expect(c.err()).toMatch(/needs root/);
  });

  it('exits 3 naming the package when a tool is missing', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'empty-bin');
    const c = capture();
    let code: number;
    try { code = await runVerifyKernel(file, OPTS); } finally { c.restore(); process.env.PATH = path; }
    expect(code).toBe(3);
    expect(c.err()).toMatch(/'ip' is missing or broken; install the Debian package 'iproute2'/);
  });

  it('maps failures to exit codes', () => {
    expect(exitCodeFor({ kind: 'environment', problem: 'no-netns', message: 'x' })).toBe(3);
    expect(exitCodeFor({ kind: 'input', message: 'x' })).toBe(2);
  });

  it('documents the exit codes in --help', () => {
    const program = new Command('fwdoctor');
    registerVerifyKernel(program);
    const help = program.commands.find((c) => c.name() === 'verify-kernel')?.helpInformation() ?? '';
    let after = '';
    const c = capture();
    try { program.commands.find((x) => x.name() === 'verify-kernel')?.outputHelp(); after = c.out(); } finally { c.restore(); }
    expect(help).toContain('--packets <n>');
    expect(help).toContain('--replay <file>');
    expect(after).toMatch(/Exit codes:[\s\S]*3 {2}the environment cannot do it: not root, no network namespaces, or a tool missing/);
  });

  it('renders agreement and disagreements, and the JSON report', () => {
    const packet = packetFromText('tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S').packet;
    if (!packet) throw new Error('bad packet');
    const base: VerifyReport = {
      dialect: 'iptables', rules: 1, interfaces: ['fwo1'], packets: 2000, compared: 2000, agreed: 2000, disagreements: [], unsent: [],
      notes: [], counterProblems: [], exercised: { decidedByRule: 1500, distinctRulesMatched: 1 },
      timings: { setup: 100, load: 200, generate: 10, kernel: 3000, simulate: 50, total: 3400 },
    };
    expect(renderReport('rules.v4', base, PLAIN_STYLE, 5)).toContain('simulator and kernel agree on 2,000/2,000 packets');
    const ref = { family: 'ip' as const, table: 'filter', chain: 'INPUT' };
    const bad: VerifyReport = {
      ...base, agreed: 1999,
      disagreements: [{
        index: 7, packet,
        kernel: { verdict: 'drop', decidedBy: { ...ref, index: 1, handle: 4 }, matched: [{ ...ref, index: 1, handle: 4 }], events: ['trace id 1 ip filter INPUT unknown rule handle 4 (verdict drop)'] },
        model: { verdict: 'accept', decidedBy: { ...ref, policy: true }, matched: [] },
        differences: [{ field: 'verdict', kernel: 'drop', model: 'accept' }],
      }],
    };
    const text = renderReport('rules.v4', bad, PLAIN_STYLE, 5);
    expect(text).toContain('simulator and kernel disagree on 1 of 2,000 packets (agree on 1,999)');
    expect(text).toContain('packet 8: tcp 198.18.0.5:40000 -> 198.19.0.2:22 flags S');
    expect(text).toContain('kernel:   DROP by filter/INPUT/1; matched [filter/INPUT/1]');
    expect(text).toContain('verdict: kernel drop, fwdoctor accept');
    const json = reportJson('rules.v4', bad) as { disagreements: { packet: { dport: number }; kernel: { verdict: string } }[] };
    expect(json.disagreements[0]?.packet.dport).toBe(22);
    expect(json.disagreements[0]?.kernel.verdict).toBe('drop');
  });
});
