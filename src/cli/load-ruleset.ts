/**
 * Ruleset files → one model Ruleset: read (gzip, stdin), detect or force the dialect, parse, convert.
 * Several files merge into one ruleset (iptables-save + ip6tables-save + nft, as on a real host).
 */
import type { ConvertContext, AnyDialect } from '../dialects/dialect.js';
import { DIALECTS, detectDialect } from '../dialects/registry.js';
import { type Diagnostic, error } from '../diagnostics/diagnostic.js';
import { type SourceFile, sourceFile } from '../diagnostics/source.js';
import type { Ruleset, Table } from '../model/ruleset.js';
import { readInput } from './read-input.js';

export interface LoadedRuleset {
  readonly ruleset: Ruleset;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: ReadonlyMap<string, SourceFile>;
  /** Dialect id per file, in the order given. */
  readonly dialects: readonly string[];
}

export function dialectIds(): string[] {
  return DIALECTS.map((d) => d.id);
}

function pickDialect(name: string, text: string, forced: string | undefined): AnyDialect | Diagnostic {
  if (forced !== undefined) {
    const d = DIALECTS.find((x) => x.id === forced);
    return d ?? error('cli/unknown-dialect', `unknown dialect '${forced}' (known: ${dialectIds().join(', ')})`);
  }
  const d = detectDialect(text, name);
  return d ?? error('cli/unknown-format',
    `${name}: cannot tell which firewall format this is (known: ${dialectIds().join(', ')}); name it with --dialect`);
}

/** Reads and converts every file; I/O problems throw InputError, content problems become diagnostics. */
export function loadRulesets(names: readonly string[], opts: { dialect?: string; ctx?: ConvertContext } = {}): LoadedRuleset {
  const files = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  const tables: Table[] = [];
  const used: string[] = [];
  for (const name of names) {
    const file = sourceFile(name, readInput(name));
    files.set(name, file);
    const dialect = pickDialect(name, file.text, opts.dialect);
    if ('code' in dialect) {
      diagnostics.push(dialect);
      continue;
    }
    used.push(dialect.id);
    const parsed = dialect.parse(file);
    diagnostics.push(...parsed.diagnostics);
    const converted = dialect.convert(parsed.value, file, opts.ctx ?? {});
    diagnostics.push(...converted.diagnostics);
    tables.push(...converted.value.tables);
  }
  return { ruleset: { tables }, diagnostics, files, dialects: used };
}
