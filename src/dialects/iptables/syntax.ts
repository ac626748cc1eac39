/**
 * A faithful syntax tree of an iptables-save / iptables-restore file: every line in order
 * (comments and blank lines too), each `*table` block with its chain declarations and commands,
 * and for each rule its base options, its match modules and its target, with source spans.
 * Nothing is resolved here (see resolve.ts for the chains a file leaves behind).
 */
import type { Span } from '../../diagnostics/source.js';
import type { Hook } from '../../model/ruleset.js';

export type IpFamily = 'ipv4' | 'ipv6';

export interface IptablesSyntax {
  readonly file: string;
  /** iptables (`ipv4`) or ip6tables (`ipv6`): from the caller, the header comment, or the addresses. */
  readonly family: IpFamily;
  readonly items: readonly TopItem[];
}

export type TopItem = TableBlock | CommentLine | BlankLine;

export interface CommentLine {
  readonly kind: 'comment';
  readonly line: number;
  /** The whole line, `#` included, trailing blanks removed. */
  readonly text: string;
}

export interface BlankLine {
  readonly kind: 'blank';
  readonly line: number;
}

export interface TableBlock {
  readonly kind: 'table';
  readonly name: string;
  readonly line: number;
  readonly span: Span;
  readonly items: readonly TableItem[];
  /** The COMMIT line; absent when the file ended first (an error). */
  readonly commitLine?: number;
}

export type TableItem = ChainLine | CommandLine | CommentLine | BlankLine;

/** `:NAME POLICY [packets:bytes]` */
export interface ChainLine {
  readonly kind: 'chain';
  readonly line: number;
  readonly text: string;
  readonly name: string;
  readonly nameSpan: Span;
  /** `ACCEPT`, `DROP` for built-in chains, `-` for user chains (as written). */
  readonly policy: string;
  readonly policySpan: Span;
  readonly counters?: Counters;
}

export interface Counters {
  /** Decimal text (64-bit values do not fit a number). */
  readonly packets: string;
  readonly bytes: string;
  readonly span: Span;
}

export type CommandOp =
  | 'append' | 'insert' | 'delete' | 'replace' | 'new-chain' | 'delete-chain' | 'flush' | 'zero'
  | 'policy' | 'rename-chain';

/**
 * One command line: `-A INPUT …`, `-I INPUT 2 …`, `-N FOO`, `-P INPUT DROP`, …
 * Optional members may be present with the value `undefined`.
 */
export interface CommandLine {
  readonly kind: 'command';
  readonly line: number;
  /** The line as written, trailing blanks removed. */
  readonly text: string;
  readonly op: CommandOp;
  readonly opSpan: Span;
  readonly chain?: string | undefined;
  readonly chainSpan?: Span | undefined;
  /** Rule number of `-I n`, `-D n`, `-R n`, `-Z chain n` (1-based). */
  readonly index?: number | undefined;
  readonly indexSpan?: Span | undefined;
  /** `-P chain POLICY` or `-E old NEW`. */
  readonly argument?: string | undefined;
  readonly argumentSpan?: Span | undefined;
  /**
   * The rule specification of -A, -I, -R and -D without a number. A parsed file reads it again
   * from the line when it is first used, so that a large file stays small in memory.
   */
  readonly rule?: RuleSyntax | undefined;
  /** `[packets:bytes]` prefix of the line. */
  readonly counters?: Counters | undefined;
  /** False when the line had an error: resolve and convert skip it. */
  readonly valid: boolean;
  /** What the table-level checks need from the rule, without reading it again. */
  readonly summary?: RuleSummary | undefined;
}

/** Facts about a rule that checks across the table need (jumps, placement, address lists). */
export interface RuleSummary {
  /** `-j NAME` / `-g NAME` where NAME is not a verdict or a target extension. */
  readonly jump?: { readonly name: string; readonly goto: boolean; readonly span: Span };
  /** Extensions restricted to some tables or hooks. */
  readonly placements?: readonly PlacementNeed[];
  /** Lengths of the -s and -d lists (1 when absent): the line makes sources × destinations rules. */
  readonly sources: number;
  readonly destinations: number;
  readonly onlyFamily?: IpFamily;
}

export interface PlacementNeed {
  /** `match 'owner'`, `target DNAT`. */
  readonly what: string;
  readonly tables?: readonly string[];
  readonly hooks?: readonly Hook[];
  readonly span: Span;
}

/** A rule specification. Optional members may be present with the value `undefined`. */
export interface RuleSyntax {
  readonly source?: AddressOption | undefined;
  readonly destination?: AddressOption | undefined;
  readonly inInterface?: InterfaceOption | undefined;
  readonly outInterface?: InterfaceOption | undefined;
  readonly protocol?: ProtocolOption | undefined;
  readonly fragment?: FlagOption | undefined;
  /** Match modules in load order (explicit `-m` and the implicit protocol match). */
  readonly matches: readonly MatchSyntax[];
  readonly target?: TargetSyntax | undefined;
  /** `-c packets bytes` */
  readonly counters?: Counters | undefined;
  /** `-4` / `-6`: the rule only exists in that family (ignored by the other tool). */
  readonly onlyFamily?: IpFamily | undefined;
}

export interface AddressSpec {
  readonly family: IpFamily;
  /** The network address, host bits cleared as iptables does. */
  readonly value: bigint;
  readonly mask: bigint;
  /** Prefix length when the mask is contiguous. */
  readonly prefix?: number;
}

export interface AddressOption {
  readonly invert: boolean;
  /** Several comma-separated addresses make several rules. */
  readonly list: readonly AddressSpec[];
  readonly span: Span;
}

export interface InterfaceOption {
  readonly invert: boolean;
  /** As written, with a trailing `+` for a prefix wildcard. */
  readonly name: string;
  readonly span: Span;
}

export interface ProtocolOption {
  readonly invert: boolean;
  /** 0 for `all`. */
  readonly number: number;
  readonly span: Span;
}

export interface FlagOption {
  readonly invert: boolean;
  readonly span: Span;
}

/** One occurrence of an extension option. */
export interface ExtOption {
  /** The declared (canonical) name, without dashes. */
  readonly name: string;
  /** As written (an alias or an abbreviation), without dashes. */
  readonly given: string;
  readonly invert: boolean;
  readonly args: readonly string[];
  /** The parsed value (the option spec's type); undefined when parsing failed. */
  readonly value: unknown;
  readonly span: Span;
}

/** What an extension's functions see: its name and its options in the order given. */
export interface ExtInstance {
  readonly name: string;
  readonly options: readonly ExtOption[];
}

export interface MatchSyntax extends ExtInstance {
  /** The name as written after `-m` (an alias such as `icmpv6` is allowed). */
  readonly given: string;
  /** Loaded by an option of the `-p` protocol without `-m` (`-p tcp --dport 22`). */
  readonly implicit: boolean;
  readonly span: Span;
  /** True when the module or one of its options had an error. */
  readonly invalid: boolean;
}

export interface TargetSyntax extends ExtInstance {
  /**
   * `standard`: ACCEPT, DROP, RETURN, QUEUE; `extension`: a target module (LOG, REJECT, …);
   * `chain`: a user-defined chain (resolved against the table's chains later).
   */
  readonly type: 'standard' | 'extension' | 'chain';
  /** `-g` instead of `-j`. */
  readonly goto: boolean;
  readonly span: Span;
  readonly invalid: boolean;
}
