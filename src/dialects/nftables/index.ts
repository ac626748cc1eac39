/**
 * The nftables dialect: `nft list ruleset` text, nftables.conf scripts and `nft -j` JSON,
 * parsed into one syntax tree, checked as `nft -c -f` would, converted to the model, printed back.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { type Diagnostic, type Parsed } from '../../diagnostics/diagnostic.js';
import { type SourceFile, sourceFile } from '../../diagnostics/source.js';
import type { Ruleset } from '../../model/ruleset.js';
import type { Dialect } from '../dialect.js';
import { checkNftSyntax } from './check.js';
import { convertNftSyntax } from './convert.js';
import { parseNftJson } from './parse-json.js';
import { type FileReader, parseNftText } from './parse-text.js';
import { printRuleset } from './print.js';
import type { NftFamily, NftSyntax } from './syntax.js';

export type { NftSyntax } from './syntax.js';
export type { FileReader } from './parse-text.js';
export { printRuleset } from './print.js';
export { printNftChange, type NftChange } from './print-command.js';

export interface NftLoadOptions {
  /** Reads `include`d files (paths are resolved against the including file); default: the local disk. */
  readonly readFile?: FileReader;
  /** Expands wildcard includes; default: the local disk when `readFile` is not given, else none. */
  readonly glob?: (pattern: string) => readonly string[];
  /** Family of tables and rules written without one (nft's default: ip). */
  readonly defaultFamily?: NftFamily;
}

export interface NftLoaded {
  readonly ruleset: Ruleset;
  readonly syntax: NftSyntax;
  readonly diagnostics: readonly Diagnostic[];
  /** Every file read (the main one and its includes), for code frames. */
  readonly files: ReadonlyMap<string, SourceFile>;
}

/** Files matching a pattern whose last component may hold `*` and `?` (nft's wildcard includes). */
export function globOnDisk(pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const dir = slash < 0 ? '.' : pattern.slice(0, slash) || '/';
  const re = new RegExp(`^${pattern.slice(slash + 1).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(dir).filter((f) => re.test(f)).map((f) => (slash < 0 ? f : `${pattern.slice(0, slash + 1)}${f}`));
  } catch {
    return [];
  }
}

export function readFromDisk(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** JSON (`nft -j`) when the document is an object with an "nftables" array. */
export function isNftJson(text: string): boolean {
  return /^\s*\{\s*"nftables"\s*:/.test(text.replace(/^\uFEFF/, ''));
}

function byPosition(ds: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic): [string, number, number] => [d.span?.file ?? '', d.span?.start.line ?? 0, d.span?.start.column ?? 0];
  return ds.map((d, i) => ({ d, i })).sort((a, b) => {
    const [fa, la, ca] = key(a.d);
    const [fb, lb, cb] = key(b.d);
    return fa === fb ? la - lb || ca - cb || a.i - b.i : a.i - b.i;
  }).map((x) => x.d);
}

/** Parses text or JSON and runs the checks of `nft -c`; never throws on bad input. */
export function parseNftables(file: SourceFile, opts: NftLoadOptions = {}): Parsed<NftSyntax> & { readonly files: ReadonlyMap<string, SourceFile> } {
  if (isNftJson(file.text)) {
    const p = parseNftJson(file);
    return { value: p.value, diagnostics: byPosition([...p.diagnostics, ...checkNftSyntax(p.value)]), files: new Map([[file.name, file]]) };
  }
  const glob = opts.glob ?? (opts.readFile === undefined ? globOnDisk : undefined);
  const p = parseNftText(file, { readFile: opts.readFile ?? readFromDisk, ...(glob ? { glob } : {}), ...(opts.defaultFamily ? { defaultFamily: opts.defaultFamily } : {}) });
  return { value: p.value, diagnostics: byPosition([...p.diagnostics, ...checkNftSyntax(p.value)]), files: p.files };
}

/** Text or JSON → model ruleset, with every diagnostic (errors as `nft -c -f` reports them, warnings from the conversion). */
export function loadNftables(text: string, fileName: string, opts: NftLoadOptions = {}): NftLoaded {
  const file = sourceFile(fileName, text);
  const parsed = parseNftables(file, opts);
  const converted = convertNftSyntax(parsed.value);
  return { ruleset: converted.value, syntax: parsed.value, diagnostics: [...parsed.diagnostics, ...converted.diagnostics], files: parsed.files };
}

const TEXT_HINT = /^\s*(?:#!.*\bnft\b|table\s+(?:(?:ip|ip6|inet|arp|bridge|netdev)\s+)?[\w"$.-]+\s*\{|(?:add|insert|create)\s+(?:table|chain|rule|set|map|element)\b|flush\s+ruleset\b|define\s+\w+\s*=|include\s+")/m;

export const nftablesDialect: Dialect<NftSyntax> = {
  id: 'nftables',
  description: 'nftables: `nft list ruleset` text, nftables.conf scripts, `nft -j list ruleset` JSON',
  detect(text: string, fileName?: string): boolean {
    if (isNftJson(text)) return true;
    if (fileName !== undefined && /\.(nft|nftables)$/i.test(fileName)) return true;
    if (/^\s*\*(filter|nat|mangle|raw|security)\s*$/m.test(text) && /^\s*COMMIT\s*$/m.test(text)) return false;
    return TEXT_HINT.test(text);
  },
  parse(file: SourceFile): Parsed<NftSyntax> {
    const p = parseNftables(file);
    return { value: p.value, diagnostics: p.diagnostics };
  },
  convert(syntax: NftSyntax): Parsed<Ruleset> {
    return convertNftSyntax(syntax);
  },
  print(syntax: NftSyntax): string {
    return printRuleset(syntax);
  },
};
