import { describe, expect, it } from 'vitest';
import { prepare } from '../analysis/simulate/index.js';
import { loadIptables } from '../dialects/iptables/index.js';
import { frameProblem } from './frame.js';
import { packetsForRuleset } from './model-packets.js';
import { interfacesFor } from './verify.js';

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:WEB - [0:0]
-A INPUT -p udp -j DROP
-A INPUT -s 198.18.7.0/24 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -i ens3 -p tcp -m multiport --dports 80,443 -j WEB
-A INPUT -p icmp -m icmp --icmp-type 8 -m length --length 0:100 -j ACCEPT
-A INPUT -s 10.0.0.0/8 -j ACCEPT
-A WEB -m iprange --src-range 198.18.1.1-198.18.1.9 -j REJECT --reject-with icmp-admin-prohibited
-A WEB -m conntrack --ctstate NEW -j ACCEPT
COMMIT
`;

describe('packets derived from a user ruleset', () => {
  const loaded = loadIptables(RULES, 'rules.v4');
  const ifs = interfacesFor(loaded.ruleset);

  it('creates the interfaces the rules name', () => {
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ifs).toEqual(['fwo1', 'ens3']);
  });

  it('are deterministic, sendable and inside the test ranges', () => {
    const a = packetsForRuleset(loaded.ruleset, 'ipv4', ifs, 50, 9);
    expect(packetsForRuleset(loaded.ruleset, 'ipv4', ifs, 50, 9)).toEqual(a);
    for (const p of a) {
      expect(frameProblem(p)).toBeUndefined();
      expect(p.src >> 16n).toBe(0xc612n);
      expect(p.dst >> 16n).toBe(0xc613n);
      expect(ifs).toContain(p.iif);
    }
  });

  it('reach rules behind broad earlier ones, more so when steered by the simulator', () => {
    const sim = prepare(loaded.ruleset);
    const reached = (guided: boolean): number => {
      const ps = packetsForRuleset(loaded.ruleset, 'ipv4', ifs, 100, 3, guided ? (p) => sim.simulate(p).matched : undefined);
      const keys = new Set(ps.flatMap((p) => sim.simulate(p).matched.map((m) => `${m.chain}/${m.index}`)));
      return keys.size;
    };
    const guided = reached(true);
    expect(guided).toBeGreaterThanOrEqual(reached(false));
    // Every rule except the one about 10.0.0.0/8 (outside the test ranges) can be reached.
    expect(guided).toBe(6);
  });
});
