/**
 * Random differential cases: a ruleset and a batch of packets biased to its boundaries, drawn
 * reproducibly from a seed (the same seed gives the same case on every machine).
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import type { Packet } from '../model/packet.js';
import { arbPacketFor } from './gen-packet.js';
import { type RulesetOptions, arbRuleset } from './gen-ruleset.js';
import type { GenRuleset } from './gen-syntax.js';

export { arbRuleset, arbRule, POOLS, type RulesetOptions } from './gen-ruleset.js';
export { arbPacketFor, packetHints } from './gen-packet.js';
export { printRuleset, printRule, rulesetDialect, type GenRuleset, type GenRule, type GenMatch } from './gen-syntax.js';

export interface GeneratedCase {
  readonly seed: number;
  readonly ruleset: GenRuleset;
  readonly packets: readonly Packet[];
}

export interface CaseOptions extends Omit<RulesetOptions, 'family'> {
  readonly packets: number;
}

export function arbCase(family: Family, o: CaseOptions): fc.Arbitrary<{ ruleset: GenRuleset; packets: Packet[] }> {
  return arbRuleset({ ...o, family }).chain((ruleset) =>
    fc.array(arbPacketFor(ruleset, o.interfaces), { minLength: o.packets, maxLength: o.packets }).map((packets) => ({ ruleset, packets })));
}

/** The case for `seed`: the family alternates with the seed's parity (even: IPv4, odd: IPv6). */
export function sampleCase(seed: number, o: CaseOptions, family: Family = seed % 2 === 0 ? 'ipv4' : 'ipv6'): GeneratedCase {
  const [c] = fc.sample(arbCase(family, o), { seed, numRuns: 1 });
  if (!c) throw new Error('fast-check produced no sample');
  return { seed, ...c };
}
