/** Small builders for the simulator's tests: rulesets from model constructors, packets from text. */
import { cidrSet, parseCidr, type AddressSet } from '../../model/address.js';
import type { Action, Effect } from '../../model/action.js';
import type { Origin } from '../../model/origin.js';
import type { Packet } from '../../model/packet.js';
import { packetFromText } from '../../model/packet-input.js';
import type { BaseChain, Chain, Rule, Table, TableFamily } from '../../model/ruleset.js';
import type { Match } from '../../model/match.js';

export function origin(text: string, line = 0, dialect = 'iptables'): Origin {
  return { dialect, file: 'test.rules', line, column: 1, text, native: {} };
}

export function rule(match: Match, action: Action, effects: readonly Effect[] = [], text = '', line = 0): Rule {
  return { match, action, effects, origin: origin(text, line) };
}

export function chain(name: string, rules: readonly Rule[], base?: Partial<BaseChain> & Pick<BaseChain, 'hook'>): Chain {
  const b: BaseChain | undefined = base === undefined
    ? undefined
    : { priority: 0, type: 'filter', policy: 'accept', ...base };
  return { name, rules, ...(b !== undefined ? { base: b } : {}), origin: origin(`:${name} ${b?.policy.toUpperCase() ?? '-'}`) };
}

export function table(name: string, chains: readonly Chain[], family: TableFamily = 'ip', source: 'iptables' | 'nftables' = 'iptables'): Table {
  return { family, name, source, chains, origin: origin(`*${name}`) };
}

/** An address set from CIDR text; throws on a typo (tests only). */
export function cidr(text: string): AddressSet {
  const c = parseCidr(text);
  if (c === undefined) throw new Error(`bad CIDR in test: ${text}`);
  return cidrSet(c);
}

/** A packet from the CLI text form; throws on a typo (tests only). */
export function pkt(text: string, extra: Record<string, unknown> = {}): Packet {
  const r = packetFromText(text, extra);
  if (r.packet === undefined) throw new Error(`bad packet in test: ${r.errors.join('; ')}`);
  return r.packet;
}

/** The same packet with fields replaced (for fields the text form does not carry). */
export function withFields(p: Packet, fields: Partial<Packet>): Packet {
  return { ...p, ...fields };
}
