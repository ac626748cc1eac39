/**
 * The small nftables syntax the differential generator produces: tables of family ip, ip6 and inet
 * with base chains on the input hook, regular chains, named sets and verdict maps, and rules over
 * the fields the simulator models — plus, optionally, an iptables-nft `filter` table (iptables-save
 * text, loaded with iptables-restore) coexisting with them. Every match carries its meaning as
 * intervals (gen-nft-eval.ts) next to the form it is printed in, so one meaning is printed in the
 * several spellings nft accepts. Printing is in gen-nft-print.ts.
 */
import type { Family } from '../model/address.js';
import type { GenRuleset } from './gen-syntax.js';

export type NftTableFamily = 'ip' | 'ip6' | 'inet';

/** Numeric selectors: transport ports, lengths, ttl / hop limit, ICMP type and code, layer-4 protocol. */
export type NumSel =
  | 'tcp sport' | 'tcp dport' | 'udp sport' | 'udp dport' | 'th sport' | 'th dport'
  | 'ip length' | 'ip6 length' | 'ip ttl' | 'ip6 hoplimit'
  | 'icmp type' | 'icmp code' | 'icmpv6 type' | 'icmpv6 code'
  | 'meta l4proto' | 'ip protocol' | 'ip6 nexthdr';

/** [lo, hi], inclusive. */
export type NumItem = readonly [number, number];

/** An address element: a prefix (`len` given), a range, or one address (lo = hi, no len). */
export interface AddrItem {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly len?: number;
}

export type CmpOp = '' | '==' | '!=' | '<' | '>' | '<=' | '>=';

export type NumForm =
  | { readonly kind: 'cmp'; readonly op: CmpOp; readonly value: number }
  | { readonly kind: 'range'; readonly neg: boolean; readonly lo: number; readonly hi: number }
  | { readonly kind: 'set'; readonly neg: boolean; readonly items: readonly NumItem[] }
  | { readonly kind: 'ref'; readonly neg: boolean; readonly set: string };

export type AddrForm =
  | { readonly kind: 'one'; readonly neg: boolean; readonly item: AddrItem }
  | { readonly kind: 'set'; readonly neg: boolean; readonly items: readonly AddrItem[] }
  | { readonly kind: 'ref'; readonly neg: boolean; readonly set: string };

export type ConcatItem = readonly [AddrItem, NumItem];

/** `tcp flags` tests (flag bits: fin 0x01 … cwr 0x80). */
export type FlagsForm =
  /** `tcp flags & (mask) == value` or `tcp flags value / mask` (style 'slash'). */
  | { readonly kind: 'masked'; readonly op: '==' | '!='; readonly mask: number; readonly value: number; readonly style: 'amp' | 'slash' }
  /** `tcp flags syn,ack`: any of the bits. */
  | { readonly kind: 'any'; readonly mask: number }
  /** `tcp flags ! syn,ack`: none of the bits. */
  | { readonly kind: 'none'; readonly mask: number }
  /** `tcp flags == syn|ack`, `tcp flags != syn`: the whole byte. */
  | { readonly kind: 'exact'; readonly op: '==' | '!='; readonly value: number }
  | { readonly kind: 'set'; readonly neg: boolean; readonly values: readonly number[] };

export type CtName = 'invalid' | 'established' | 'related' | 'new' | 'untracked';

export const CT_BITS: Readonly<Record<CtName, number>> = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 };

export type CtForm =
  /** `ct state new,invalid`: any of (a bitmask test). */
  | { readonly kind: 'bits'; readonly states: readonly CtName[] }
  /** `ct state != established,related`: the state is not exactly that bit combination. */
  | { readonly kind: 'neq'; readonly states: readonly CtName[] }
  | { readonly kind: 'set'; readonly neg: boolean; readonly states: readonly CtName[] };

export type NftGenMatch =
  | { readonly kind: 'num'; readonly sel: NumSel; readonly form: NumForm }
  | { readonly kind: 'addr'; readonly ip: Family; readonly dir: 'saddr' | 'daddr'; readonly form: AddrForm }
  | { readonly kind: 'flags'; readonly form: FlagsForm }
  | { readonly kind: 'ct'; readonly form: CtForm }
  /** `iifname`; a name ending in `*` is a wildcard. Several names print as a set. */
  | { readonly kind: 'iif'; readonly neg: boolean; readonly names: readonly string[] }
  /** `ip saddr . tcp dport` in an anonymous or named set. */
  | {
    readonly kind: 'concat'; readonly ip: Family; readonly proto: 'tcp' | 'udp'; readonly neg: boolean;
    readonly form: { readonly kind: 'set'; readonly items: readonly ConcatItem[] } | { readonly kind: 'ref'; readonly set: string };
  };

