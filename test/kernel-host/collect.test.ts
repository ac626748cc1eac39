/**
 * `fwdoctor collect` for real inside a namespace with a known ruleset and a listening socket:
 * nothing on the host changes (ruleset and sysctl hashes), and the snapshot round-trips through
 * the flow simulation.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateFlow } from '../../src/analysis/flow/flow.js';
import { collectSnapshot } from '../../src/host/collect.js';
import { loadSnapshot } from '../../src/host/snapshot.js';
import { run, runOk } from '../../src/kernel/exec.js';
import { packetFromText } from '../../src/model/packet-input.js';
import { hostLayer } from '../../src/model/path.js';
import { describeKernel } from '../kernel/kernel-env.js';
import { createHostLab, type HostLab, startServers } from './lab.js';

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT
COMMIT
`;

async function fingerprint(ns: string): Promise<string> {
  const parts = await Promise.all([
    run(['ip', 'netns', 'exec', ns, 'nft', 'list', 'ruleset']),
    run(['ip', 'netns', 'exec', ns, 'sysctl', '-a', '--pattern', '^net\\.(ipv4|ipv6|netfilter)\\.']),
  ]);
  // The conntrack count moves with traffic, not with collect.
  const text = parts.map((p) => p.stdout.replace(/^net\.netfilter\.nf_conntrack_count = \d+$/m, '')).join('\n');
  return createHash('sha256').update(text).digest('hex');
}

describeKernel('kernel: fwdoctor collect inside a namespace', () => {
  let lab: HostLab & { id: string };
  let dir: string;
  beforeAll(async () => {
    lab = await createHostLab();
    await runOk(['ip', 'netns', 'exec', lab.server, 'iptables-restore'], { input: RULES });
    await startServers(lab, lab.server, [['tcp', '0.0.0.0', 80], ['tcp', '127.0.0.1', 8080]]);
    dir = mkdtempSync(join(tmpdir(), 'fwdh-collect-'));
  }, 60_000);
  afterAll(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('changes nothing and round-trips through the flow simulation', async () => {
    const before = await fingerprint(lab.server);
    const r = await collectSnapshot({ out: dir, prefix: ['ip', 'netns', 'exec', lab.server], etcDir: join(dir, 'no-etc') });
    expect(await fingerprint(lab.server)).toBe(before);
    expect(r.written).toEqual(expect.arrayContaining(['iptables', 'nftJson', 'addr', 'route4', 'rule4', 'sockets', 'sysctl', 'meta']));
    expect(readFileSync(join(dir, 'iptables.rules'), 'utf8')).toMatch(/-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT/);
    const snap = loadSnapshot(dir);
    expect(snap.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(snap.host.sockets?.some((s) => s.port === 80 && s.wildcard)).toBe(true);
    const path = { layers: [hostLayer('server', snap.host)] };
    const flow = (t: string) => evaluateFlow(path, packetFromText(t).packet ?? (() => { throw new Error(t); })());
    expect(flow('tcp 198.18.0.2:41000 -> 198.19.0.2:80').outcome).toBe('open');
    expect(flow('tcp 198.18.0.2:41001 -> 198.19.0.2:8080').outcome).toBe('refused');
    expect(flow('tcp 198.18.0.2:41002 -> 198.19.0.2:22').outcome).toBe('timeout');
  }, 60_000);
});
