/**
 * Network ACLs (`describe-network-acls`), network interfaces (`describe-network-interfaces`),
 * managed prefix lists (`describe-managed-prefix-lists`, `get-managed-prefix-list-entries`),
 * subnets and VPCs (`describe-subnets`, `describe-vpcs`).
 */
import { type Address, type Cidr, parseAddress, parseCidr } from '../../model/address.js';
import { type Fields, type JNode, field, locate } from '../scenario/json-doc.js';
import type { Eni, Nacl, NaclEntry, PrefixList, Subnet, Vpc } from './syntax.js';

const ENTRY_FIELDS = ['CidrBlock', 'Egress', 'IcmpTypeCode', 'Ipv6CidrBlock', 'PortRange', 'Protocol', 'RuleAction', 'RuleNumber'];

function cidrAt(f: Fields, n: JNode, key: string, family: 'ipv4' | 'ipv6'): Cidr | undefined {
  const t = f.str(n, key);
  if (t === undefined) return undefined;
  const c = parseCidr(t, family);
  if (c === undefined) f.error('bad-cidr', field(n, key) as JNode, `expected an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR, got "${t}"`);
  return c;
}

function readEntry(f: Fields, e: JNode): NaclEntry | undefined {
  f.checkKnown(e, ENTRY_FIELDS, 'a network ACL entry');
  const ruleNumber = f.int(e, 'RuleNumber', true);
  const egress = f.bool(e, 'Egress');
  const protocol = f.str(e, 'Protocol', true);
  const action = f.str(e, 'RuleAction', true);
  if (egress === undefined) f.error('missing-field', e, 'missing required field "Egress"');
  if (action !== undefined && action !== 'allow' && action !== 'deny') f.error('bad-value', field(e, 'RuleAction') as JNode, `expected "allow" or "deny", got "${action}"`);
  const v4 = cidrAt(f, e, 'CidrBlock', 'ipv4');
  const v6 = cidrAt(f, e, 'Ipv6CidrBlock', 'ipv6');
  if (v4 === undefined && v6 === undefined && field(e, 'CidrBlock') === undefined && field(e, 'Ipv6CidrBlock') === undefined) {
    f.error('missing-field', e, 'an entry needs CidrBlock or Ipv6CidrBlock');
  }
  const cidr = v4 ?? v6;
  if (ruleNumber === undefined || egress === undefined || protocol === undefined || cidr === undefined || (action !== 'allow' && action !== 'deny')) return undefined;
  let portRange: readonly [number, number] | undefined;
  const pr = field(e, 'PortRange');
  if (pr !== undefined && f.object(pr, 'PortRange') !== undefined) {
    const from = f.int(pr, 'From', true);
    const to = f.int(pr, 'To', true);
    if (from !== undefined && to !== undefined) portRange = [from, to];
  }
  let icmp: { type: number; code: number } | undefined;
  const ic = field(e, 'IcmpTypeCode');
  if (ic !== undefined && f.object(ic, 'IcmpTypeCode') !== undefined) {
    icmp = { type: f.int(ic, 'Type') ?? -1, code: f.int(ic, 'Code') ?? -1 };
  }
  const cidrText = f.str(e, v4 !== undefined ? 'CidrBlock' : 'Ipv6CidrBlock') ?? '';
  return {
    ruleNumber, egress, protocol, action, cidr, cidrText, at: locate(e),
    ...(portRange !== undefined ? { portRange } : {}), ...(icmp !== undefined ? { icmp } : {}),
  };
}

export function readNacls(f: Fields, root: JNode, out: Nacl[]): void {
  for (const a of f.array(field(root, 'NetworkAcls'), 'NetworkAcls')) {
    if (f.object(a, 'a network ACL') === undefined) continue;
    const id = f.str(a, 'NetworkAclId', true);
    if (id === undefined) continue;
    const subnetIds: string[] = [];
    for (const s of f.array(field(a, 'Associations'), 'Associations')) {
      const sid = f.str(s, 'SubnetId');
      if (sid !== undefined) subnetIds.push(sid);
    }
    const entries: NaclEntry[] = [];
    for (const e of f.array(field(a, 'Entries'), 'Entries')) {
      const x = f.object(e, 'a network ACL entry') === undefined ? undefined : readEntry(f, e);
      if (x !== undefined) entries.push(x);
    }
    const vpcId = f.str(a, 'VpcId');
    out.push({ id, isDefault: f.bool(a, 'IsDefault') ?? false, subnetIds, entries, at: locate(a), ...(vpcId !== undefined ? { vpcId } : {}) });
  }
}

function addressAt(f: Fields, n: JNode, key: string, into: Address[]): void {
  const t = f.str(n, key);
  if (t === undefined) return;
  const a = parseAddress(t);
  if (a === undefined) f.error('bad-address', field(n, key) as JNode, `expected an IP address, got "${t}"`);
  else if (!into.some((x) => x.family === a.family && x.value === a.value)) into.push(a);
}

