/**
 * Parser for nft's text language: `nft list ruleset` output and hand-written nftables.conf files
 * (`define`, `include` relative to the including file, `flush ruleset`, `table … { }` blocks and
 * `add/insert/replace/delete …` commands). Never throws: errors become diagnostics and the rest parses.
 */
import { error, type Diagnostic, type Parsed } from '../../diagnostics/diagnostic.js';
import { type SourceFile, positionAt, sourceFile } from '../../diagnostics/source.js';
import { RulesetBuilder } from './builder.js';
import { type Token, describeToken, tokenSpan, tokenize } from './lexer.js';
import { type BlockContext, parseTableBody } from './parse-blocks.js';
import { runCommand } from './parse-commands.js';
import { StmtParser } from './parse-stmt.js';
import { NFT_FAMILIES, type NftFamily, type NftSyntax } from './syntax.js';
import { SyntaxFailure, TokenStream } from './token-stream.js';

/** Reads an included file; `path` is already resolved against the including file. */
export type FileReader = (path: string) => string | undefined;

export interface TextParseOptions {
  readonly readFile?: FileReader;
  /** Expands a wildcard include (`/etc/nftables.d/*.nft`) into file paths. */
  readonly glob?: (pattern: string) => readonly string[];
  /** Family for rules and tables written without one (nft's default is ip). */
  readonly defaultFamily?: NftFamily;
}

export interface TextParseResult extends Parsed<NftSyntax> {
  /** Every file read, the main one first, for code frames. */
  readonly files: ReadonlyMap<string, SourceFile>;
}

const HANDLE_RE = /#\s*handle\s+(\d+)\s*$/;

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

