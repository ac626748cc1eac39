/** All Azure exports given, joined; the six default rules are added to an NSG exported without them. */
import type { Parsed } from '../../diagnostics/diagnostic.js';
import type { Cidr } from '../../model/address.js';
import { Fields, diagnosticAt } from '../scenario/json-doc.js';
import type { ExportDoc } from '../scenario/load-exports.js';
import { readEffective, readNsgs } from './read-nsg.js';
import { readNics, readServiceTags, readSubnets, readVnets } from './read-network.js';
import type { AzSubnet, AzureInventory, EffectiveNsg, Nic, Nsg, NsgEnd, NsgRule, Vnet } from './syntax.js';

const ALL: NsgEnd = { prefixes: ['*'], asgIds: [], ports: ['*'] };

function dflt(nsg: Nsg, name: string, priority: number, direction: 'inbound' | 'outbound', access: 'allow' | 'deny', src: string, dst: string): NsgRule {
  return { name, priority, direction, access, protocol: '*', source: { ...ALL, prefixes: [src] }, destination: { ...ALL, prefixes: [dst] }, isDefault: true, at: nsg.at };
}

/** The six default rules every NSG has (network-security-groups-overview.md). */
export function defaultRules(nsg: Nsg): NsgRule[] {
  return [
    dflt(nsg, 'AllowVnetInBound', 65000, 'inbound', 'allow', 'VirtualNetwork', 'VirtualNetwork'),
    dflt(nsg, 'AllowAzureLoadBalancerInBound', 65001, 'inbound', 'allow', 'AzureLoadBalancer', '*'),
    dflt(nsg, 'DenyAllInBound', 65500, 'inbound', 'deny', '*', '*'),
    dflt(nsg, 'AllowVnetOutBound', 65000, 'outbound', 'allow', 'VirtualNetwork', 'VirtualNetwork'),
    dflt(nsg, 'AllowInternetOutBound', 65001, 'outbound', 'allow', '*', 'Internet'),
    dflt(nsg, 'DenyAllOutBound', 65500, 'outbound', 'deny', '*', '*'),
  ];
}

export function readAzureInventory(docs: readonly ExportDoc[]): Parsed<AzureInventory> {
  const f = new Fields('azure');
  const nsgs: Nsg[] = [];
  const nics: Nic[] = [];
  const subnets: AzSubnet[] = [];
  const vnets: Vnet[] = [];
  const tags = new Map<string, Cidr[]>();
  const effective: EffectiveNsg[] = [];
  let hasNics = false;
  for (const d of docs) {
    if (d.kind.cloud !== 'azure') continue;
    switch (d.kind.id) {
      case 'nsgs': readNsgs(f, d.root, nsgs); break;
      case 'nics': readNics(f, d.root, nics); hasNics = true; break;
      case 'subnets': readSubnets(f, d.root, subnets); break;
      case 'vnets': readVnets(f, d.root, vnets); break;
      case 'service-tags': readServiceTags(f, d.root, tags); break;
      case 'effective-nsg': readEffective(f, d.root, effective); break;
      default: break;
    }
  }
  const diagnostics = [...f.diagnostics];
  const complete = nsgs.map((n) => {
    if (n.rules.some((r) => r.isDefault)) return n;
    diagnostics.push(diagnosticAt('info', 'azure/default-rules-added', n.at, `${n.name} was exported without defaultSecurityRules (az network nsg rule list without --include-default?): the six default rules every NSG has were added`));
    return { ...n, rules: [...n.rules, ...defaultRules(n)] };
  });
  for (const n of complete) {
    const seen = new Map<string, NsgRule>();
    for (const r of n.rules) {
      const k = `${r.direction}/${r.priority}`;
      const prev = seen.get(k);
      if (prev !== undefined) diagnostics.push(diagnosticAt('error', 'azure/duplicate-priority', r.at, `${n.name}: rules ${prev.name} and ${r.name} share priority ${r.priority} ${r.direction} (Azure refuses this; the export is inconsistent)`));
      seen.set(k, r);
    }
  }
  return { value: { nsgs: complete, nics, subnets, vnets, tags, effective, hasNics }, diagnostics };
}
