/**
 * AWS exports as read, before conversion: security groups and their rules, network ACLs, network
 * interfaces, managed prefix lists, subnets and VPCs. Every object keeps where it came from.
 */
import type { Address, Cidr } from '../../model/address.js';
import type { ExportLocation } from '../scenario/json-doc.js';

/** Who a security group rule lets in (ingress: source) or out (egress: destination). */
export type SgPeer =
  | { readonly kind: 'cidr'; readonly cidr: Cidr; readonly text: string }
  | { readonly kind: 'prefix-list'; readonly id: string }
  | { readonly kind: 'group'; readonly groupId: string };

export interface SgRule {
  readonly groupId: string;
  /** `sgr-…` from describe-security-group-rules; absent for describe-security-groups. */
  readonly ruleId?: string;
  readonly egress: boolean;
  /** As exported: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or a number. */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly peer: SgPeer;
  readonly description?: string;
  readonly at: ExportLocation;
}

export interface SecurityGroup {
  readonly id: string;
  readonly name?: string;
  readonly vpcId?: string;
  readonly at: ExportLocation;
}

export interface NaclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** A number as a string, or `-1`. */
  readonly protocol: string;
  readonly action: 'allow' | 'deny';
  readonly cidr: Cidr;
  readonly cidrText: string;
  readonly portRange?: readonly [number, number];
  readonly icmp?: { readonly type: number; readonly code: number };
  readonly at: ExportLocation;
}

export interface Nacl {
  readonly id: string;
  readonly vpcId?: string;
  readonly isDefault: boolean;
  readonly subnetIds: readonly string[];
  readonly entries: readonly NaclEntry[];
  readonly at: ExportLocation;
}

export interface Eni {
  readonly id: string;
  readonly subnetId?: string;
  readonly vpcId?: string;
  readonly groupIds: readonly string[];
  /** Private IPv4 addresses (primary first) and IPv6 addresses. */
  readonly privateAddresses: readonly Address[];
  readonly publicAddresses: readonly Address[];
  readonly instanceId?: string;
  readonly description?: string;
  readonly at: ExportLocation;
}

export interface PrefixList {
  readonly id: string;
  readonly name?: string;
  /** Undefined until get-managed-prefix-list-entries for it was read. */
  readonly cidrs?: readonly Cidr[];
  readonly at: ExportLocation;
}

export interface Subnet {
  readonly id: string;
  readonly vpcId?: string;
  readonly cidrs: readonly Cidr[];
  readonly at: ExportLocation;
}

export interface Vpc {
  readonly id: string;
  readonly cidrs: readonly Cidr[];
  readonly isDefault: boolean;
  readonly at: ExportLocation;
}

export interface AwsInventory {
  readonly groups: ReadonlyMap<string, SecurityGroup>;
  readonly sgRules: readonly SgRule[];
  readonly nacls: readonly Nacl[];
  readonly enis: readonly Eni[];
  readonly prefixLists: ReadonlyMap<string, PrefixList>;
  readonly subnets: ReadonlyMap<string, Subnet>;
  readonly vpcs: ReadonlyMap<string, Vpc>;
}
