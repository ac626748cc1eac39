/** GCP exports as read: VPC firewall rules, instances, firewall policies (get-effective-firewalls), network. */
import type { Address, Cidr } from '../../model/address.js';
import type { ExportLocation } from '../scenario/json-doc.js';

export interface L4Spec {
  /** tcp, udp, icmp, esp, ah, sctp, ipip, all, or a number. */
  readonly protocol: string;
  /** `22`, `8000-8080`; empty: all ports. */
  readonly ports: readonly string[];
}

export interface GcpRule {
  readonly name: string;
  readonly network: string;
  readonly priority: number;
  readonly direction: 'INGRESS' | 'EGRESS';
  readonly action: 'allow' | 'deny' | 'goto_next';
  readonly l4: readonly L4Spec[];
  readonly sourceRanges: readonly Cidr[];
  readonly destinationRanges: readonly Cidr[];
  readonly sourceTags: readonly string[];
  readonly sourceServiceAccounts: readonly string[];
  readonly targetTags: readonly string[];
  readonly targetServiceAccounts: readonly string[];
  readonly disabled: boolean;
  /** Matches fwdoctor cannot evaluate (secure tags, FQDNs, geolocations, threat lists, address groups). */
  readonly opaque: readonly string[];
  readonly at: ExportLocation;
}

export interface GcpPolicy {
  readonly name: string;
  /** HIERARCHY, NETWORK, NETWORK_REGIONAL, SYSTEM_… */
  readonly type: string;
  readonly rules: readonly GcpRule[];
  readonly at: ExportLocation;
}

export interface GcpNic {
  readonly name: string;
  readonly network: string;
  /** Primary internal IPv4 address (networkIP). */
  readonly address?: Address;
  /** Internal IPv6 address (ipv6Address), when the interface is dual-stack. */
  readonly address6?: Address;
  readonly natAddress?: Address;
}

export interface GcpInstance {
  readonly name: string;
  readonly tags: readonly string[];
  readonly serviceAccounts: readonly string[];
  readonly nics: readonly GcpNic[];
  readonly at: ExportLocation;
}

export interface GcpInventory {
  readonly rules: readonly GcpRule[];
  readonly instances: readonly GcpInstance[];
  readonly policies: readonly GcpPolicy[];
  /** networkFirewallPolicyEnforcementOrder by network name. */
  readonly enforcementOrder: ReadonlyMap<string, string>;
}

export function lastSegment(url: string): string {
  return url.split('/').filter((s) => s !== '').pop() ?? url;
}
