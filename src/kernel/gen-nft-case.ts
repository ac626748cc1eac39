/**
 * Random nftables differential cases: a ruleset (gen-nft-ruleset.ts) and packets biased to its
 * boundaries (gen-nft-packet.ts), drawn reproducibly from a seed, and the case source the
 * differential runner uses for them (loading: `nft -f`, then any iptables-nft companion table
 * with iptables-restore; shrinking: gen-nft-shrink.ts).
 */
import fc from 'fast-check';
import type { Family } from '../model/address.js';
import type { Packet } from '../model/packet.js';
import type { CaseLoad, CaseSource } from './differential.js';
import { arbNftPacketFor } from './gen-nft-packet.js';
import { printNftRuleset } from './gen-nft-print.js';
import { type NftRulesetOptions, arbNftRuleset } from './gen-nft-ruleset.js';
import { shrinkNftCase } from './gen-nft-shrink.js';
import { type NftGenRuleset, countNftRules } from './gen-nft-syntax.js';
import { printRuleset as printIptables, rulesetDialect as iptablesDialect } from './gen-syntax.js';

export { printNftRuleset } from './gen-nft-print.js';
export type { NftGenRuleset } from './gen-nft-syntax.js';

export interface NftCase {
  readonly seed: number;
  readonly ruleset: NftGenRuleset;
  readonly packets: readonly Packet[];
}

export function arbNftCase(o: NftRulesetOptions & { readonly packets: number }): fc.Arbitrary<{ ruleset: NftGenRuleset; packets: Packet[] }> {
  return arbNftRuleset(o).chain((ruleset) =>
    fc.array(arbNftPacketFor(ruleset, o.interfaces), { minLength: o.packets, maxLength: o.packets }).map((packets) => ({ ruleset, packets })));
}

/** The case for `seed`: packets of IPv4 for even seeds, IPv6 for odd ones, unless `ip` says. */
export function sampleNftCase(seed: number, o: { readonly packets: number; readonly interfaces: readonly string[]; readonly iptablesWeight?: number }, ip: Family = seed % 2 === 0 ? 'ipv4' : 'ipv6'): NftCase {
  const [c] = fc.sample(arbNftCase({ ...o, ip }), { seed, numRuns: 1 });
  if (!c) throw new Error('fast-check produced no sample');
  return { seed, ...c };
}

/** What the kernel and the models load: the native tables as nft text, the iptables-nft table as iptables-save text. */
export function nftCaseLoad(rs: NftGenRuleset): CaseLoad {
  const text = printNftRuleset(rs);
  return rs.iptables
    ? { text, dialect: 'nftables', companion: { text: printIptables(rs.iptables), dialect: iptablesDialect(rs.iptables) } }
    : { text, dialect: 'nftables' };
}

export function nftSource(o: { readonly iptablesWeight?: number } = {}): CaseSource<NftGenRuleset> {
  return {
    sample: (seed, packets, interfaces, family) => sampleNftCase(seed, { packets, interfaces, ...(o.iptablesWeight !== undefined ? { iptablesWeight: o.iptablesWeight } : {}) }, family),
    load: nftCaseLoad,
    shrink: (rs, p, oracle, interfaces, maxChecks) => shrinkNftCase(rs, p, oracle, interfaces, maxChecks),
    countRules: countNftRules,
  };
}
