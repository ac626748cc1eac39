/** Where a rule or finding came from, so that every trace line points back to the source. */

export interface Origin {
  /** Dialect id: 'iptables', 'nftables', 'aws', … */
  readonly dialect: string;
  /** File name as the user gave it ('-' for standard input). */
  readonly file: string;
  /** 1-based line and column of the rule's first character. */
  readonly line: number;
  readonly column: number;
  /** The rule's original text (one line for line-based formats). */
  readonly text: string;
  /** Native identity, e.g. { table, chain, index } or { groupId, rule } or { nsg, name, priority }. */
  readonly native: Readonly<Record<string, string | number>>;
}
