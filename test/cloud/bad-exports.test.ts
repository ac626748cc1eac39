/** Bad exports: every problem is a diagnostic naming the file, the JSON path and line:column. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/diagnostics/source.js';
import { readAwsInventory } from '../../src/dialects/aws/index.js';
import { readAzureInventory } from '../../src/dialects/azure/index.js';
import { readGcpInventory } from '../../src/dialects/gcp/index.js';
import { classifyExports } from '../../src/dialects/scenario/index.js';
import { parseScenario } from '../../src/dialects/scenario/scenario-file.js';

function load(name: string, text: string) {
  return classifyExports([sourceFile(name, text)]);
}

describe('cloud export diagnostics', () => {
  it('truncated JSON: the file, the position and "truncated"', () => {
    const r = load('aws/sg.json', '{\n  "SecurityGroups": [\n    { "GroupId": "sg-1",\n');
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d?.code).toBe('cloud/bad-json');
    expect(d?.message).toContain('aws/sg.json is not valid JSON');
    expect(d?.message).toContain('truncated');
    expect(d?.span?.start.line).toBe(4);
  });
  it('wrong command output: names what it is and what is expected', () => {
    const r = load('aws/instances.json', '{"Reservations": []}');
    expect(r.diagnostics[0]?.code).toBe('cloud/unknown-export');
    expect(r.diagnostics[0]?.message).toContain('describe-instances');
    expect(r.diagnostics[0]?.message).toContain('describe-network-interfaces');
  });
  it('unrelated JSON lists the keys found', () => {
    const r = load('x.json', '{"foo": 1, "bar": 2}');
    expect(r.diagnostics[0]?.message).toMatch(/x\.json \$: not a cloud export.*keys foo, bar/);
  });
  it('unknown fields in a rule: warning with the JSON path and line', () => {
    const r = load('rules.json', '{"SecurityGroupRules": [\n {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IsEgress": false,\n  "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0", "SourcePortRange": "1-2"}]}');
    const inv = readAwsInventory(r.docs);
    const d = inv.diagnostics.find((x) => x.code === 'aws/unknown-field');
    expect(d?.severity).toBe('warning');
    expect(d?.message).toContain('rules.json $.SecurityGroupRules[0].SourcePortRange: unknown field "SourcePortRange"');
    expect(d?.span?.start.line).toBe(3);
  });
  it('missing referenced group on an interface: error naming the interface and the group', () => {
    const r = classifyExports([
      sourceFile('enis.json', '{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Groups": [{"GroupId": "sg-missing"}], "PrivateIpAddress": "10.0.0.5"}]}'),
      sourceFile('sgs.json', '{"SecurityGroups": []}'),
    ]);
    const inv = readAwsInventory(r.docs);
    const d = inv.diagnostics.find((x) => x.code === 'aws/missing-group');
    expect(d?.severity).toBe('error');
    expect(d?.message).toMatch(/enis\.json \$\.NetworkInterfaces\[0\]: network interface eni-1 has security group sg-missing/);
  });
  it('bad values: wrong types and bad CIDRs, with the path', () => {
    const r = load('acl.json', '{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [{"RuleNumber": "x", "Egress": false, "Protocol": "6", "RuleAction": "permit", "CidrBlock": "10.0.0.0/33"}]}]}');
    const inv = readAwsInventory(r.docs);
    const msgs = inv.diagnostics.map((d) => d.message).join('\n');
    expect(msgs).toContain('acl.json $.NetworkAcls[0].Entries[0].RuleNumber: expected an integer, got "x"');
    expect(msgs).toContain('$.NetworkAcls[0].Entries[0].RuleAction: expected "allow" or "deny", got "permit"');
    expect(msgs).toContain('$.NetworkAcls[0].Entries[0].CidrBlock: expected an IPv4 CIDR, got "10.0.0.0/33"');
  });
  it('prefix-list entries need the list id in the file name', () => {
    const inv = readAwsInventory(load('entries.json', '{"Entries": [{"Cidr": "10.0.0.0/8"}]}').docs);
    expect(inv.diagnostics[0]?.code).toBe('aws/unknown-prefix-list');
  });
  it('Azure: a rule without priority, a bad direction, duplicate priorities', () => {
    const nsg = JSON.stringify([{ name: 'n', id: '/x/networkSecurityGroups/n', securityRules: [
      { name: 'a', direction: 'Inbound', access: 'Allow', protocol: 'Tcp' },
      { name: 'b', priority: 100, direction: 'Sideways', access: 'Allow' },
      { name: 'c', priority: 200, direction: 'Inbound', access: 'Allow' },
      { name: 'd', priority: 200, direction: 'Inbound', access: 'Deny' },
    ], defaultSecurityRules: [] }], null, 1);
    const inv = readAzureInventory(load('nsg.json', nsg).docs);
    const msgs = inv.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n');
    expect(msgs).toContain('azure/missing-field nsg.json $[0].securityRules[0]: missing required field "priority"');
    expect(msgs).toContain('$[0].securityRules[1].direction: expected "Inbound" or "Outbound", got "sideways"');
    expect(msgs).toContain('azure/duplicate-priority');
    expect(msgs).toContain('azure/default-rules-added');
  });
  it('GCP: a rule with both allowed and denied', () => {
    const inv = readGcpInventory(load('fw.json', '[{"kind": "compute#firewall", "name": "x", "allowed": [{"IPProtocol": "tcp"}], "denied": [{"IPProtocol": "udp"}]}]').docs);
    expect(inv.diagnostics[0]?.message).toContain('fw.json $[0]: a firewall rule has exactly one of "allowed" and "denied"');
  });
  it('scenario: unknown layer kinds and fields', () => {
    const r = parseScenario(sourceFile('s.yaml', 'layers:\n  - aws: { eni: eni-1, exports: ./aws/, vpc: x }\n  - router: ./r/\n'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['scenario/unknown-field', 'scenario/bad-layer']);
    expect(r.value.layers).toHaveLength(1);
    const bad = parseScenario(sourceFile('s.yaml', 'layers: [ {aws: '));
    expect(bad.diagnostics[0]?.code).toBe('scenario/syntax');
  });
});
