/** Ordered rules in chains, chains in tables, tables in a ruleset. */
import type { Action, Effect } from './action.js';
import type { Match } from './match.js';
import type { Origin } from './origin.js';

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';

export const HOOKS: readonly Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress'];

/** nftables family names; iptables tables are `ip` (iptables) or `ip6` (ip6tables). */
export type TableFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export type ChainType = 'filter' | 'nat' | 'route';

export interface Rule {
  readonly match: Match;
  /** Applied in order when the match holds, before the action. */
  readonly effects: readonly Effect[];
  readonly action: Action;
  readonly comment?: string;
  readonly origin: Origin;
}

/** What makes a chain a base chain: attached to a hook at a priority, with a policy. */
export interface BaseChain {
  readonly hook: Hook;
  readonly priority: number;
  readonly type: ChainType;
  readonly policy: 'accept' | 'drop';
  /** netdev / ingress device. */
  readonly device?: string;
}

export interface Chain {
  readonly name: string;
  readonly base?: BaseChain;
  readonly rules: readonly Rule[];
  readonly origin: Origin;
}

export interface Table {
  readonly family: TableFamily;
  readonly name: string;
  /** Which program owns it: iptables tables stop at their own chains; nftables ones too. */
  readonly source: 'iptables' | 'nftables';
  readonly chains: readonly Chain[];
  readonly origin: Origin;
}

export interface Ruleset {
  readonly tables: readonly Table[];
}

export function findTable(rs: Ruleset, name: string, family?: TableFamily): Table | undefined {
  return rs.tables.find((t) => t.name === name && (family === undefined || t.family === family));
}

export function findChain(t: Table, name: string): Chain | undefined {
  return t.chains.find((c) => c.name === name);
}

/** Does a table of this family see packets of the given IP family? */
export function tableSeesFamily(f: TableFamily, ip: 'ipv4' | 'ipv6'): boolean {
  return f === 'inet' || (f === 'ip' && ip === 'ipv4') || (f === 'ip6' && ip === 'ipv6');
}
