/** The contract every dialect implements: detect → parse (faithful syntax) → convert (model) → print. */
import type { Parsed } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source.js';
import type { AddressSet } from '../model/address.js';
import type { Ruleset } from '../model/ruleset.js';

export type DialectId = 'iptables' | 'nftables';

export interface ConvertContext {
  /** ipset name → members, from an `ipset save` file when the user gave one. */
  readonly ipsets?: ReadonlyMap<string, AddressSet>;
}

export interface Dialect<Syntax> {
  readonly id: DialectId;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** Cheap sniffing of a file's content (and name) to pick a dialect when the user gave none. */
  detect(text: string, fileName?: string): boolean;
  /** Never throws on bad input: diagnostics with spans, and a partial syntax tree. */
  parse(file: SourceFile): Parsed<Syntax>;
  convert(syntax: Syntax, file: SourceFile, ctx: ConvertContext): Parsed<Ruleset>;
  /** The syntax tree as the dialect's own canonical text (`iptables-save` output, `nft list ruleset`). */
  print(syntax: Syntax): string;
}

/** A dialect with its syntax type erased, for the registry. */
export type AnyDialect = Dialect<unknown>;
