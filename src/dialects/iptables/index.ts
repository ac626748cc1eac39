/**
 * The iptables dialect: iptables-save / ip6tables-save output and iptables-restore files.
 *
 * Public API (other modules import from here only):
 * - `iptablesDialect`: the Dialect (detect → parse → convert → print) registered in ../registry.ts.
 * - `parseIptablesSave(text, fileName?, opts?)`: text → syntax tree + diagnostics (never throws).
 * - `printIptablesSave(syntax)`: syntax tree → canonical iptables-save text.
 * - `loadIptables(text, fileName, opts?)`: text → model Ruleset + every diagnostic + the source file
 *   (for code frames). `opts.family` forces iptables/ip6tables; `opts.ipsets` resolves `-m set`.
 *
 * Common `-A` lines are read by a fast reader (fast-line.ts) and everything else by the general one
 * (parse-rule.ts); both give the same result. `opts.fastReader: false` turns the fast one off.
 */
import type { Dialect } from '../dialect.js';
import type { Diagnostic, Parsed } from '../../diagnostics/diagnostic.js';
import { type SourceFile, sourceFile } from '../../diagnostics/source.js';
import type { AddressSet } from '../../model/address.js';
import type { Ruleset } from '../../model/ruleset.js';
import { convertIptables } from './convert.js';
import { convertEarly } from './convert-early.js';
import { isIptablesSave } from './detect.js';
import { type ParseOptions, parseIptablesSyntax } from './parse.js';
import { printIptablesSave } from './print.js';
import type { IpFamily, IptablesSyntax } from './syntax.js';

export type { IptablesSyntax, IpFamily } from './syntax.js';
export { printIptablesSave } from './print.js';
export { isIptablesSave, detectFamily } from './detect.js';
export { builtinPriority } from './convert.js';

export const iptablesDialect: Dialect<IptablesSyntax> = {
  id: 'iptables',
  description: 'iptables-save / ip6tables-save output, iptables-restore files',
  detect: (text) => isIptablesSave(text),
  // Rules are converted as they are read: convert() then finds them ready.
  parse: (file) => parseIptablesSyntax(file, { onRule: convertEarly }),
  convert: (syntax, file, ctx) => convertIptables(syntax, file, ctx),
  print: (syntax) => printIptablesSave(syntax),
};

export interface IptablesOptions {
  /** `ipv4` (iptables) or `ipv6` (ip6tables); detected from the header or the addresses otherwise. */
  readonly family?: IpFamily;
  /** ipset name → members, from an `ipset save` file (see ../ipset). */
  readonly ipsets?: ReadonlyMap<string, AddressSet>;
  /** `false` reads every line with the general reader instead of the fast one (same result; for tests). */
  readonly fastReader?: boolean;
}

function parseOptions(opts: IptablesOptions, convert: boolean): ParseOptions {
  return {
    ...(opts.family !== undefined && { family: opts.family }),
    ...(convert && { onRule: convertEarly }),
    ...(opts.fastReader === false && { fast: false }),
  };
}

/**
 * `sourceFile(name, raw)` whose line index is made on first use: parsing does not need it, and
 * for a large file it is a noticeable part of the load. Text with a BOM or CRs is normalised now.
 */
function lazySourceFile(name: string, raw: string): SourceFile {
  if (raw.charCodeAt(0) === 0xfeff || raw.indexOf('\r') >= 0) return sourceFile(name, raw);
  let lineStarts: readonly number[] | undefined;
  return {
    name,
    text: raw,
    get lineStarts() {
      lineStarts ??= sourceFile(name, raw).lineStarts;
      return lineStarts;
    },
  };
}

/** Text → syntax tree. BOM and CRLF are normalised; diagnostics carry file:line:column spans. */
export function parseIptablesSave(text: string, fileName = '-', opts: IptablesOptions = {}): Parsed<IptablesSyntax> & { readonly file: SourceFile } {
  const file = lazySourceFile(fileName, text);
  const parsed = parseIptablesSyntax(file, parseOptions(opts, false));
  return { ...parsed, file };
}

/** Parsing that also converts each rule while its syntax is at hand (for loadIptables). */
function parseForConvert(text: string, fileName: string, opts: IptablesOptions): Parsed<IptablesSyntax> & { readonly file: SourceFile } {
  const file = lazySourceFile(fileName, text);
  const parsed = parseIptablesSyntax(file, parseOptions(opts, true));
  return { ...parsed, file };
}

export interface LoadedIptables {
  readonly ruleset: Ruleset;
  /** Parse errors and warnings first, then conversion notes (opaque modules, unresolved ipsets). */
  readonly diagnostics: readonly Diagnostic[];
  /** The source by name, for code frames (formatDiagnostic). */
  readonly files: ReadonlyMap<string, SourceFile>;
  readonly syntax: IptablesSyntax;
}

/** Text → model Ruleset in one call. Never throws on bad input: check `hasErrors(diagnostics)`. */
export function loadIptables(text: string, fileName = '-', opts: IptablesOptions = {}): LoadedIptables {
  const { value: syntax, diagnostics: parseDiags, file } = parseForConvert(text, fileName, opts);
  const converted = convertIptables(syntax, file, opts.ipsets === undefined ? {} : { ipsets: opts.ipsets });
  return {
    ruleset: converted.value,
    diagnostics: [...parseDiags, ...converted.diagnostics],
    files: new Map([[file.name, file]]),
    syntax,
  };
}
