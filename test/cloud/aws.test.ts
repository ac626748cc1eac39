/**
 * AWS semantics, table-driven: each case is a flow from a client to a network interface (or from
 * it, `client`), through the layers AWS puts in front of it, with the outcome and the native rule
 * that decides. Fixtures: test/cloud/fixtures/aws (shapes of ../shared/semantics §1.1).
 */
import { describe, expect, it } from 'vitest';
import type { Layer } from '../../src/model/path.js';
import { AwsModel, readAwsInventory } from '../../src/dialects/aws/index.js';
import { blocker, decisions, flow, loadFixture, pkt } from './support.js';

const loaded = loadFixture('aws');
const inv = readAwsInventory(loaded.docs);
const model = new AwsModel(inv.value);

const WEB = 'eni-0a0a0a0a0a0a0a0a1';
const DB = 'eni-0d0d0d0d0d0d0d0d4';
const APP = 'eni-0c0c0c0c0c0c0c0c3';

interface Case {
  readonly name: string;
  readonly flow: string;
  readonly eni?: string;
  readonly side?: 'client' | 'service';
  /** Only one of the layers (to test it alone). */
  readonly only?: 'sg' | 'nacl';
  readonly outcome: 'open' | 'timeout';
  readonly dropped?: 'forward' | 'reply';
  /** Text of the deciding native rule: the blocking one, or for open flows the one of each forward layer. */
  readonly by: readonly string[];
  readonly noNacl?: boolean;
  /** Deciding rules of the forward packet when the reply is dropped. */
  readonly fwd?: readonly string[];
}

