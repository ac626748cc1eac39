/**
 * Cloud exports are JSON documents whose shape says which command printed them; they do not fit
 * the text `Dialect` contract (one file → one ruleset): a cloud layer needs several exports joined
 * (groups + interfaces + prefix lists …) and a resource to protect. So cloud exports have their own
 * registry, plain data like src/dialects/registry.ts: one row per command output fwdoctor reads.
 */
import { type Json, type JsonObject, isObject } from './json-doc.js';

export type CloudId = 'aws' | 'azure' | 'gcp';

export interface ExportKind {
  readonly cloud: CloudId;
  readonly id: string;
  /** The command whose JSON output this is (docs, messages). */
  readonly command: string;
  detect(v: Json): boolean;
}

const has = (k: string) => (v: Json): boolean => isObject(v) && k in v;

function firstItem(v: Json): JsonObject | undefined {
  if (!Array.isArray(v)) return isObject(v) ? v : undefined;
  const x = v[0];
  return isObject(x) ? x : undefined;
}

function props(o: JsonObject): JsonObject {
  const p = o['properties'];
  return isObject(p) ? { ...o, ...p } : o;
}

function azureType(v: Json, suffix: string): boolean {
  const o = firstItem(v);
  if (o === undefined) return false;
  const t = o['type'];
  return typeof t === 'string' && t.toLowerCase().endsWith(suffix.toLowerCase());
}

function gcpKind(v: Json, kind: string): boolean {
  const o = firstItem(v);
  return o !== undefined && (o['kind'] === kind);
}

export const CLOUD_EXPORTS: readonly ExportKind[] = [
  { cloud: 'aws', id: 'security-groups', command: 'aws ec2 describe-security-groups', detect: has('SecurityGroups') },
  { cloud: 'aws', id: 'security-group-rules', command: 'aws ec2 describe-security-group-rules', detect: has('SecurityGroupRules') },
  { cloud: 'aws', id: 'network-acls', command: 'aws ec2 describe-network-acls', detect: has('NetworkAcls') },
  { cloud: 'aws', id: 'network-interfaces', command: 'aws ec2 describe-network-interfaces', detect: has('NetworkInterfaces') },
  { cloud: 'aws', id: 'managed-prefix-lists', command: 'aws ec2 describe-managed-prefix-lists', detect: has('PrefixLists') },
  { cloud: 'aws', id: 'prefix-list-entries', command: 'aws ec2 get-managed-prefix-list-entries --prefix-list-id pl-…', detect: has('Entries') },
  { cloud: 'aws', id: 'subnets', command: 'aws ec2 describe-subnets', detect: has('Subnets') },
  { cloud: 'aws', id: 'vpcs', command: 'aws ec2 describe-vpcs', detect: has('Vpcs') },
  {
    cloud: 'azure', id: 'effective-nsg', command: 'az network nic list-effective-nsg',
    detect: (v) => isObject(v) && Array.isArray(v['value']) && (v['value'].length === 0 || (isObject(v['value'][0]) && 'effectiveSecurityRules' in v['value'][0])),
  },
  {
    cloud: 'azure', id: 'nsgs', command: 'az network nsg list / az network nsg show',
    detect: (v) => {
      const o = firstItem(v);
      return o !== undefined && (azureType(v, 'Microsoft.Network/networkSecurityGroups') || 'securityRules' in props(o) || 'defaultSecurityRules' in props(o));
    },
  },
  {
    cloud: 'azure', id: 'nics', command: 'az network nic list',
    detect: (v) => azureType(v, 'Microsoft.Network/networkInterfaces') || (firstItem(v) !== undefined && 'ipConfigurations' in props(firstItem(v) as JsonObject)),
  },
  { cloud: 'azure', id: 'subnets', command: 'az network vnet subnet list', detect: (v) => azureType(v, 'Microsoft.Network/virtualNetworks/subnets') },
  { cloud: 'azure', id: 'vnets', command: 'az network vnet list', detect: (v) => azureType(v, 'Microsoft.Network/virtualNetworks') },
  { cloud: 'azure', id: 'service-tags', command: 'az network list-service-tags', detect: (v) => isObject(v) && Array.isArray(v['values']) },
  { cloud: 'gcp', id: 'firewall-rules', command: 'gcloud compute firewall-rules list --format=json', detect: (v) => gcpKind(v, 'compute#firewall') },
  { cloud: 'gcp', id: 'instances', command: 'gcloud compute instances list --format=json', detect: (v) => gcpKind(v, 'compute#instance') },
  { cloud: 'gcp', id: 'effective-firewalls', command: 'gcloud compute networks get-effective-firewalls NET --format=json', detect: (v) => isObject(v) && ('firewallPolicys' in v || 'firewalls' in v) },
  { cloud: 'gcp', id: 'network', command: 'gcloud compute networks describe NET --format=json', detect: (v) => gcpKind(v, 'compute#network') },
];

/** Outputs people pass by mistake, with the command they meant. */
const NEAR_MISSES: readonly { readonly key: string; readonly hint: string }[] = [
  { key: 'Reservations', hint: 'this is `aws ec2 describe-instances`; give `aws ec2 describe-network-interfaces` (groups, subnet and addresses of each ENI)' },
  { key: 'SecurityGroupRule', hint: 'this is a single rule; give the whole `aws ec2 describe-security-group-rules` output' },
  { key: 'RouteTables', hint: 'route tables are not read; give `aws ec2 describe-network-acls` for subnet filtering' },
];

export function detectExport(v: Json): ExportKind | undefined {
  return CLOUD_EXPORTS.find((k) => k.detect(v));
}

/** Why a document is not a cloud export, for the diagnostic. */
export function explainUnknown(v: Json): string {
  if (isObject(v)) {
    for (const n of NEAR_MISSES) if (n.key in v) return n.hint;
    const keys = Object.keys(v).slice(0, 6);
    return `got an object with keys ${keys.length === 0 ? '(none)' : keys.join(', ')}`;
  }
  if (Array.isArray(v)) return v.length === 0 ? 'got an empty list' : 'got a list whose items are none of the known resource kinds';
  return `got ${JSON.stringify(v)}`;
}

export function exportCommands(): string {
  return CLOUD_EXPORTS.map((k) => k.command).join('; ');
}