/** What a set or map is keyed by. */
export type SetKey =
  | { readonly kind: 'addr'; readonly ip: Family }
  | { readonly kind: 'port' }
  | { readonly kind: 'proto' }
  | { readonly kind: 'concat'; readonly ip: Family };

export type SetElem =
  | { readonly kind: 'addr'; readonly item: AddrItem }
  | { readonly kind: 'num'; readonly item: NumItem }
  | { readonly kind: 'concat'; readonly item: ConcatItem };

export type NftVerdict =
  | { readonly kind: 'accept' | 'drop' | 'return' }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string };

export interface VmapEntry {
  readonly key: SetElem;
  readonly verdict: NftVerdict;
}

/** The expression a verdict map looks up. */
export type VmapKey =
  | { readonly kind: 'num'; readonly sel: NumSel }
  | { readonly kind: 'addr'; readonly ip: Family; readonly dir: 'saddr' | 'daddr' }
  | { readonly kind: 'concat'; readonly ip: Family; readonly proto: 'tcp' | 'udp' };

export type NftGenAction =
  | NftVerdict
  /** `reject` and its `with` clause as printed after it ('' for none). */
  | { readonly kind: 'reject'; readonly with: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'vmap'; readonly key: VmapKey; readonly map: { readonly kind: 'anon'; readonly entries: readonly VmapEntry[] } | { readonly kind: 'ref'; readonly name: string } };

export interface NftGenRule {
  readonly matches: readonly NftGenMatch[];
  /** `log prefix "…"` before the verdict. */
  readonly log?: string;
  /** `counter` right before the verdict (so it counts exactly the packets the trace shows). */
  readonly counter: boolean;
  readonly action: NftGenAction;
}

export type Priority =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'named'; readonly name: 'raw' | 'mangle' | 'filter' | 'security'; readonly offset: number };

export const PRIORITY_NAMES: Readonly<Record<'raw' | 'mangle' | 'filter' | 'security', number>> = { raw: -300, mangle: -150, filter: 0, security: 50 };

export function priorityValue(p: Priority): number {
  return p.kind === 'num' ? p.value : PRIORITY_NAMES[p.name] + p.offset;
}

export interface NftGenChain {
  readonly name: string;
  /** Present for base chains (all on the input hook). */
  readonly base?: { readonly priority: Priority; readonly policy: 'accept' | 'drop' };
  readonly rules: readonly NftGenRule[];
}

export interface NamedSet {
  readonly name: string;
  readonly key: SetKey;
  readonly interval: boolean;
  readonly elements: readonly SetElem[];
}

export interface NamedMap {
  readonly name: string;
  readonly key: SetKey;
  readonly interval: boolean;
  readonly entries: readonly VmapEntry[];
}

export interface NftGenTable {
  readonly family: NftTableFamily;
  readonly name: string;
  readonly sets: readonly NamedSet[];
  readonly maps: readonly NamedMap[];
  /** Regular chains only jump to regular chains after them (no loops). */
  readonly chains: readonly NftGenChain[];
}

export interface NftGenRuleset {
  /** The family of the case's packets. */
  readonly ip: Family;
  readonly tables: readonly NftGenTable[];
  /** An iptables-nft `filter` table of the packets' family, loaded with iptables-restore / ip6tables-restore. */
  readonly iptables?: GenRuleset;
}

/** Every rule, in table / chain / rule order. */
export function allRules(rs: NftGenRuleset): { readonly table: NftGenTable; readonly chain: NftGenChain; readonly rule: NftGenRule; readonly index: number }[] {
  return rs.tables.flatMap((table) => table.chains.flatMap((chain) => chain.rules.map((rule, index) => ({ table, chain, rule, index }))));
}

export function countNftRules(rs: NftGenRuleset): number {
  return rs.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0)
    + (rs.iptables ? rs.iptables.chains.reduce((n, c) => n + c.rules.length, 0) : 0);
}
