/**
 * Security groups from `aws ec2 describe-security-groups` (rules grouped by protocol and ports,
 * several peers per permission) and `describe-security-group-rules` (one rule per item, with ids).
 * Both are flattened to one SgRule per peer. Unknown fields in rule objects are reported: a field
 * fwdoctor does not know might change what the rule matches.
 */
import { parseCidr } from '../../model/address.js';
import { type Fields, type JNode, field, locate } from '../scenario/json-doc.js';
import type { SecurityGroup, SgPeer, SgRule } from './syntax.js';

const GROUP_FIELDS = ['Description', 'GroupName', 'IpPermissions', 'OwnerId', 'GroupId', 'IpPermissionsEgress', 'VpcId', 'Tags', 'SecurityGroupArn'];
const PERMISSION_FIELDS = ['FromPort', 'IpProtocol', 'IpRanges', 'Ipv6Ranges', 'PrefixListIds', 'ToPort', 'UserIdGroupPairs'];
const RULE_FIELDS = [
  'SecurityGroupRuleId', 'GroupId', 'GroupOwnerId', 'IsEgress', 'IpProtocol', 'FromPort', 'ToPort', 'CidrIpv4', 'CidrIpv6',
  'PrefixListId', 'ReferencedGroupInfo', 'Description', 'Tags', 'SecurityGroupRuleArn',
];

export function cidrPeer(f: Fields, n: JNode, text: string, family: 'ipv4' | 'ipv6'): SgPeer | undefined {
  const c = parseCidr(text, family);
  if (c === undefined) {
    f.error('bad-cidr', n, `expected an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR such as ${family === 'ipv4' ? '10.0.0.0/16' : '2001:db8::/32'}, got "${text}"`);
    return undefined;
  }
  return { kind: 'cidr', cidr: c, text };
}

function readPermission(f: Fields, groupId: string, p: JNode, egress: boolean, out: SgRule[]): void {
  f.checkKnown(p, PERMISSION_FIELDS, 'an IpPermission');
  const protocol = f.str(p, 'IpProtocol', true);
  if (protocol === undefined) return;
  const fromPort = f.int(p, 'FromPort');
  const toPort = f.int(p, 'ToPort');
  const base = { groupId, egress, protocol, ...(fromPort !== undefined ? { fromPort } : {}), ...(toPort !== undefined ? { toPort } : {}) };
  const add = (peer: SgPeer | undefined, n: JNode): void => {
    if (peer === undefined) return;
    const description = f.str(n, 'Description');
    out.push({ ...base, peer, at: locate(n), ...(description !== undefined ? { description } : {}) });
  };
  for (const r of f.array(field(p, 'IpRanges'), 'IpRanges')) {
    const t = f.str(r, 'CidrIp', true);
    if (t !== undefined) add(cidrPeer(f, field(r, 'CidrIp') as JNode, t, 'ipv4'), r);
  }
  for (const r of f.array(field(p, 'Ipv6Ranges'), 'Ipv6Ranges')) {
    const t = f.str(r, 'CidrIpv6', true);
    if (t !== undefined) add(cidrPeer(f, field(r, 'CidrIpv6') as JNode, t, 'ipv6'), r);
  }
  for (const r of f.array(field(p, 'PrefixListIds'), 'PrefixListIds')) {
    const id = f.str(r, 'PrefixListId', true);
    if (id !== undefined) add({ kind: 'prefix-list', id }, r);
  }
  for (const r of f.array(field(p, 'UserIdGroupPairs'), 'UserIdGroupPairs')) {
    const id = f.str(r, 'GroupId', true);
    if (id !== undefined) add({ kind: 'group', groupId: id }, r);
  }
}

export function readSecurityGroups(f: Fields, root: JNode, groups: Map<string, SecurityGroup>, out: SgRule[]): void {
  for (const g of f.array(field(root, 'SecurityGroups'), 'SecurityGroups')) {
    if (f.object(g, 'a security group') === undefined) continue;
    f.checkKnown(g, GROUP_FIELDS, 'a security group');
    const id = f.str(g, 'GroupId', true);
    if (id === undefined) continue;
    const name = f.str(g, 'GroupName');
    const vpcId = f.str(g, 'VpcId');
    groups.set(id, { id, at: locate(g), ...(name !== undefined ? { name } : {}), ...(vpcId !== undefined ? { vpcId } : {}) });
    for (const p of f.array(field(g, 'IpPermissions'), 'IpPermissions')) readPermission(f, id, p, false, out);
    for (const p of f.array(field(g, 'IpPermissionsEgress'), 'IpPermissionsEgress')) readPermission(f, id, p, true, out);
  }
}

export function readSecurityGroupRules(f: Fields, root: JNode, out: SgRule[]): void {
  for (const r of f.array(field(root, 'SecurityGroupRules'), 'SecurityGroupRules')) {
    if (f.object(r, 'a security group rule') === undefined) continue;
    f.checkKnown(r, RULE_FIELDS, 'a security group rule');
    const groupId = f.str(r, 'GroupId', true);
    const protocol = f.str(r, 'IpProtocol', true);
    const egress = f.bool(r, 'IsEgress');
    if (egress === undefined) f.error('missing-field', r, 'missing required field "IsEgress"');
    if (groupId === undefined || protocol === undefined || egress === undefined) continue;
    let peer: SgPeer | undefined;
    const v4 = f.str(r, 'CidrIpv4');
    const v6 = f.str(r, 'CidrIpv6');
    const pl = f.str(r, 'PrefixListId');
    const ref = field(r, 'ReferencedGroupInfo');
    const refId = ref !== undefined && f.object(ref, 'ReferencedGroupInfo') !== undefined ? f.str(ref, 'GroupId', true) : undefined;
    const count = [v4, v6, pl, refId].filter((x) => x !== undefined).length;
    if (count !== 1) {
      f.error('bad-rule', r, `a rule has exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo; got ${count}`);
      if (count === 0) continue;
    }
    if (v4 !== undefined) peer = cidrPeer(f, field(r, 'CidrIpv4') as JNode, v4, 'ipv4');
    else if (v6 !== undefined) peer = cidrPeer(f, field(r, 'CidrIpv6') as JNode, v6, 'ipv6');
    else if (pl !== undefined) peer = { kind: 'prefix-list', id: pl };
    else if (refId !== undefined) peer = { kind: 'group', groupId: refId };
    if (peer === undefined) continue;
    const ruleId = f.str(r, 'SecurityGroupRuleId');
    const fromPort = f.int(r, 'FromPort');
    const toPort = f.int(r, 'ToPort');
    const description = f.str(r, 'Description');
    out.push({
      groupId, egress, protocol, peer, at: locate(r),
      ...(ruleId !== undefined ? { ruleId } : {}), ...(fromPort !== undefined ? { fromPort } : {}),
      ...(toPort !== undefined ? { toPort } : {}), ...(description !== undefined ? { description } : {}),
    });
  }
}
