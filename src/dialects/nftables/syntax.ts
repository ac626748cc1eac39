/**
 * The nftables syntax tree: one faithful representation shared by `nft list ruleset` text
 * (and hand-written nftables.conf files) and `nft -j list ruleset` JSON.
 * Values are kept as written (`{ kind: 'value', text }`); their meaning depends on the datatype
 * of the expression they are compared with and is decided by the converter and the checker.
 */
import type { Span } from '../../diagnostics/source.js';

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export const NFT_FAMILIES: readonly NftFamily[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** `!` (nft's negation, only of a single bitmask value): none of the value's bits is set. */
export type RelOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | '!' | 'implicit';

export type BinOp = '&' | '|' | '^' | '<<' | '>>';

export type VerdictName = 'accept' | 'drop' | 'continue' | 'return' | 'jump' | 'goto' | 'queue';

interface Node {
  readonly span?: Span;
}

export type Expr =
  /** `ip saddr`, `tcp dport`, `th sport`, `ether type`, `vlan id`; `inner` for tunnel headers (`vxlan ip saddr`). */
  | (Node & { readonly kind: 'payload'; readonly protocol: string; readonly field: string; readonly inner?: string })
  /** `@nh,16,8` */
  | (Node & { readonly kind: 'raw'; readonly base: 'll' | 'nh' | 'th' | 'ih'; readonly offset: number; readonly len: number })
  /** IPv6 extension headers and header options: `hbh nexthdr`, `exthdr frag exists`, `tcp option mss size`, `ip option rr type`, `sctp chunk data flags`, `dccp option 4`. */
  | (Node & { readonly kind: 'exthdr'; readonly space: 'ip6' | 'tcp' | 'ip' | 'sctp' | 'dccp'; readonly name: string; readonly field?: string })
  | (Node & { readonly kind: 'meta'; readonly key: string })
  | (Node & { readonly kind: 'ct'; readonly key: string; readonly dir?: 'original' | 'reply'; readonly family?: 'ip' | 'ip6' })
  | (Node & { readonly kind: 'fib'; readonly flags: readonly string[]; readonly result: string })
  | (Node & { readonly kind: 'rt'; readonly key: string; readonly family?: 'ip' | 'ip6' })
  /** socket, osf, ipsec, numgen, jhash, symhash, tunnel: kept for printing, opaque to the model. */
  | (Node & { readonly kind: 'special'; readonly name: string; readonly key: string; readonly args: readonly SpecialArg[] })
  /** A literal as written: number, symbol, address, quoted string (`quoted` keeps the quotes on print). */
  | (Node & { readonly kind: 'value'; readonly text: string; readonly quoted: boolean })
  | (Node & { readonly kind: 'prefix'; readonly expr: Expr; readonly len: number })
  | (Node & { readonly kind: 'range'; readonly lo: Expr; readonly hi: Expr })
  /** Anonymous set `{ a, b, c }`. */
  | (Node & { readonly kind: 'set'; readonly items: readonly Expr[] })
  /** Comma list without braces: `ct state established,related`, `tcp flags syn,ack`. */
  | (Node & { readonly kind: 'list'; readonly items: readonly Expr[] })
  | (Node & { readonly kind: 'setref'; readonly name: string })
  | (Node & { readonly kind: 'concat'; readonly items: readonly Expr[] })
  | (Node & { readonly kind: 'binop'; readonly op: BinOp; readonly left: Expr; readonly right: Expr })
  /** `key map { … }` or `key map @m`: a lookup that yields a value. */
  | (Node & { readonly kind: 'map'; readonly key: Expr; readonly data: Expr })
  /** A map element `key : value`. */
  | (Node & { readonly kind: 'mapping'; readonly key: Expr; readonly value: Expr })
  /** A set element with options: `1.2.3.4 timeout 1h comment "x" counter …`. */
  | (Node & { readonly kind: 'elem'; readonly value: Expr; readonly options: readonly ElemOption[] })
  | (Node & { readonly kind: 'verdict'; readonly verdict: VerdictName; readonly target?: string })
  /** `*` in a set: the catch-all element. */
  | (Node & { readonly kind: 'wildcard' });

export type ExprKind = Expr['kind'];

/** An argument of a `special` expression: `mod 2`, `offset 10`, a keyed expression (`jhash ip saddr`). */
export interface SpecialArg {
  readonly name: string;
  readonly value: string | number | Expr;
}

export type ElemOption =
  | { readonly kind: 'timeout'; readonly value: string }
  | { readonly kind: 'expires'; readonly value: string }
  | { readonly kind: 'comment'; readonly value: string }
  | { readonly kind: 'stmt'; readonly stmt: Stmt };

export type Stmt =
  | (Node & { readonly kind: 'match'; readonly left: Expr; readonly op: RelOp; readonly right: Expr })
  /** A verdict; `chain` is an anonymous chain (`jump { … }`). */
  | (Node & { readonly kind: 'verdict'; readonly verdict: VerdictName; readonly target?: string; readonly chain?: readonly RuleSyntax[] })
  | (Node & { readonly kind: 'vmap'; readonly key: Expr; readonly data: Expr })
  | (Node & { readonly kind: 'counter'; readonly packets?: number; readonly bytes?: number })
  | (Node & { readonly kind: 'log'; readonly options: readonly LogOption[] })
  | (Node & { readonly kind: 'limit'; readonly rate: number; readonly unit: string; readonly per: string; readonly over: boolean; readonly burst?: number; readonly burstUnit?: string })
  | (Node & { readonly kind: 'quota'; readonly value: number; readonly unit: string; readonly over: boolean; readonly used?: number; readonly usedUnit?: string })
  | (Node & { readonly kind: 'reject'; readonly type?: 'icmp' | 'icmpv6' | 'icmpx' | 'tcp reset'; readonly code?: string })
  /** `meta mark set 1`, `ct mark set ct mark | 1`, `ip dscp set cs1`. */
  | (Node & { readonly kind: 'mangle'; readonly left: Expr; readonly value: Expr })
  | (Node & {
    readonly kind: 'nat'; readonly type: 'snat' | 'dnat' | 'masquerade' | 'redirect';
    readonly family?: 'ip' | 'ip6'; readonly addr?: Expr; readonly port?: Expr;
    readonly flags: readonly string[]; readonly typeFlags: readonly string[];
  })
  | (Node & { readonly kind: 'notrack' })
  | (Node & { readonly kind: 'queue'; readonly num?: Expr; readonly flags: readonly string[] })
  /** `add @s { ip saddr timeout 10s }`, `update @s { … }`, `delete @s { … }`. */
  | (Node & { readonly kind: 'dynset'; readonly op: 'add' | 'update' | 'delete'; readonly set: string; readonly key: Expr; readonly data?: Expr; readonly stmts: readonly Stmt[] })
  /** Named stateful object references: `counter name "c"`, `ct helper set "ftp"`, `synproxy name ip saddr map {…}`. */
  | (Node & { readonly kind: 'objref'; readonly type: string; readonly name: Expr })
  /** Statements fwdoctor only carries along (dup, fwd, tproxy, synproxy, flow, ct count, last, xt, reset tcp option …). */
  | (Node & { readonly kind: 'other'; readonly name: string; readonly args: readonly SpecialArg[] })
  | (Node & { readonly kind: 'xt'; readonly type: 'match' | 'target' | 'watcher'; readonly name: string });

export type StmtKind = Stmt['kind'];

export type LogOption =
  | { readonly key: 'prefix'; readonly value: string }
  | { readonly key: 'level' | 'group' | 'snaplen' | 'queue-threshold'; readonly value: string }
  | { readonly key: 'flags'; readonly value: readonly string[] };

export interface RuleSyntax {
  readonly stmts: readonly Stmt[];
  readonly comment?: string;
  readonly handle?: number;
  /** The rule as written (text) or as `nft` would list it (JSON). */
  readonly text: string;
  readonly span: Span;
}

export type Priority =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'named'; readonly name: string; readonly offset: number };

export interface BaseChainSyntax {
  /** The `type … hook … priority …` statement. */
  readonly span?: Span;
  readonly type: string;
  readonly hook: string;
  readonly priority?: Priority;
  readonly devices: readonly string[];
}

export interface ChainSyntax {
  readonly name: string;
  readonly base?: BaseChainSyntax;
  readonly policy?: string;
  readonly comment?: string;
  readonly flags: readonly string[];
  readonly handle?: number;
  readonly rules: RuleSyntax[];
  readonly span: Span;
}

export interface SetSyntax {
  readonly name: string;
  readonly map: boolean;
  /** Key type: either a type name list (`ipv4_addr . inet_service`) or `typeof` expressions. */
  readonly keyType: TypeSpec;
  readonly dataType?: TypeSpec;
  /** `map m { type ipv4_addr : interval ipv4_addr }`: the data are ranges or prefixes. */
  readonly dataInterval?: boolean;
  readonly flags: readonly string[];
  readonly elements: Expr[];
  readonly timeout?: string;
  readonly gcInterval?: string;
  readonly size?: number;
  readonly policy?: string;
  readonly autoMerge: boolean;
  readonly comment?: string;
  readonly stmts: readonly Stmt[];
  readonly handle?: number;
  readonly span: Span;
}

export type TypeSpec =
  | { readonly kind: 'types'; readonly names: readonly string[] }
  | { readonly kind: 'typeof'; readonly exprs: readonly Expr[] };

export interface FlowtableSyntax {
  readonly name: string;
  readonly hook: string;
  readonly priority?: Priority;
  readonly devices: readonly string[];
  readonly flags: readonly string[];
  readonly counter: boolean;
  readonly span: Span;
}

/** Named stateful objects: counter, quota, limit, ct helper/timeout/expectation, secmark, synproxy, tunnel. */
export interface ObjectSyntax {
  readonly type: string;
  readonly name: string;
  /** The body as `key value` pairs, kept for printing. */
  readonly body: readonly (readonly [string, string])[];
  readonly span: Span;
}

export interface TableSyntax {
  readonly family: NftFamily;
  readonly name: string;
  readonly flags: readonly string[];
  readonly comment?: string;
  readonly handle?: number;
  readonly chains: ChainSyntax[];
  readonly sets: SetSyntax[];
  readonly flowtables: FlowtableSyntax[];
  readonly objects: ObjectSyntax[];
  readonly span: Span;
}

export interface NftSyntax {
  readonly tables: TableSyntax[];
  /** Names of the files read (the main file first, then includes). */
  readonly files: readonly string[];
}

export function emptySyntax(): NftSyntax {
  return { tables: [], files: [] };
}
