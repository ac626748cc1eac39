/**
 * The routed lab (client → router → server) for forwarding cases: packets to the server range are
 * forwarded by the router, whose FORWARD chain is traced and compared with the simulator.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from './kernel-env.js';
import { KernelSession } from '../../src/kernel/session.js';
import { productModel } from '../../src/kernel/product-model.js';
import { compareOutcomes } from '../../src/kernel/compare.js';
import { packetFromJson } from '../../src/model/packet-input.js';
import type { Packet } from '../../src/model/packet.js';

const RULES = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -i fwo1 -p tcp -m tcp --dport 443 -j ACCEPT
-A FORWARD -p udp -j REJECT --reject-with icmp-port-unreachable
COMMIT
`;

describeKernel('routed lab: the FORWARD hook', () => {
  let session: KernelSession;
  beforeAll(async () => { session = await KernelSession.open({ router: true }); });
  afterAll(async () => { await session?.close(); });

  it('traces forwarded packets and agrees with the simulator', async () => {
    expect(await session.load(RULES, 'iptables')).toBeUndefined();
    const packets = [
      { protocol: 'tcp', sport: 40000, dport: 443 }, { protocol: 'tcp', sport: 40000, dport: 22 }, { protocol: 'udp', sport: 5, dport: 53 },
    ].map((x) => packetFromJson({ family: 'ipv4', src: '198.18.3.4', dst: '198.19.5.6', iif: 'fwo1', hook: 'forward', ...x }).packet as Packet);
    const obs = await session.observe(packets);
    const model = productModel().load({ text: RULES, dialect: 'iptables' });
    if ('errors' in model) throw new Error(model.errors.join('; '));
    const verdicts = obs.map((o, i) => {
      if (!o.ok) throw new Error(o.reason);
      expect(compareOutcomes(o.outcome, model.simulate(packets[i] as Packet))).toEqual([]);
      return o.outcome.verdict;
    });
    expect(verdicts).toEqual(['accept', 'drop', 'reject']);
    expect(await session.checkCounters()).toEqual([]);
  }, 60_000);
});
