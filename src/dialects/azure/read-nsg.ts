/**
 * NSGs from `az network nsg list` / `show` (az flattens ARM `properties`; raw ARM JSON nests them:
 * both are read), and the effective rules of `az network nic list-effective-nsg`. Singular and
 * plural fields (`sourceAddressPrefix` / `sourceAddressPrefixes`, port ranges alike) are joined.
 */
import { type Fields, type JNode, field, isObject, locate } from '../scenario/json-doc.js';
import type { EffectiveNsg, Nsg, NsgEnd, NsgRule } from './syntax.js';
import { nameOf } from './syntax.js';

const RULE_FIELDS = [
  'name', 'id', 'etag', 'type', 'resourceGroup', 'properties', 'provisioningState', 'description', 'priority', 'direction', 'access', 'protocol',
  'sourceAddressPrefix', 'sourceAddressPrefixes', 'sourcePortRange', 'sourcePortRanges', 'sourceApplicationSecurityGroups',
  'destinationAddressPrefix', 'destinationAddressPrefixes', 'destinationPortRange', 'destinationPortRanges', 'destinationApplicationSecurityGroups',
  'expandedSourceAddressPrefix', 'expandedDestinationAddressPrefix',
];

/** The node holding a resource's properties (flattened or nested). */
export function propsOf(n: JNode): JNode {
  const p = field(n, 'properties');
  return p !== undefined && isObject(p.value) ? p : n;
}

function ids(f: Fields, n: JNode, key: string): string[] {
  const out: string[] = [];
  for (const x of f.array(field(n, key), key)) {
    const id = f.str(x, 'id');
    if (id !== undefined) out.push(id);
  }
  return out;
}

function joined(f: Fields, n: JNode, one: string, many: string): string[] {
  const single = f.str(n, one);
  const list = f.strings(n, many);
  return [...(single !== undefined && single !== '' ? [single] : []), ...list];
}

function end(f: Fields, p: JNode, side: 'source' | 'destination'): NsgEnd {
  const expandedNode = field(p, side === 'source' ? 'expandedSourceAddressPrefix' : 'expandedDestinationAddressPrefix');
  const expanded = expandedNode === undefined || expandedNode.value === null ? undefined : f.strings(p, side === 'source' ? 'expandedSourceAddressPrefix' : 'expandedDestinationAddressPrefix');
  return {
    prefixes: joined(f, p, `${side}AddressPrefix`, `${side}AddressPrefixes`),
    asgIds: ids(f, p, `${side}ApplicationSecurityGroups`),
    ports: joined(f, p, `${side}PortRange`, `${side}PortRanges`),
    ...(expanded !== undefined && expanded.length > 0 ? { expanded } : {}),
  };
}

export function readRule(f: Fields, r: JNode, isDefault: boolean): NsgRule | undefined {
  if (f.object(r, 'a security rule') === undefined) return undefined;
  f.checkKnown(r, RULE_FIELDS, 'a security rule');
  const p = propsOf(r);
  if (p !== r) f.checkKnown(p, RULE_FIELDS, 'a security rule\'s properties');
  const rawName = f.str(r, 'name', true);
  const priority = f.int(p, 'priority', true);
  const direction = f.str(p, 'direction', true)?.toLowerCase();
  const access = f.str(p, 'access', true)?.toLowerCase();
  const protocol = f.str(p, 'protocol') ?? '*';
  if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound') f.error('bad-value', field(p, 'direction') as JNode, `expected "Inbound" or "Outbound", got "${direction}"`);
  if (access !== undefined && access !== 'allow' && access !== 'deny') f.error('bad-value', field(p, 'access') as JNode, `expected "Allow" or "Deny", got "${access}"`);
  if (rawName === undefined || priority === undefined || (direction !== 'inbound' && direction !== 'outbound') || (access !== 'allow' && access !== 'deny')) return undefined;
  // Effective rules are named `defaultSecurityRules/AllowVnetInBound` or `securityRules/AllowSSH`.
  const slash = rawName.indexOf('/');
  const name = slash >= 0 ? rawName.slice(slash + 1) : rawName;
  const dflt = isDefault || rawName.toLowerCase().startsWith('defaultsecurityrules/') || priority >= 65000;
  return { name, priority, direction, access, protocol, source: end(f, p, 'source'), destination: end(f, p, 'destination'), isDefault: dflt, at: locate(r) };
}

export function readNsgs(f: Fields, root: JNode, out: Nsg[]): void {
  const list = Array.isArray(root.value) ? f.array(root, 'NSGs') : [root];
  for (const n of list) {
    if (f.object(n, 'a network security group') === undefined) continue;
    const p = propsOf(n);
    const id = f.str(n, 'id') ?? f.str(n, 'name', true);
    if (id === undefined) continue;
    const name = f.str(n, 'name') ?? nameOf(id);
    const rules: NsgRule[] = [];
    for (const r of f.array(field(p, 'securityRules'), 'securityRules')) {
      const x = readRule(f, r, false);
      if (x !== undefined) rules.push(x);
    }
    const defaults = field(p, 'defaultSecurityRules');
    for (const r of f.array(defaults, 'defaultSecurityRules')) {
      const x = readRule(f, r, true);
      if (x !== undefined) rules.push(x);
    }
    out.push({ id, name, rules, subnetIds: ids(f, p, 'subnets'), nicIds: ids(f, p, 'networkInterfaces'), at: locate(n) });
  }
}

export function readEffective(f: Fields, root: JNode, out: EffectiveNsg[]): void {
  for (const b of f.array(field(root, 'value'), 'value')) {
    if (f.object(b, 'an effective NSG block') === undefined) continue;
    const nsgNode = field(b, 'networkSecurityGroup');
    const nsgId = nsgNode !== undefined && isObject(nsgNode.value) ? f.str(nsgNode, 'id', true) : undefined;
    if (nsgId === undefined) {
      f.error('missing-field', b, 'missing "networkSecurityGroup.id"');
      continue;
    }
    const assoc = field(b, 'association');
    let level: 'subnet' | 'nic' = 'nic';
    let targetId: string | undefined;
    if (assoc !== undefined && isObject(assoc.value)) {
      const sub = field(assoc, 'subnet');
      const nic = field(assoc, 'networkInterface');
      if (sub !== undefined && isObject(sub.value)) { level = 'subnet'; targetId = f.str(sub, 'id'); }
      else if (nic !== undefined && isObject(nic.value)) targetId = f.str(nic, 'id');
    }
    const rules: NsgRule[] = [];
    for (const r of f.array(field(b, 'effectiveSecurityRules'), 'effectiveSecurityRules')) {
      const x = readRule(f, r, false);
      if (x !== undefined) rules.push(x);
    }
    out.push({ nsgId, level, rules, at: locate(b), ...(targetId !== undefined ? { targetId } : {}) });
  }
}
