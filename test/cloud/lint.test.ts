/** Cloud lint on the fixtures: each finding code fires where the fixture has the problem, and only there. */
import { describe, expect, it } from 'vitest';
import { lintCloud } from '../../src/analysis/lint/cloud/index.js';
import { lintInputOf, modelOf } from '../../src/dialects/scenario/index.js';
import { loadFixture } from './support.js';

function findings(dir: 'aws' | 'azure' | 'gcp') {
  const m = modelOf(dir, loadFixture(dir)).model;
  return lintCloud(lintInputOf([m]));
}

describe('cloud lint', () => {
  const aws = findings('aws');
  const azure = findings('azure');
  const gcp = findings('gcp');
  const of = (fs: typeof aws, code: string) => fs.filter((f) => f.code === code);

  it('AWS: ssh open to the world in ssh-anywhere, with the exposed interface', () => {
    const f = of(aws, 'lint/cloud-admin-port-open');
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain('sg-0b0b0b0b0b0b0b0b2 (ssh-anywhere): SSH (tcp 22) is open to 0.0.0.0/0; exposed: eni-0a0a0a0a0a0a0a0a1');
    expect(f[0]?.location?.file).toContain('security-group-rules.json');
  });
  it('AWS: the db NACL lets 5432 in but not its replies', () => {
    const f = of(aws, 'lint/cloud-nacl-no-ephemeral');
    expect(f.map((x) => x.rule?.text)).toContain('acl-0b0b0b0b0b0b0b0b2 rule 100: allow tcp 5432 from 10.0.3.0/24');
    expect(f.every((x) => !x.rule?.text?.includes('acl-0c0c0c0c0c0c0c0c3'))).toBe(true);
  });
  it('AWS: a web rule the web NACL makes dead (no IPv6 ICMP entry), not one it lets through', () => {
    const dead = of(aws, 'lint/cloud-dead-across-path');
    expect(dead.some((x) => x.message.includes('eni-0a0a0a0a0a0a0a0a1') && x.rule?.text?.includes('sgr-0a00000000000006'))).toBe(false);
    expect(dead.map((x) => x.rule?.text)).toContain('sg-0a0a0a0a0a0a0a0a1 (web) sgr-0a00000000000005: allow icmpv6 all types from 2001:db8::/32');
  });
  it('Azure: priority 100 deny of the web subnet shadows the ssh allow for 10.1.1.5', () => {
    const f = of(azure, 'lint/cloud-deny-shadows-allow');
    expect(f.map((x) => x.rule?.text)).toContain('nsg-app priority 200 allow-ssh-web2: Allow Tcp from 10.1.1.5:* to *:22');
    expect(f.find((x) => x.rule?.text?.includes('allow-ssh-web2'))?.related[0]?.rule.text).toContain('deny-web-subnet');
  });
  it('Azure: no admin port is open to the whole internet (ssh only from 203.0.113.0/24)', () => {
    expect(of(azure, 'lint/cloud-admin-port-open').map((x) => x.rule?.text)).toEqual([]);
  });
  it('GCP: a rule whose target tag no instance has, and world-open ssh', () => {
    expect(of(gcp, 'lint/cloud-no-target').map((x) => x.rule?.text)).toEqual(['allow-unused-tag priority 1000: allow tcp:3306 from 0.0.0.0/0 (targets tag mysql)']);
    const open = of(gcp, 'lint/cloud-admin-port-open').map((x) => x.message);
    expect(open.some((m) => m.includes('SSH (tcp 22)') && m.includes('bastion-1'))).toBe(true);
    expect(open.some((m) => m.includes('MySQL'))).toBe(true);
  });
  it('GCP: the tie deny shadows the allow at equal priority', () => {
    expect(of(gcp, 'lint/cloud-deny-shadows-allow').map((x) => x.rule?.text)).toContain('allow-ssh-tie priority 1000: allow tcp:22 from 0.0.0.0/0 (targets tag ssh-tie)');
  });
});