const CASES: readonly Case[] = [
  { name: 'AWS-1 union: ssh from anywhere via the second group', flow: 'tcp 198.51.100.7:50000 -> 10.0.1.10:22', outcome: 'open', by: ['rule 110: allow tcp 22', 'sgr-0b00000000000001'] },
  { name: 'ssh from the office: first matching group rule', flow: 'tcp 203.0.113.5:50000 -> 10.0.1.10:22', outcome: 'open', by: ['rule 110', 'sgr-0a00000000000003'] },
  { name: 'https v4', flow: 'tcp 198.51.100.7:50000 -> 10.0.1.10:443', outcome: 'open', by: ['rule 100: allow tcp 443', 'sgr-0a00000000000001'] },
  { name: 'NACL reply to an ephemeral port outside 32768-65535', flow: 'tcp 198.51.100.7:1025 -> 10.0.1.10:443', outcome: 'timeout', dropped: 'reply', by: ['acl-0a0a0a0a0a0a0a0a1 rule * (32767): deny all traffic to 0.0.0.0/0'] },
  { name: 'AWS-5 deny 90 before allow 120', flow: 'tcp 198.51.100.7:50000 -> 10.0.1.10:3389', outcome: 'timeout', dropped: 'forward', by: ['rule 90: deny tcp 3389'] },
  { name: 'NACL allows 8080, no security group rule does', flow: 'tcp 198.51.100.7:50000 -> 10.0.1.10:8080', outcome: 'timeout', dropped: 'forward', by: ['no inbound rule of sg-0a0a0a0a0a0a0a0a1 (web), sg-0b0b0b0b0b0b0b0b2 (ssh-anywhere) allows it'] },
  { name: 'prefix list expanded to its entries', flow: 'tcp 198.18.10.5:50000 -> 10.0.1.10:8085', outcome: 'open', by: ['rule 120', 'sgr-0a00000000000006: allow tcp 8080-8090 from prefix list pl-0123abcd4567ef890 (corp-offices)'] },
  { name: 'prefix list second entry', flow: 'tcp 198.18.20.9:50000 -> 10.0.1.10:8080', outcome: 'open', by: ['rule 120', 'sgr-0a00000000000006'] },
  { name: 'group reference: web-1 private address', flow: 'tcp 10.0.1.10:50000 -> 10.0.3.30:8000', outcome: 'open', by: ['acl-0c0c0c0c0c0c0c0c3 rule 100', 'sg-0c0c0c0c0c0c0c0c3 (app): allow tcp 8000 from private addresses of sg-0a0a0a0a0a0a0a0a1 (web) members (2 interfaces)'] },
  { name: 'group reference: web-2 private address', flow: 'tcp 10.0.1.11:50000 -> 10.0.3.30:8000', outcome: 'open', by: ['rule 100', 'private addresses of sg-0a0a0a0a0a0a0a0a1 (web) members'] },
  { name: 'AWS-10 group reference does not match the public address', flow: 'tcp 192.0.2.80:50000 -> 10.0.3.30:8000', outcome: 'timeout', dropped: 'forward', by: ['no inbound rule of sg-0c0c0c0c0c0c0c0c3 (app)'] },
  { name: 'group reference: non-member', flow: 'tcp 10.0.2.20:50000 -> 10.0.3.30:8000', outcome: 'timeout', dropped: 'forward', by: ['no inbound rule of sg-0c0c0c0c0c0c0c0c3 (app)'] },
  { name: 'IPv6 https: NACL has no IPv6 egress rule (one-way)', flow: 'tcp [2001:db8::1]:50000 -> [2600:1f18:1234:5601::10]:443', outcome: 'timeout', dropped: 'reply', fwd: ['rule 101: allow tcp 443 from ::/0', 'sgr-0a00000000000002'], by: ['rule * (32768): deny all traffic to ::/0'] },
  { name: 'AWS-6 IPv4 entries do not apply to IPv6', flow: 'tcp [2001:db8::1]:50000 -> [2600:1f18:1234:5601::10]:22', outcome: 'timeout', dropped: 'forward', by: ['rule * (32768): deny all traffic from ::/0'] },
  { name: 'ICMP echo type 8 code -1 (all codes)', flow: 'icmp 10.0.3.30 -> 10.0.1.10 type 8 code 0', outcome: 'open', by: ['rule 130: allow icmp type 8', 'sgr-0a00000000000004: allow icmp type 8 from 10.0.0.0/8'] },
  { name: 'AWS-8 echo-reply as a new flow', flow: 'icmp 10.0.3.30 -> 10.0.1.10 type 0 code 0', outcome: 'timeout', dropped: 'forward', by: ['no inbound rule of sg-0a0a0a0a0a0a0a0a1 (web)'] },
  { name: 'ICMP type 3 code 4 from outside blocked by the NACL', flow: 'icmp 198.51.100.7 -> 10.0.1.10 type 3 code 4', outcome: 'timeout', dropped: 'forward', by: ['rule * (32767)'] },
  { name: 'ICMP FromPort=type ToPort=code: 3/4 allowed', flow: 'icmp 10.0.3.30 -> 10.0.1.10 type 3 code 4', only: 'sg', outcome: 'open', by: ['sgr-0a00000000000007: allow icmp type 3 code 4'] },
  { name: 'ICMP type 3 other code refused', flow: 'icmp 10.0.3.30 -> 10.0.1.10 type 3 code 1', only: 'sg', outcome: 'timeout', dropped: 'forward', by: ['no inbound rule of sg-0a0a0a0a0a0a0a0a1'] },
  { name: 'icmpv6 -1/-1: all types', flow: 'icmpv6 2001:db8::5 -> 2600:1f18:1234:5601::10 type 128', only: 'sg', outcome: 'open', by: ['sgr-0a00000000000005: allow icmpv6 all types from 2001:db8::/32'] },
  { name: 'icmpv6 from outside the range', flow: 'icmpv6 2001:db9::5 -> 2600:1f18:1234:5601::10 type 128', only: 'sg', outcome: 'timeout', dropped: 'forward', by: ['no inbound rule'] },
  { name: 'AWS-9 same subnet: NACL not consulted', flow: 'tcp 10.0.1.11:50000 -> 10.0.1.10:443', eni: WEB, outcome: 'open', by: ['sgr-0a00000000000001'], noNacl: true },
  { name: 'same subnet: the security group still filters', flow: 'tcp 10.0.1.11:50000 -> 10.0.1.10:3389', eni: WEB, outcome: 'timeout', dropped: 'forward', by: ['no inbound rule'], noNacl: true },
  { name: 'AWS-4 NACL allows in, only * out: one-way', flow: 'tcp 10.0.3.30:50000 -> 10.0.2.20:5432', outcome: 'timeout', dropped: 'reply', fwd: ['acl-0b0b0b0b0b0b0b0b2 rule 100: allow tcp 5432 from 10.0.3.0/24', 'sg-0d0d0d0d0d0d0d0d4 (db): allow tcp 5432'], by: ['acl-0b0b0b0b0b0b0b0b2 rule * (32767): deny all traffic to 0.0.0.0/0'] },
  { name: 'db NACL: source outside the app subnet', flow: 'tcp 10.0.1.10:50000 -> 10.0.2.20:5432', outcome: 'timeout', dropped: 'forward', by: ['acl-0b0b0b0b0b0b0b0b2 rule * (32767): deny all traffic from 0.0.0.0/0'] },
  { name: 'AWS-3 stateful: empty egress does not block the reply', flow: 'tcp 10.0.3.30:50000 -> 10.0.2.20:5432', only: 'sg', outcome: 'open', by: ['sg-0d0d0d0d0d0d0d0d4 (db)', 'allow tcp 5432 from private addresses of sg-0c0c0c0c0c0c0c0c3 (app) members'] },
  { name: 'AWS-2 empty egress denies new egress', flow: 'udp 10.0.2.20:40000 -> 8.8.8.8:53', eni: DB, side: 'client', outcome: 'timeout', dropped: 'forward', by: ['no outbound rule of sg-0d0d0d0d0d0d0d0d4 (db) allows it'] },
  { name: 'egress: NACL has no rule for udp 53 out', flow: 'udp 10.0.1.10:40000 -> 8.8.8.8:53', eni: WEB, side: 'client', outcome: 'timeout', dropped: 'forward', by: ['acl-0a0a0a0a0a0a0a0a1 rule * (32767): deny all traffic to 0.0.0.0/0'] },
  { name: 'egress https: reply needs the inbound ephemeral rule (present)', flow: 'tcp 10.0.1.10:40000 -> 93.184.216.34:443', eni: WEB, side: 'client', outcome: 'open', by: ['sgr-0a00000000000008: allow all traffic to 0.0.0.0/0', 'rule 120: allow tcp 443 to 0.0.0.0/0'] },
  { name: 'egress https from a low source port: reply denied', flow: 'tcp 10.0.1.10:1000 -> 93.184.216.34:443', eni: WEB, side: 'client', outcome: 'timeout', dropped: 'reply', by: ['rule * (32767): deny all traffic from 0.0.0.0/0'] },
  { name: '-1 protocol number 50 ignores ports (security group)', flow: 'esp 198.51.100.9 -> 10.0.3.30', outcome: 'open', by: ['rule 100', 'allow protocol esp (all ports) from 198.51.100.0/24'] },
  { name: 'AWS-7 NACL protocol 50 ignores the port range (the stateless reply is then denied)', flow: 'esp 198.51.100.9 -> 10.0.2.20', eni: DB, only: 'nacl', outcome: 'timeout', dropped: 'reply', fwd: ['acl-0b0b0b0b0b0b0b0b2 rule 110: allow protocol esp from 198.51.100.0/24'], by: ['rule * (32767)'] },
  { name: 'udp with no NACL rule', flow: 'udp 198.51.100.7:50000 -> 10.0.1.10:53', outcome: 'timeout', dropped: 'forward', by: ['rule * (32767)'] },
  { name: 'metadata service not filtered by NACLs', flow: 'tcp 10.0.1.10:40000 -> 169.254.169.254:80', eni: WEB, side: 'client', outcome: 'open', by: ['sgr-0a00000000000008', 'not filtered by network ACLs'] },
];

