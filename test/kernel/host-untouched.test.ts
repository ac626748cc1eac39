/**
 * verify-kernel and the differential harness never touch the host: the host namespace's
 * iptables / ip6tables / nft rulesets, its interfaces and the sysctls the harness writes inside
 * its own namespaces are the same before and after (read-only commands only, in the host).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeKernel } from './kernel-env.js';
import { runVerifyKernel } from '../../src/cli/verify-kernel.js';
import { KernelSession } from '../../src/kernel/session.js';
import { runDifferential } from '../../src/kernel/differential.js';
import { astModel } from '../../src/kernel/model.js';
import { listNamespaces } from '../../src/kernel/netns.js';
import { corpusPath, hasCorpus } from '../support/corpus.js';

const SYSCTLS = [
  'net/ipv4/conf/all/rp_filter', 'net/ipv4/conf/default/rp_filter', 'net/ipv6/conf/all/accept_dad',
  'net/ipv6/conf/default/accept_dad', 'net/ipv4/ip_forward', 'net/ipv6/conf/all/disable_ipv6',
];

function read(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.status}\n${r.stdout}`;
}

/** The host's firewall, links and sysctls, without timestamps and counters (traffic moves those). */
function hostState(): { hash: string; text: string } {
  const parts = [
    read('iptables-save', []), read('ip6tables-save', []), read('nft', ['list', 'ruleset']),
    read('ip', ['-o', 'link', 'show']).replace(/\s+link\/.*$/gm, ''),
    ...SYSCTLS.map((k) => `${k}=${readFileSync(`/proc/sys/${k}`, 'utf8').trim()}`),
  ];
  const text = parts.join('\n---\n')
    .split('\n').filter((l) => !l.startsWith('#')).join('\n')
    .replace(/\[\d+:\d+\]/g, '[c]').replace(/packets \d+ bytes \d+/g, 'packets n bytes n');
  return { hash: createHash('sha256').update(text).digest('hex'), text };
}

const SMALL = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j SSH
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p udp -m multiport --dports 53,123 -j ACCEPT
-A SSH -s 198.18.0.0/24 -j ACCEPT
-A SSH -p tcp -j REJECT --reject-with tcp-reset
COMMIT
`;

describeKernel('the host is never touched', () => {
  it('verify-kernel and a differential run leave the host ruleset, links and sysctls as they were', async () => {
    const before = hostState();
    const ours = (): string[] => listNamespaces().filter((n) => n.startsWith(`fwdk-${process.pid}-`));
    const path = `/tmp/fwdk-host-test-${process.pid}.rules`;
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(path, SMALL);
    try {
      const write = process.stdout.write.bind(process.stdout);
      let printed = '';
      process.stdout.write = ((chunk: string | Uint8Array) => { printed += String(chunk); return true; }) as typeof process.stdout.write;
      let code: number;
      try {
        code = await runVerifyKernel(path, { packets: '200', seed: '3', show: '5', color: false });
      } finally {
        process.stdout.write = write;
      }
      expect(printed).toMatch(/simulator and kernel agree on 200\/200 packets/);
      expect(code).toBe(0);
      const session = await KernelSession.open();
      try {
        const r = await runDifferential({ session, models: [astModel()], cases: 200, seed: 77 });
        expect(r.harnessProblems).toEqual([]);
      } finally {
        await session.close();
      }
    } finally {
      rmSync(path, { force: true });
    }
    expect(ours()).toEqual([]);
    const after = hostState();
    expect(after.text).toBe(before.text);
    expect(after.hash).toBe(before.hash);
  }, 120_000);

  it.skipIf(!hasCorpus)('verify-kernel reads a gzip ruleset (the 10,000-rule synthetic corpus file) and agrees', async () => {
    const file = corpusPath('synthetic/iptables-input-10000.rules.gz');
    if (!file) throw new Error('synthetic corpus file missing');
    const before = hostState();
    const write = process.stdout.write.bind(process.stdout);
    let printed = '';
    process.stdout.write = ((chunk: string | Uint8Array) => { printed += String(chunk); return true; }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await runVerifyKernel(file, { packets: '500', seed: '1', show: '3', color: false, json: true });
    } finally {
      process.stdout.write = write;
    }
    const report = JSON.parse(printed) as { rules: number; compared: number; agreed: number; timingsMs: { total: number } };
    console.log(`[kernel] verify-kernel on 10,000 rules: ${report.agreed}/${report.compared} agree in ${(report.timingsMs.total / 1000).toFixed(1)} s`);
    expect(report.rules).toBe(10000);
    expect(report.agreed).toBe(report.compared);
    expect(report.compared).toBe(500);
    expect(code).toBe(0);
    expect(hostState().hash).toBe(before.hash);
  }, 300_000);
});
