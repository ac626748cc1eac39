import { it } from 'vitest';
import { run, runOk } from '../../src/kernel/exec.js';
import { createHostLab, startServers } from './lab.js';
import { probe } from './probe.js';
import { FLOW_TARGETS, generateConfig, mulberry32 } from './gen.js';
it('debug', async () => {
  const lab = await createHostLab();
  try {
    await startServers(lab, lab.server, [['tcp', '0.0.0.0', 22], ['tcp', '0.0.0.0', 80], ['tcp', '127.0.0.1', 8080], ['udp', '0.0.0.0', 53]]);
    const rng = mulberry32(1);
    let sport = 20000;
    for (let round = 0; round < 8; round++) {
      const cfg = generateConfig(rng);
      await runOk(['ip', 'netns', 'exec', lab.router, 'iptables-restore'], { input: cfg.router });
      await runOk(['ip', 'netns', 'exec', lab.server, 'iptables-restore'], { input: cfg.server });
      await runOk(['ip', 'netns', 'exec', lab.router, 'sysctl', '-qw', `net.ipv4.ip_forward=${cfg.ipForward ? 1 : 0}`]);
      for (const ns of [lab.router, lab.server]) await run(['ip', 'netns', 'exec', ns, 'conntrack', '-F']);
      const flows = FLOW_TARGETS.map((t) => ({ ...t, sport: sport++ }));
      if (round === 7) console.log((await run(['ip', 'netns', 'exec', lab.server, 'ss', '-tan'])).stdout);
      const res = await probe(lab.client, 'fhc0', flows, 0.6);
      console.log(round, cfg.ipForward, /MASQUERADE/.test(cfg.router), JSON.stringify(res.map((r, i) => `${flows[i]?.dst}:${flows[i]?.dport}=${r.outcome}`)));
    }
    console.log((await run(['ip', 'netns', 'exec', lab.router, 'conntrack', '-L'])).stdout);
  } finally { await lab.destroy(); }
}, 60_000);
