/**
 * `gcloud compute firewall-rules list --format=json`, `instances list`, `networks describe` and
 * `networks get-effective-firewalls` (VPC rules plus firewall policies). Unset fields are absent in
 * these exports, not empty: no targetTags means every instance.
 */
import type { Parsed } from '../../diagnostics/diagnostic.js';
import { type Cidr, parseAddress, parseCidr } from '../../model/address.js';
import { type Fields, type JNode, Fields as F, field, isObject, locate } from '../scenario/json-doc.js';
import type { ExportDoc } from '../scenario/load-exports.js';
import { type GcpInstance, type GcpInventory, type GcpNic, type GcpPolicy, type GcpRule, type L4Spec, lastSegment } from './syntax.js';

const FIREWALL_FIELDS = [
  'kind', 'id', 'creationTimestamp', 'name', 'description', 'network', 'priority', 'sourceRanges', 'destinationRanges', 'sourceTags', 'targetTags',
  'sourceServiceAccounts', 'targetServiceAccounts', 'allowed', 'denied', 'direction', 'logConfig', 'disabled', 'selfLink',
];
const POLICY_RULE_FIELDS = [
  'kind', 'description', 'priority', 'match', 'action', 'direction', 'targetResources', 'enableLogging', 'ruleTupleCount', 'targetServiceAccounts',
  'targetSecureTags', 'disabled', 'ruleName', 'securityProfileGroup', 'tlsInspect',
];
const OPAQUE_MATCH = ['srcSecureTags', 'srcFqdns', 'destFqdns', 'srcRegionCodes', 'destRegionCodes', 'srcThreatIntelligences', 'destThreatIntelligences', 'srcAddressGroups', 'destAddressGroups', 'srcNetworks', 'srcNetworkScope', 'destNetworkScope'];

function ranges(f: Fields, n: JNode, key: string): Cidr[] {
  const out: Cidr[] = [];
  for (const t of f.strings(n, key)) {
    const c = parseCidr(t);
    if (c === undefined) f.error('bad-cidr', field(n, key) as JNode, `expected a CIDR in ${key}, got "${t}"`);
    else out.push(c);
  }
  return out;
}

function l4(f: Fields, n: JNode | undefined, protoKey: string): L4Spec[] {
  const out: L4Spec[] = [];
  for (const x of f.array(n, 'protocol list')) {
    const p = f.str(x, protoKey, true);
    if (p !== undefined) out.push({ protocol: p, ports: f.strings(x, 'ports') });
  }
  return out;
}

function readFirewall(f: Fields, r: JNode): GcpRule | undefined {
  if (f.object(r, 'a firewall rule') === undefined) return undefined;
  f.checkKnown(r, FIREWALL_FIELDS, 'a firewall rule');
  const name = f.str(r, 'name', true);
  const direction = (f.str(r, 'direction') ?? 'INGRESS').toUpperCase();
  if (direction !== 'INGRESS' && direction !== 'EGRESS') f.error('bad-value', field(r, 'direction') as JNode, `expected INGRESS or EGRESS, got "${direction}"`);
  const allowed = field(r, 'allowed');
  const denied = field(r, 'denied');
  if ((allowed === undefined) === (denied === undefined)) f.error('bad-rule', r, 'a firewall rule has exactly one of "allowed" and "denied"');
  if (name === undefined || (direction !== 'INGRESS' && direction !== 'EGRESS') || (allowed === undefined && denied === undefined)) return undefined;
  return {
    name, network: lastSegment(f.str(r, 'network') ?? 'default'), priority: f.int(r, 'priority') ?? 1000, direction,
    action: allowed !== undefined ? 'allow' : 'deny', l4: l4(f, allowed ?? denied, 'IPProtocol'),
    sourceRanges: ranges(f, r, 'sourceRanges'), destinationRanges: ranges(f, r, 'destinationRanges'),
    sourceTags: f.strings(r, 'sourceTags'), sourceServiceAccounts: f.strings(r, 'sourceServiceAccounts'),
    targetTags: f.strings(r, 'targetTags'), targetServiceAccounts: f.strings(r, 'targetServiceAccounts'),
    disabled: f.bool(r, 'disabled') ?? false, opaque: [], at: locate(r),
  };
}

