/**
 * GCP firewall semantics, table-driven: flows to (or from) an instance interface, with the outcome
 * and the deciding rule (rule name + priority). Fixtures: test/cloud/fixtures/gcp and gcp-policies
 * (shapes of ../shared/semantics §3.1).
 */
import { describe, expect, it } from 'vitest';
import { GcpModel, readGcpInventory } from '../../src/dialects/gcp/index.js';
import { blocker, decisions, flow, loadFixture, pkt } from './support.js';

const loaded = loadFixture('gcp');
const inv = readGcpInventory(loaded.docs);
const model = new GcpModel(inv.value);
const ploaded = loadFixture('gcp-policies');
const pinv = readGcpInventory(ploaded.docs);
const pmodel = new GcpModel(pinv.value);
const before = new GcpModel({ ...pinv.value, enforcementOrder: new Map([['prod', 'BEFORE_CLASSIC_FIREWALL']]) });

interface Case {
  readonly name: string;
  readonly flow: string;
  readonly side?: 'client' | 'service';
  readonly model?: GcpModel;
  readonly outcome: 'open' | 'timeout';
  readonly by: string;
  readonly undecided?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'GCP-1 equal priority: deny wins over allow', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:22', outcome: 'timeout', by: 'deny-ssh-tie priority 1000' },
  { name: 'GCP-2 allow 900 before deny-all 1000', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.9:22', outcome: 'open', by: 'allow-ssh-bastion priority 900' },
  { name: 'GCP-8 disabled deny at priority 0 ignored', flow: 'tcp 203.0.113.5:50000 -> 10.20.0.9:22', outcome: 'open', by: 'allow-ssh-bastion' },
  { name: 'deny-all 1000 for other ports', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.9:80', outcome: 'timeout', by: 'deny-all-bastion priority 1000: deny all' },
  { name: 'GCP-3 no rule: implied deny ingress', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.20:80', outcome: 'timeout', by: 'implied rule priority 65535: deny all ingress' },
  { name: 'GCP-3 no rule: implied allow egress', flow: 'tcp 10.20.0.20:40000 -> 93.184.216.34:443', side: 'client', outcome: 'open', by: 'implied rule priority 65535: allow all egress' },
  { name: 'GCP-4 target tag absent: implied deny', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.20:443', outcome: 'timeout', by: 'implied rule priority 65535' },
  { name: 'target tag present: allowed', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:443', outcome: 'open', by: 'allow-http-web priority 1000: allow tcp:80,443' },
  { name: 'second port of the same allowed entry', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:80', outcome: 'open', by: 'allow-http-web' },
  { name: 'GCP-5 source tag: app-1 internal address', flow: 'tcp 10.20.2.5:50000 -> 10.20.1.5:5432', outcome: 'open', by: 'allow-pg-from-app priority 1000: allow tcp:5432 from instances with tag app' },
  { name: 'GCP-5 source tag: app-1 external address does not match', flow: 'tcp 192.0.2.60:50000 -> 10.20.1.5:5432', outcome: 'timeout', by: 'implied rule priority 65535' },
  { name: 'source tag: instance in another network does not match', flow: 'tcp 10.128.0.5:50000 -> 10.20.1.5:5432', outcome: 'open', by: 'allow-all-internal-db priority 2000' },
  { name: 'source tag: untagged instance falls to the range rule', flow: 'tcp 10.20.0.20:50000 -> 10.20.1.5:5432', outcome: 'open', by: 'allow-all-internal-db' },
  { name: 'GCP-6 IPv4 ranges never match IPv6', flow: 'tcp [fd00::1]:50000 -> [fd20:1::5]:5432', outcome: 'timeout', by: 'implied rule priority 65535' },
  { name: 'IPv6 range rule matches IPv6', flow: 'tcp [2001:db8::1]:50000 -> [fd20::5]:443', outcome: 'open', by: 'allow-https-v6-web priority 1000' },
  { name: 'GCP-7 metadata server always allowed despite deny-all egress', flow: 'tcp 10.20.1.5:40000 -> 169.254.169.254:80', side: 'client', outcome: 'open', by: 'always allowed: the metadata server' },
  { name: 'deny-all egress at priority 0', flow: 'tcp 10.20.1.5:40000 -> 93.184.216.34:443', side: 'client', outcome: 'timeout', by: 'deny-egress-all-db priority 0' },
  { name: 'egress rule without targets applies to every instance', flow: 'tcp 10.20.0.5:40000 -> 198.51.100.25:25', side: 'client', outcome: 'timeout', by: 'deny-egress-smtp priority 900' },
  { name: 'stateful: ingress allowed, replies pass despite no egress rule', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.9:22', outcome: 'open', by: 'allow-ssh-bastion' },
  { name: 'source service account', flow: 'tcp 10.20.3.5:50000 -> 10.20.2.5:9100', outcome: 'open', by: 'allow-metrics-from-mon priority 1000' },
  { name: 'source service account: other instance', flow: 'tcp 10.20.0.20:50000 -> 10.20.2.5:9100', outcome: 'timeout', by: 'implied rule' },
  { name: 'icmp is ICMPv4', flow: 'icmp 198.51.100.7 -> 10.20.0.5 type 8 code 0', outcome: 'open', by: 'allow-icmp-web priority 1000: allow icmp' },
  { name: 'icmp rule does not match ICMPv6; protocol 58 does', flow: 'icmpv6 2001:db8::7 -> fd20::5 type 128', outcome: 'open', by: 'allow-ipv6-icmp-web' },
  { name: 'udp port range', flow: 'udp 198.51.100.7:40000 -> 10.20.0.5:10005', outcome: 'open', by: 'allow-udp-range-web' },
  { name: 'udp port outside the range', flow: 'udp 198.51.100.7:40000 -> 10.20.0.5:10011', outcome: 'timeout', by: 'implied rule' },
  { name: 'destinationRanges on an ingress rule', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:8080', outcome: 'open', by: 'allow-8080-dst-range' },
  { name: 'external address traced as the internal one', flow: 'tcp 198.51.100.7:50000 -> 192.0.2.50:443', outcome: 'open', by: 'allow-http-web' },
  { name: 'rules of another network never apply', flow: 'tcp 10.128.0.9:50000 -> 10.20.0.20:22', outcome: 'timeout', by: 'implied rule' },
  { name: 'default network: default-allow-internal at 65534', flow: 'tcp 10.128.0.9:50000 -> 10.128.0.5:22', outcome: 'open', by: 'default-allow-internal priority 65534' },
  { name: 'hierarchical policy deny before VPC rules', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:23', model: pmodel, outcome: 'timeout', by: 'policy org-policy org-deny-telnet priority 100' },
  { name: 'hierarchical allow ends evaluation', flow: 'tcp 203.0.113.5:50000 -> 10.20.0.5:8443', model: pmodel, outcome: 'open', by: 'policy org-policy org-allow-admin priority 300' },
  { name: 'goto_next hands ssh to the VPC rules (tie → deny)', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:22', model: pmodel, outcome: 'timeout', by: 'deny-ssh-tie priority 1000' },
  { name: 'AFTER_CLASSIC_FIREWALL: VPC allow before the network policy deny', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:8080', model: pmodel, outcome: 'open', by: 'allow-8080-dst-range' },
  { name: 'BEFORE_CLASSIC_FIREWALL: network policy deny first', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:8080', model: before, outcome: 'timeout', by: 'policy prod-policy net-deny-8080 priority 1000' },
  { name: 'network policy deny for a port no VPC rule opens', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:9000', model: pmodel, outcome: 'timeout', by: 'net-deny-8080' },
  { name: 'secure tags are undecided', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:7000', model: pmodel, outcome: 'timeout', by: 'implied rule', undecided: true },
];

describe('GCP exports read cleanly', () => {
  it('no diagnostics', () => {
    expect(loaded.diagnostics).toEqual([]);
    expect(inv.diagnostics).toEqual([]);
    expect(pinv.diagnostics).toEqual([]);
    expect(pinv.value.policies.map((p) => p.name)).toEqual(['org-policy', 'prod-policy']);
  });
});

describe('GCP flows', () => {
  it('has at least 30 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(30));
  for (const c of CASES) {
    it(c.name, () => {
      const m = c.model ?? model;
      const l = m.layersFor(pkt(c.flow), c.side !== undefined ? { side: c.side } : {});
      expect(l.errors).toEqual([]);
      const text = l.translate === undefined ? c.flow : c.flow.replace('192.0.2.50', '10.20.0.5');
      const r = flow(l.layers, text);
      const ds = decisions(r);
      expect(r.outcome, JSON.stringify(ds, null, 1)).toBe(c.outcome);
      const t = r.packets[0]?.stages[0]?.traces[0];
      const decisive = c.outcome === 'open' ? t?.steps.filter((s) => s.result === 'match').map((s) => s.text).join(' | ') : blocker(r)?.text;
      expect(decisive).toContain(c.by);
      expect((t?.dependsOn.length ?? 0) > 0).toBe(c.undecided === true);
    });
  }
});
