/**
 * The kernel as referee for whole-host flows: client → router → server namespaces, random router
 * and server configurations (gen.ts), real sockets on the client (probe.ts), and fwdoctor's flow
 * outcome through the two hosts' snapshots (collected once with `fwdoctor collect` inside the
 * namespaces, rules and ip_forward replaced per round) must agree on every flow.
 *
 *   FWDOCTOR_HOST_KERNEL_CASES=N   flows to check (default 2000)
 *   FWDOCTOR_HOST_KERNEL_SEED=S    first seed (default 1)
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateFlow } from '../../src/analysis/flow/flow.js';
import type { FlowResult } from '../../src/analysis/flow/types.js';
import { flowToJson } from '../../src/analysis/flow/to-json.js';
import { collectSnapshot } from '../../src/host/collect.js';
import { loadSnapshot } from '../../src/host/snapshot.js';
import { runOk } from '../../src/kernel/exec.js';
import { packetFromText } from '../../src/model/packet-input.js';
import { hostLayer } from '../../src/model/path.js';
import { describeKernel, envInt } from '../kernel/kernel-env.js';
import { FLOW_TARGETS, generateConfig, mulberry32 } from './gen.js';
import { createHostLab, type HostLab, startServers } from './lab.js';
import { probe, type ProbeResult } from './probe.js';

const CASES = envInt('FWDOCTOR_HOST_KERNEL_CASES', 2000);
const SEED = envInt('FWDOCTOR_HOST_KERNEL_SEED', 1);
const TIMEOUT_S = 0.6;

function modelView(r: FlowResult): ProbeResult {
  if (r.outcome === 'no-route' || r.outcome === 'unreachable') return { outcome: 'unreachable', icmp: [r.icmp?.type ?? -1, r.icmp?.code ?? -1] };
  return { outcome: r.outcome };
}

describeKernel('kernel: whole-host flows (client → router → server)', () => {
  let lab: HostLab & { id: string };
  let dir: string;
  beforeAll(async () => {
    lab = await createHostLab();
    await startServers(lab, lab.server, [['tcp', '0.0.0.0', 22], ['tcp', '0.0.0.0', 80], ['tcp', '127.0.0.1', 8080], ['udp', '0.0.0.0', 53]]);
    dir = mkdtempSync(join(tmpdir(), 'fwdh-'));
    for (const [name, ns] of [['router', lab.router], ['server', lab.server]] as const) {
      await collectSnapshot({ out: join(dir, name), prefix: ['ip', 'netns', 'exec', ns], etcDir: join(dir, 'no-etc') });
    }
  }, 60_000);
  afterAll(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`agrees with the kernel on ${CASES} flows (seed ${SEED})`, async () => {
    const rng = mulberry32(SEED);
    const base = (host: string, file: string): string | undefined => {
      try { return readFileSync(join(dir, host, file), 'utf8'); } catch { return undefined; }
    };
    let sport = 20000;
    let checked = 0;
    let remeasured = 0;
    const disagreements: string[] = [];
    const tally = new Map<string, number>();
    const started = Date.now();
    for (let round = 0; checked < CASES; round++) {
      const cfg = generateConfig(rng);
      await Promise.all([
        runOk(['ip', 'netns', 'exec', lab.router, 'iptables-restore'], { input: cfg.router }),
        runOk(['ip', 'netns', 'exec', lab.server, 'iptables-restore'], { input: cfg.server }),
        runOk(['ip', 'netns', 'exec', lab.router, 'sysctl', '-qw', `net.ipv4.ip_forward=${cfg.ipForward ? 1 : 0}`]),
      ]);
      await Promise.all([lab.router, lab.server].map((ns) => runOk(['ip', 'netns', 'exec', ns, 'conntrack', '-F']).catch(() => undefined)));
      const snap = (host: string, rules: string, sys?: string) => loadSnapshot(join(dir, host), (f) =>
        f === 'iptables.rules' ? rules : f === 'nft.json' || f === 'ip6tables.rules' ? undefined : f === 'sysctl.txt' && sys !== undefined ? sys : base(host, f));
      const routerSys = (base('router', 'sysctl.txt') ?? '').replace(/^net\.ipv4\.ip_forward = \d/m, `net.ipv4.ip_forward = ${cfg.ipForward ? 1 : 0}`);
      const r = snap('router', cfg.router, routerSys);
      const s = snap('server', cfg.server);
      const errs = [...r.diagnostics, ...s.diagnostics].filter((d) => d.severity === 'error');
      expect(errs).toEqual([]);
      const path = { layers: [hostLayer('router', r.host), hostLayer('server', s.host)] };
      const flows = FLOW_TARGETS.map((t) => ({ ...t, sport: sport++ > 60000 ? (sport = 20000) : sport }));
      const seen = await probe(lab.client, 'fhc0', flows, TIMEOUT_S);
      for (const [i, f] of flows.entries()) {
        const pkt = packetFromText(`${f.proto} ${f.src ?? '198.18.0.2'}:${f.sport} -> ${f.dst}:${f.dport}`).packet;
        if (pkt === undefined) throw new Error('bad packet');
        const model = modelView(evaluateFlow(path, pkt));
        const same = (k: ProbeResult): boolean => JSON.stringify(model) === JSON.stringify({ outcome: k.outcome, ...(k.icmp ? { icmp: k.icmp } : {}) });
        let kernel = seen[i] as ProbeResult;
        checked++;
        // The kernel rate-limits the ICMP errors it sends (per source, and host-wide settings a
        // namespace cannot change), so a lone "timeout" where an ICMP error was due can be the
        // kernel's noise rather than a disagreement: measure that flow again, a second apart, on a
        // fresh source port. A real simulator bug disagrees every time and still fails the test.
        for (let retry = 0; retry < 2 && !same(kernel); retry++) {
          await new Promise((resolve) => setTimeout(resolve, 1100));
          const again = await probe(lab.client, 'fhc0', [{ ...f, sport: sport++ > 60000 ? (sport = 20000) : sport }], TIMEOUT_S);
          kernel = again[0] as ProbeResult;
          remeasured++;
        }
        tally.set(kernel.outcome, (tally.get(kernel.outcome) ?? 0) + 1);
        if (!same(kernel)) {
          const full = evaluateFlow(path, pkt);
          if (process.env.FWDOCTOR_HOST_KERNEL_DEBUG) appendFileSync(process.env.FWDOCTOR_HOST_KERNEL_DEBUG, `${JSON.stringify({ round, flow: f, kernel, reason: full.reason, json: flowToJson(full), router: cfg.router, server: cfg.server, ss: base('server', 'ss.txt') })}\n`);
          disagreements.push(`round ${round} (seed ${SEED}) ${f.proto} -> ${f.dst}:${f.dport}: kernel ${JSON.stringify(kernel)}, fwdoctor ${JSON.stringify(model)} (${full.reason})\n--- router\n${cfg.router}ip_forward=${cfg.ipForward}\n--- server\n${cfg.server}`);
        }
      }
    }
    console.log(`[kernel-host] ${checked - disagreements.length}/${checked} flows agree in ${((Date.now() - started) / 1000).toFixed(1)} s (${remeasured} kernel re-measurements); kernel outcomes ${JSON.stringify(Object.fromEntries(tally))}`);
    for (const d of disagreements.slice(0, 40)) console.log(d.split("\n")[0]);
    expect(disagreements.slice(0, 3)).toEqual([]);
    // The random configurations must exercise every observable outcome.
    for (const o of ["open", "refused", "unreachable", "timeout"]) expect(tally.get(o) ?? 0).toBeGreaterThan(checked / 100);
  }, 400_000);
});