function joinPath(base: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const parts = `${dirOf(base)}${rel}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (p !== '.') out.push(p);
  }
  return out.join('/');
}

export class TextParser implements BlockContext {
  readonly ts: TokenStream;
  readonly sp: StmtParser;
  readonly b = new RulesetBuilder();
  readonly files = new Map<string, SourceFile>();
  private readonly handles = new Map<SourceFile, Map<number, number>>();
  private readonly includeCounts = new Map<string, number>();

  constructor(main: SourceFile, readonly opts: TextParseOptions) {
    const lexed = tokenize(main);
    this.ts = new TokenStream(lexed.tokens);
    this.ts.diagnostics.push(...lexed.diagnostics);
    this.sp = new StmtParser(this.ts, { family: opts.defaultFamily ?? 'ip' });
    this.addFile(main);
  }

  private addFile(f: SourceFile): void {
    this.files.set(f.name, f);
    this.b.syntax.files.push(f.name);
    const map = new Map<number, number>();
    f.text.split('\n').forEach((line, i) => {
      const m = HANDLE_RE.exec(line);
      if (m) map.set(i + 1, Number(m[1]));
    });
    this.handles.set(f, map);
  }

  handleAt(t: Token): number | undefined {
    const map = this.handles.get(t.file);
    if (!map || map.size === 0) return undefined;
    return map.get(positionAt(t.file, t.start).line);
  }

  get family(): NftFamily {
    return this.opts.defaultFamily ?? 'ip';
  }

  parse(): TextParseResult {
    const ts = this.ts;
    for (;;) {
      ts.skipNewlines();
      if (ts.peek().kind === 'eof') break;
      const before = ts.pos;
      try {
        this.parseTopLevel();
        if (!ts.atEnd()) ts.fail(`expected end of line, got ${describeToken(ts.peek())}`, ts.peek());
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        if (e.diagnostic) ts.diagnostics.push(e.diagnostic);
        ts.recover(0);
        if (ts.at('}')) ts.next();
      }
      if (ts.pos === before) ts.next();
    }
    return { value: this.b.syntax, diagnostics: dedupe(ts.diagnostics), files: this.files };
  }

  /** An optional family word (`ip`, `inet`, …) before a table name. */
  parseFamily(): NftFamily {
    const t = this.ts.peek();
    if (t.kind === 'word' && (NFT_FAMILIES as readonly string[]).includes(t.text) && (this.ts.peek(1).kind === 'word' || this.ts.peek(1).kind === 'string')) {
      this.ts.next();
      return t.text as NftFamily;
    }
    return this.family;
  }

  private parseTopLevel(): void {
    const ts = this.ts;
    const t = ts.peek();
    switch (t.text) {
      case 'define': case 'redefine': case 'undefine': this.parseDefine(); return;
      case 'include': this.parseInclude(); return;
      case 'table': {
        ts.next();
        const family = this.parseFamily();
        const name = ts.expectName('a table name');
        const { table } = this.b.ensureTable(family, name.text, tokenSpan(name));
        if (ts.at('{')) parseTableBody(this, table);
        return;
      }
      default:
        runCommand(this, t);
    }
  }

  parseDefine(): void {
    const ts = this.ts;
    const kw = ts.next();
    const name = ts.peek();
    if (name.kind !== 'word') ts.fail(`expected a variable name after '${kw.text}', got ${describeToken(name)}`, name);
    ts.next();
    if (kw.text === 'undefine') {
      if (!ts.defines.delete(name.text)) ts.fail(`undefined variable '${name.text}'`, name, 'nftables/undefined-variable');
      return;
    }
    ts.expect('=', `'=' after 'define ${name.text}'`);
    const value: Token[] = [];
    let depth = 0;
    for (;;) {
      const v = ts.peek();
      if (v.kind === 'eof') break;
      if (depth === 0 && (v.kind === 'newline' || v.text === ';' || v.text === '}')) break;
      if (v.text === '{') depth++;
      if (v.text === '}') depth--;
      value.push(ts.next());
    }
    if (value.length === 0) ts.fail(`expected a value after 'define ${name.text} ='`, ts.peek());
    ts.defines.set(name.text, value);
  }

  private parseInclude(): void {
    const ts = this.ts;
    const start = ts.pos;
    const kw = ts.next();
    const pathTok = ts.peek();
    if (pathTok.kind !== 'string') ts.fail(`expected a quoted file name after 'include', got ${describeToken(pathTok)}`, pathTok);
    ts.next();
    const path = joinPath(kw.file.name, pathTok.text);
    // `include "/etc/nftables.d/*.nft"`: every match in name order; no match is not an error (as in nft).
    const paths = /[*?[]/.test(path) ? [...(this.opts.glob?.(path) ?? [])].sort() : [path];
    const tokens: Token[] = [];
    for (const p of paths) {
      const count = (this.includeCounts.get(p) ?? 0) + 1;
      this.includeCounts.set(p, count);
      if (count > 8 || p === kw.file.name) ts.fail(`include loop: '${p}' includes itself`, pathTok, 'nftables/include-loop');
      const text = this.opts.readFile?.(p);
      if (text === undefined) {
        return ts.fail(`cannot read included file '${p}'${this.opts.readFile ? '' : ' (no file reader given)'}`, pathTok, 'nftables/include-not-found');
      }
      const f = this.files.get(p) ?? sourceFile(p, text);
      if (!this.files.has(p)) this.addFile(f);
      const lexed = tokenize(f);
      ts.diagnostics.push(...lexed.diagnostics);
      tokens.push(...lexed.tokens.slice(0, -1), { kind: 'newline', text: '\n', file: kw.file, start: pathTok.end, end: pathTok.end, spaced: true });
    }
    const nl: Token = { kind: 'newline', text: '\n', file: kw.file, start: pathTok.end, end: pathTok.end, spaced: true };
    ts.splice(start, ts.pos - start, [nl, ...tokens, nl]);
  }
}

function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.message}|${d.span?.file}:${d.span?.start.line}:${d.span?.start.column}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function parseNftText(file: SourceFile, opts: TextParseOptions = {}): TextParseResult {
  try {
    return new TextParser(file, opts).parse();
  } catch (e) {
    if (e instanceof SyntaxFailure) {
      return { value: { tables: [], files: [file.name] }, diagnostics: e.diagnostic ? [e.diagnostic] : [], files: new Map([[file.name, file]]) };
    }
    return { value: { tables: [], files: [file.name] }, diagnostics: [error('nftables/internal', `internal error while parsing: ${String(e)}`)], files: new Map([[file.name, file]]) };
  }
}