function layersOf(c: Case): { layers: Layer[]; notes: readonly string[] } {
  const p = pkt(c.flow);
  const r = model.layersFor(p, { ...(c.eni !== undefined ? { eni: c.eni } : {}), ...(c.side !== undefined ? { side: c.side } : {}) });
  expect(r.errors).toEqual([]);
  const layers = r.layers.filter((l) => c.only === undefined || l.name.startsWith(c.only === 'sg' ? 'aws-sg' : 'aws-nacl'));
  return { layers, notes: r.notes };
}

describe('AWS exports read cleanly', () => {
  it('only the expected diagnostics', () => {
    expect(loaded.diagnostics).toEqual([]);
    expect(inv.diagnostics.map((d) => d.code)).toEqual(['aws/missing-group']);
    expect(inv.diagnostics[0]?.message).toContain('sg-0dead0dead0dead00');
    expect(inv.diagnostics[0]?.severity).toBe('warning');
  });
  it('rules from describe-security-group-rules win over describe-security-groups for the same group', () => {
    expect(inv.value.sgRules.filter((r) => r.groupId === 'sg-0a0a0a0a0a0a0a0a1')).toHaveLength(9);
  });
});

describe('AWS flows', () => {
  it('has at least 30 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(30));
  for (const c of CASES) {
    it(c.name, () => {
      const { layers, notes } = layersOf(c);
      const r = flow(layers, c.flow);
      const ds = decisions(r);
      expect(r.outcome, JSON.stringify(ds, null, 1)).toBe(c.outcome);
      if (c.dropped !== undefined) expect(r.dropped).toBe(c.dropped);
      if (c.noNacl) {
        expect(layers.some((l) => l.name.startsWith('aws-nacl'))).toBe(false);
        expect(notes.join(' ')).toContain('not evaluated');
      }
      if (c.outcome === 'open') {
        const fwd = ds.filter((d) => d.dir === 'forward').map((d) => d.text);
        for (const b of c.by) expect(fwd.some((t) => t.includes(b)), `${b} in ${fwd.join(' | ')}`).toBe(true);
      } else {
        const b = blocker(r);
        expect(b?.dir).toBe(c.dropped);
        for (const x of c.by) expect(b?.text).toContain(x);
        const fwd = ds.filter((d) => d.dir === 'forward').map((d) => d.text);
        for (const x of c.fwd ?? []) expect(fwd.some((t) => t.includes(x)), `${x} in ${fwd.join(' | ')}`).toBe(true);
      }
    });
  }
});

describe('AWS special cases', () => {
  it('a rule referencing a group in no export is undecided, not dropped', () => {
    const p = pkt('tcp 10.0.3.30:50000 -> 10.0.2.20:6379');
    const sg = model.layersFor(p, { eni: DB }).layers.find((l) => l.name.startsWith('aws-sg'));
    expect(sg).toBeDefined();
    const r = flow(sg === undefined ? [] : [sg], 'tcp 10.0.3.30:50000 -> 10.0.2.20:6379');
    const t = r.packets[0]?.stages[0]?.traces[0];
    expect(t?.steps.some((s) => s.result === 'unknown' && s.text.includes('sg-0dead0dead0dead00'))).toBe(true);
    expect(t?.alternatives.some((a) => a.verdict === 'accept')).toBe(true);
  });
  it('the public address is translated to the private one', () => {
    const r = model.layersFor(pkt('tcp 198.51.100.7:50000 -> 192.0.2.80:443'), {});
    expect(r.eni?.id).toBe(WEB);
    expect(r.translate?.to.value).toBe(pkt('tcp 1.1.1.1:1 -> 10.0.1.10:1').dst);
  });
  it('an unknown interface is an error', () => {
    expect(model.layersFor(pkt('tcp 198.51.100.7:50000 -> 10.0.1.10:443'), { eni: 'eni-nope' }).errors[0]).toContain('eni-nope');
  });
  it('the ENI is found by the destination address, app ENI by instance id', () => {
    expect(model.layersFor(pkt('tcp 198.51.100.7:50000 -> 10.0.3.30:443'), {}).eni?.id).toBe(APP);
    expect(model.findEni('i-0c0c0c0c0c0c0c0c3')?.id).toBe(APP);
  });
});
