/** Azure exports as read: NSGs and their rules, NICs (NSG, ASGs, addresses), subnets, VNets, service tags, effective rules. */
import type { Address, Cidr } from '../../model/address.js';
import type { ExportLocation } from '../scenario/json-doc.js';

/** One side of a rule: address prefixes (CIDRs, tags, `*`) and application security groups. */
export interface NsgEnd {
  readonly prefixes: readonly string[];
  readonly asgIds: readonly string[];
  /** From list-effective-nsg: the prefixes with service tags already expanded. */
  readonly expanded?: readonly string[];
  readonly ports: readonly string[];
}

export interface NsgRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'inbound' | 'outbound';
  readonly access: 'allow' | 'deny';
  /** As exported: Tcp, Udp, Icmp, Esp, Ah, `*`, Any, All. */
  readonly protocol: string;
  readonly source: NsgEnd;
  readonly destination: NsgEnd;
  readonly isDefault: boolean;
  readonly at: ExportLocation;
}

export interface Nsg {
  readonly id: string;
  readonly name: string;
  readonly rules: readonly NsgRule[];
  /** Back-references printed by nsg show/list. */
  readonly subnetIds: readonly string[];
  readonly nicIds: readonly string[];
  readonly at: ExportLocation;
}

export interface NicIpConfig {
  readonly address?: Address;
  readonly subnetId?: string;
  readonly asgIds: readonly string[];
}

export interface Nic {
  readonly id: string;
  readonly name: string;
  readonly nsgId?: string;
  readonly ipConfigs: readonly NicIpConfig[];
  readonly at: ExportLocation;
}

export interface AzSubnet {
  readonly id: string;
  readonly name: string;
  readonly nsgId?: string;
  readonly prefixes: readonly Cidr[];
  readonly at: ExportLocation;
}

export interface Vnet {
  readonly id: string;
  readonly name: string;
  readonly prefixes: readonly Cidr[];
}

/** One block of `az network nic list-effective-nsg`: the NSG of the subnet or of the NIC, rules merged and expanded. */
export interface EffectiveNsg {
  readonly nsgId: string;
  readonly level: 'subnet' | 'nic';
  readonly targetId?: string;
  readonly rules: readonly NsgRule[];
  readonly at: ExportLocation;
}

export interface AzureInventory {
  readonly nsgs: readonly Nsg[];
  readonly nics: readonly Nic[];
  readonly subnets: readonly AzSubnet[];
  readonly vnets: readonly Vnet[];
  /** Service tag (lower case, classic spellings folded) → prefixes. */
  readonly tags: ReadonlyMap<string, readonly Cidr[]>;
  readonly effective: readonly EffectiveNsg[];
  /** Was a NIC export given (ASG membership known)? */
  readonly hasNics: boolean;
}

/** Resource ids compare case-insensitively; the name is the last segment. */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export function nameOf(id: string): string {
  return id.split('/').filter((s) => s !== '').pop() ?? id;
}
