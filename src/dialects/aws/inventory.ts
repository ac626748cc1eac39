/** All AWS exports given, joined into one inventory, with the cross-references checked. */
import type { Diagnostic, Parsed } from '../../diagnostics/diagnostic.js';
import { Fields, diagnosticAt } from '../scenario/json-doc.js';
import type { ExportDoc } from '../scenario/load-exports.js';
import { readSecurityGroupRules, readSecurityGroups } from './read-groups.js';
import { readEnis, readNacls, readPrefixListEntries, readPrefixLists, readSubnets, readVpcs } from './read-network.js';
import type { AwsInventory, Eni, Nacl, PrefixList, SecurityGroup, SgRule, Subnet, Vpc } from './syntax.js';

export function readAwsInventory(docs: readonly ExportDoc[]): Parsed<AwsInventory> {
  const f = new Fields('aws');
  const groups = new Map<string, SecurityGroup>();
  const fromGroups: SgRule[] = [];
  const fromRules: SgRule[] = [];
  const nacls: Nacl[] = [];
  const enis: Eni[] = [];
  const prefixLists = new Map<string, PrefixList>();
  const subnets = new Map<string, Subnet>();
  const vpcs = new Map<string, Vpc>();
  // Lists before their entries, so that entries join the listed names.
  const order = ['managed-prefix-lists', 'prefix-list-entries'];
  const sorted = [...docs].sort((a, b) => order.indexOf(a.kind.id) - order.indexOf(b.kind.id));
  for (const d of sorted) {
    if (d.kind.cloud !== 'aws') continue;
    switch (d.kind.id) {
      case 'security-groups': readSecurityGroups(f, d.root, groups, fromGroups); break;
      case 'security-group-rules': readSecurityGroupRules(f, d.root, fromRules); break;
      case 'network-acls': readNacls(f, d.root, nacls); break;
      case 'network-interfaces': readEnis(f, d.root, enis); break;
      case 'managed-prefix-lists': readPrefixLists(f, d.root, prefixLists); break;
      case 'prefix-list-entries': readPrefixListEntries(f, d.root, prefixLists); break;
      case 'subnets': readSubnets(f, d.root, subnets); break;
      case 'vpcs': readVpcs(f, d.root, vpcs); break;
      default: break;
    }
  }
  // describe-security-group-rules carries rule ids: it wins for the groups it covers.
  const covered = new Set(fromRules.map((r) => r.groupId));
  const sgRules = [...fromRules, ...fromGroups.filter((r) => !covered.has(r.groupId))];
  const inv: AwsInventory = { groups, sgRules, nacls, enis, prefixLists, subnets, vpcs };
  return { value: inv, diagnostics: [...f.diagnostics, ...checkReferences(inv, covered)] };
}

/** Groups whose rules fwdoctor has: from either export. */
export function knownGroups(inv: AwsInventory): Set<string> {
  return new Set([...inv.groups.keys(), ...inv.sgRules.map((r) => r.groupId)]);
}

function checkReferences(inv: AwsInventory, fromRules: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const known = knownGroups(inv);
  const withMembers = new Set(inv.enis.flatMap((e) => e.groupIds));
  for (const r of inv.sgRules) {
    if (r.peer.kind === 'group' && !known.has(r.peer.groupId) && !withMembers.has(r.peer.groupId)) {
      out.push(diagnosticAt('warning', 'aws/missing-group', r.at, `rule of ${r.groupId} references security group ${r.peer.groupId}, which is in none of the exports (deleted, or in a peered VPC or another account): the rule is treated as undecided (may match)`));
    }
    if (r.peer.kind === 'prefix-list' && inv.prefixLists.get(r.peer.id)?.cidrs === undefined) {
      out.push(diagnosticAt('warning', 'aws/unresolved-prefix-list', r.at, `rule of ${r.groupId} uses prefix list ${r.peer.id} whose entries were not given (aws ec2 get-managed-prefix-list-entries --prefix-list-id ${r.peer.id} > ${r.peer.id}.json): the rule is treated as undecided (may match)`));
    }
  }
  for (const e of inv.enis) {
    for (const g of e.groupIds) {
      if (!known.has(g) && !fromRules.has(g)) {
        out.push(diagnosticAt('error', 'aws/missing-group', e.at, `network interface ${e.id} has security group ${g}, whose rules are in none of the exports (give aws ec2 describe-security-groups or describe-security-group-rules for it)`));
      }
    }
  }
  return out;
}