export function readEnis(f: Fields, root: JNode, out: Eni[]): void {
  for (const n of f.array(field(root, 'NetworkInterfaces'), 'NetworkInterfaces')) {
    if (f.object(n, 'a network interface') === undefined) continue;
    const id = f.str(n, 'NetworkInterfaceId', true);
    if (id === undefined) continue;
    const groupIds: string[] = [];
    for (const g of f.array(field(n, 'Groups'), 'Groups')) {
      const gid = f.str(g, 'GroupId', true);
      if (gid !== undefined) groupIds.push(gid);
    }
    const priv: Address[] = [];
    const pub: Address[] = [];
    addressAt(f, n, 'PrivateIpAddress', priv);
    for (const p of f.array(field(n, 'PrivateIpAddresses'), 'PrivateIpAddresses')) {
      addressAt(f, p, 'PrivateIpAddress', priv);
      const assoc = field(p, 'Association');
      if (assoc !== undefined && f.object(assoc, 'Association') !== undefined) addressAt(f, assoc, 'PublicIp', pub);
    }
    for (const p of f.array(field(n, 'Ipv6Addresses'), 'Ipv6Addresses')) addressAt(f, p, 'Ipv6Address', priv);
    const assoc = field(n, 'Association');
    if (assoc !== undefined && f.object(assoc, 'Association') !== undefined) addressAt(f, assoc, 'PublicIp', pub);
    const subnetId = f.str(n, 'SubnetId');
    const vpcId = f.str(n, 'VpcId');
    const description = f.str(n, 'Description');
    const att = field(n, 'Attachment');
    const instanceId = att !== undefined && f.object(att, 'Attachment') !== undefined ? f.str(att, 'InstanceId') : undefined;
    out.push({
      id, groupIds, privateAddresses: priv, publicAddresses: pub, at: locate(n),
      ...(subnetId !== undefined ? { subnetId } : {}), ...(vpcId !== undefined ? { vpcId } : {}),
      ...(description !== undefined ? { description } : {}), ...(instanceId !== undefined ? { instanceId } : {}),
    });
  }
}

export function readPrefixLists(f: Fields, root: JNode, out: Map<string, PrefixList>): void {
  for (const p of f.array(field(root, 'PrefixLists'), 'PrefixLists')) {
    if (f.object(p, 'a prefix list') === undefined) continue;
    const id = f.str(p, 'PrefixListId', true);
    if (id === undefined) continue;
    const name = f.str(p, 'PrefixListName');
    const prev = out.get(id);
    out.set(id, { id, at: locate(p), ...(name !== undefined ? { name } : {}), ...(prev?.cidrs !== undefined ? { cidrs: prev.cidrs } : {}) });
  }
}

/** get-managed-prefix-list-entries prints no list id: it is taken from the file name (pl-….json). */
export function readPrefixListEntries(f: Fields, root: JNode, out: Map<string, PrefixList>): void {
  const m = /pl-[0-9a-zA-Z]+/.exec(root.doc.name.split('/').pop() ?? '');
  if (!m) {
    f.error('unknown-prefix-list', root, 'get-managed-prefix-list-entries output does not say which list it is: name the file after the list id (for example pl-0123abcd4567ef890.json)');
    return;
  }
  const cidrs: Cidr[] = [];
  for (const e of f.array(field(root, 'Entries'), 'Entries')) {
    const t = f.str(e, 'Cidr', true);
    if (t === undefined) continue;
    const c = parseCidr(t);
    if (c === undefined) f.error('bad-cidr', field(e, 'Cidr') as JNode, `expected a CIDR, got "${t}"`);
    else cidrs.push(c);
  }
  const id = m[0];
  const prev = out.get(id);
  out.set(id, { id, at: prev?.at ?? locate(root), cidrs, ...(prev?.name !== undefined ? { name: prev.name } : {}) });
}

function cidrList(f: Fields, n: JNode, setKey: string, itemKey: string, family: 'ipv4' | 'ipv6', into: Cidr[]): void {
  for (const s of f.array(field(n, setKey), setKey)) {
    const c = cidrAt(f, s, itemKey, family);
    if (c !== undefined) into.push(c);
  }
}

export function readSubnets(f: Fields, root: JNode, out: Map<string, Subnet>): void {
  for (const s of f.array(field(root, 'Subnets'), 'Subnets')) {
    if (f.object(s, 'a subnet') === undefined) continue;
    const id = f.str(s, 'SubnetId', true);
    if (id === undefined) continue;
    const cidrs: Cidr[] = [];
    const v4 = cidrAt(f, s, 'CidrBlock', 'ipv4');
    if (v4 !== undefined) cidrs.push(v4);
    cidrList(f, s, 'Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 'ipv6', cidrs);
    const vpcId = f.str(s, 'VpcId');
    out.set(id, { id, cidrs, at: locate(s), ...(vpcId !== undefined ? { vpcId } : {}) });
  }
}

export function readVpcs(f: Fields, root: JNode, out: Map<string, Vpc>): void {
  for (const v of f.array(field(root, 'Vpcs'), 'Vpcs')) {
    if (f.object(v, 'a VPC') === undefined) continue;
    const id = f.str(v, 'VpcId', true);
    if (id === undefined) continue;
    const cidrs: Cidr[] = [];
    const main = cidrAt(f, v, 'CidrBlock', 'ipv4');
    if (main !== undefined) cidrs.push(main);
    cidrList(f, v, 'CidrBlockAssociationSet', 'CidrBlock', 'ipv4', cidrs);
    cidrList(f, v, 'Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 'ipv6', cidrs);
    const uniq = cidrs.filter((c, i) => cidrs.findIndex((d) => d.family === c.family && d.value === c.value && d.length === c.length) === i);
    out.set(id, { id, cidrs: uniq, isDefault: f.bool(v, 'IsDefault') ?? false, at: locate(v) });
  }
}