function readPolicyRule(f: Fields, r: JNode, policy: string): GcpRule | undefined {
  if (f.object(r, 'a policy rule') === undefined) return undefined;
  f.checkKnown(r, POLICY_RULE_FIELDS, 'a firewall policy rule');
  const priority = f.int(r, 'priority', true);
  const action = f.str(r, 'action', true);
  const direction = (f.str(r, 'direction') ?? 'INGRESS').toUpperCase();
  if (action !== undefined && action !== 'allow' && action !== 'deny' && action !== 'goto_next') {
    f.error('bad-value', field(r, 'action') as JNode, `expected allow, deny or goto_next, got "${action}" (apply_security_profile_group is not modelled)`);
  }
  const m = field(r, 'match');
  if (priority === undefined || (action !== 'allow' && action !== 'deny' && action !== 'goto_next') || (direction !== 'INGRESS' && direction !== 'EGRESS') || m === undefined || !isObject(m.value)) return undefined;
  const opaque = OPAQUE_MATCH.filter((k) => field(m, k) !== undefined && !(Array.isArray(field(m, k)?.value) && (field(m, k)?.value as unknown[]).length === 0));
  const targetResources = f.strings(r, 'targetResources').map(lastSegment);
  return {
    name: f.str(r, 'ruleName') ?? `${policy}#${priority}`, network: targetResources.join(','), priority, direction, action,
    l4: l4(f, field(m, 'layer4Configs'), 'ipProtocol'),
    sourceRanges: ranges(f, m, 'srcIpRanges'), destinationRanges: ranges(f, m, 'destIpRanges'),
    sourceTags: [], sourceServiceAccounts: [], targetTags: [], targetServiceAccounts: f.strings(r, 'targetServiceAccounts'),
    disabled: f.bool(r, 'disabled') ?? false, opaque: [...opaque, ...(field(r, 'targetSecureTags') !== undefined ? ['targetSecureTags'] : [])], at: locate(r),
  };
}

function readInstances(f: Fields, root: JNode, out: GcpInstance[]): void {
  for (const i of f.array(root, 'instances')) {
    if (f.object(i, 'an instance') === undefined) continue;
    const name = f.str(i, 'name', true);
    if (name === undefined) continue;
    const tagsNode = field(i, 'tags');
    const tags = tagsNode !== undefined && isObject(tagsNode.value) ? f.strings(tagsNode, 'items') : [];
    const sas = f.array(field(i, 'serviceAccounts'), 'serviceAccounts').map((s) => f.str(s, 'email')).filter((x) => x !== undefined);
    const nics: GcpNic[] = [];
    for (const n of f.array(field(i, 'networkInterfaces'), 'networkInterfaces')) {
      const ip = f.str(n, 'networkIP');
      const address = ip === undefined ? undefined : parseAddress(ip);
      const ip6 = f.str(n, 'ipv6Address');
      const address6 = ip6 === undefined ? undefined : parseAddress(ip6);
      const nat = f.array(field(n, 'accessConfigs'), 'accessConfigs').map((a) => f.str(a, 'natIP')).find((x) => x !== undefined);
      const natAddress = nat === undefined ? undefined : parseAddress(nat);
      nics.push({
        name: f.str(n, 'name') ?? `nic${nics.length}`, network: lastSegment(f.str(n, 'network') ?? 'default'),
        ...(address !== undefined ? { address } : {}), ...(address6 !== undefined ? { address6 } : {}), ...(natAddress !== undefined ? { natAddress } : {}),
      });
    }
    out.push({ name, tags, serviceAccounts: sas, nics, at: locate(i) });
  }
}

export function readGcpInventory(docs: readonly ExportDoc[]): Parsed<GcpInventory> {
  const f = new F('gcp');
  const rules = new Map<string, GcpRule>();
  const instances: GcpInstance[] = [];
  const policies: GcpPolicy[] = [];
  const enforcementOrder = new Map<string, string>();
  for (const d of docs) {
    if (d.kind.cloud !== 'gcp') continue;
    switch (d.kind.id) {
      case 'firewall-rules': for (const r of f.array(d.root, 'firewall rules')) { const x = readFirewall(f, r); if (x !== undefined) rules.set(x.name, x); } break;
      case 'instances': readInstances(f, d.root, instances); break;
      case 'network': {
        const name = f.str(d.root, 'name');
        const order = f.str(d.root, 'networkFirewallPolicyEnforcementOrder');
        if (name !== undefined && order !== undefined) enforcementOrder.set(name, order);
        break;
      }
      case 'effective-firewalls': {
        for (const r of f.array(field(d.root, 'firewalls'), 'firewalls')) { const x = readFirewall(f, r); if (x !== undefined && !rules.has(x.name)) rules.set(x.name, x); }
        for (const p of f.array(field(d.root, 'firewallPolicys'), 'firewallPolicys')) {
          const name = f.str(p, 'shortName') ?? f.str(p, 'displayName') ?? f.str(p, 'name', true) ?? 'policy';
          const prs = f.array(field(p, 'rules'), 'rules').map((r) => readPolicyRule(f, r, name)).filter((x) => x !== undefined);
          policies.push({ name, type: (f.str(p, 'type') ?? 'HIERARCHY').toUpperCase(), rules: prs, at: locate(p) });
        }
        break;
      }
      default: break;
    }
  }
  return { value: { rules: [...rules.values()], instances, policies, enforcementOrder }, diagnostics: f.diagnostics };
}
