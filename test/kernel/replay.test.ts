/**
 * `fwdoctor verify-kernel --replay`: recorded cases run again in this kernel; a case whose kernel
 * answer changed, or where fwdoctor disagrees, fails the replay (exit 1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { describeKernel } from './kernel-env.js';
import { runVerifyKernel } from '../../src/cli/verify-kernel.js';

const RULES = '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n';

function record(id: string, dport: number, kernel: unknown): string {
  return JSON.stringify({
    id, dialect: 'iptables-save', ruleset: RULES,
    packet: { family: 'ipv4', protocol: 'tcp', src: '198.18.0.9', dst: '198.19.0.1', sport: 40000, dport, tcpFlags: 'S', iif: 'fwo1' },
    kernel,
  });
}

async function replay(lines: string[]): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fwdk-replay-'));
  const file = join(dir, 'cases.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out += String(c); return true; });
  try {
    const code = await runVerifyKernel(undefined, { packets: '1', seed: '1', show: '5', color: false, replay: file });
    return { code, out };
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
}

describeKernel('verify-kernel --replay', () => {
  afterAll(() => { vi.restoreAllMocks(); });

  it('replays recorded cases that still hold (exit 0)', async () => {
    const r = await replay([
      record('ssh', 22, { verdict: 'accept', terminal: { chain: 'INPUT', index: 1 }, matched: [['INPUT', 1]] }),
      record('other', 23, { verdict: 'drop', terminal: { chain: 'INPUT', policy: true }, matched: [] }),
    ]);
    expect(r.out).toContain('ok ssh');
    expect(r.out).toContain('2/2 recorded cases replayed as recorded, with fwdoctor agreeing');
    expect(r.code).toBe(0);
  }, 60_000);

  it('fails a case whose recorded kernel answer no longer holds (exit 1)', async () => {
    const r = await replay([record('wrong', 22, { verdict: 'drop', terminal: { chain: 'INPUT', policy: true }, matched: [] })]);
    expect(r.out).toContain('FAIL wrong');
    expect(r.out).toMatch(/kernel differs from the recording: verdict: recorded "drop", kernel now "accept"/);
    expect(r.code).toBe(1);
  }, 60_000);
});
