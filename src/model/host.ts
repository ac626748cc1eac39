/**
 * What fwdoctor knows about one Linux host besides its firewall rules: interfaces and addresses,
 * routes and policy-routing rules, listening sockets, the sysctls that change the packet path,
 * and TCP wrappers. Every part is optional: `undefined` means "not collected", which analyses
 * treat as unknown (and say so), never as empty.
 */
import type { Cidr, Family } from './address.js';
import type { Origin } from './origin.js';
import type { Ruleset } from './ruleset.js';

export interface InterfaceAddress {
  readonly family: Family;
  readonly address: bigint;
  readonly prefixLength: number;
}

export interface HostInterface {
  readonly name: string;
  readonly up: boolean;
  readonly addresses: readonly InterfaceAddress[];
}

/** `ip route` route types; `unicast` is the default. */
export type RouteType =
  | 'unicast' | 'local' | 'broadcast' | 'multicast' | 'anycast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat';

export interface Route {
  readonly family: Family;
  /** Routing table: `main`, `local`, `default` or a number as text. */
  readonly table: string;
  readonly type: RouteType;
  /** Destination prefix (`default` is the /0). */
  readonly dst: Cidr;
  readonly dev?: string;
  readonly gateway?: bigint;
  readonly prefsrc?: bigint;
  readonly metric: number;
  readonly origin?: Origin;
}

/** `ip rule`: the first rule (ascending priority) whose selector holds picks the table to look in. */
export interface PolicyRule {
  readonly family: Family;
  readonly priority: number;
  readonly not: boolean;
  readonly from?: Cidr;
  readonly to?: Cidr;
  readonly iif?: string;
  readonly oif?: string;
  readonly fwmark?: { readonly value: number; readonly mask: number };
  /** Look up this table, or a terminal action. */
  readonly action: 'lookup' | 'blackhole' | 'unreachable' | 'prohibit' | 'goto' | 'nop';
  readonly table?: string;
  readonly origin?: Origin;
}

export interface ListeningSocket {
  readonly protocol: 'tcp' | 'udp';
  readonly family: Family;
  /** The bound address; `wildcard` for 0.0.0.0 / :: / `*`. */
  readonly address: bigint;
  readonly wildcard: boolean;
  readonly port: number;
  /** SO_BINDTODEVICE (`127.0.0.53%lo`). */
  readonly device?: string;
  /** An IPv6 wildcard socket also accepts IPv4 unless IPV6_V6ONLY; `undefined`: as net.ipv6.bindv6only says. */
  readonly v6only?: boolean;
  readonly process?: string;
  readonly pid?: number;
  readonly origin?: Origin;
}

/** A TCP wrappers pattern list: `items EXCEPT except` (EXCEPT nests to the right). */
export interface WrapperList {
  readonly items: readonly string[];
  readonly except?: WrapperList;
}

export interface WrapperRule {
  readonly daemons: WrapperList;
  readonly clients: WrapperList;
  /** PROCESS_OPTIONS: `allow` / `deny` in the option field override the file's meaning. */
  readonly verdict?: 'allow' | 'deny';
  readonly origin: Origin;
}

export interface TcpWrappers {
  /** Absent file: nothing granted by it. */
  readonly allow: readonly WrapperRule[];
  readonly deny: readonly WrapperRule[];
  /** Daemons (process names) linked with libwrap; only these consult the files. */
  readonly wrappedDaemons?: readonly string[];
}

export interface HostSysctls {
  /** net.ipv4.ip_forward / net.ipv6.conf.all.forwarding. */
  readonly ipForward?: { readonly ipv4?: boolean; readonly ipv6?: boolean };
  /** net.ipv4.conf.{all,default,IFACE}.rp_filter. */
  readonly rpFilter?: ReadonlyMap<string, number>;
  readonly conntrackMax?: number;
  readonly conntrackCount?: number;
  /** nf_conntrack_*_timeout values by their sysctl name. */
  readonly conntrackTimeouts?: ReadonlyMap<string, number>;
  readonly nfLogAllNetns?: boolean;
  /** net.ipv6.bindv6only. */
  readonly bindV6Only?: boolean;
  /** Every value read, by dotted name, for evidence. */
  readonly values: ReadonlyMap<string, string>;
  /** Where each value was read (file:line), for evidence. */
  readonly origins?: ReadonlyMap<string, Origin>;
}

export interface Host {
  readonly name: string;
  /** Every table of iptables, ip6tables and nft together. */
  readonly ruleset: Ruleset;
  readonly interfaces?: readonly HostInterface[];
  readonly routes?: readonly Route[];
  readonly policyRules?: readonly PolicyRule[];
  readonly sockets?: readonly ListeningSocket[];
  readonly sysctls?: HostSysctls;
  readonly wrappers?: TcpWrappers;
}
