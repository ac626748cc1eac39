/**
 * iptables-save / iptables-restore text → syntax tree. Never throws: every problem becomes a
 * diagnostic at file:line:column and the rest of the file is still read. Besides the line-level
 * checks done here, the chain structure (unknown chains, -I positions, loops, targets placed in
 * the wrong table or chain) is checked by resolve.ts, whose diagnostics are included.
 */
import { type Diagnostic, type Parsed, error, warning } from '../../diagnostics/diagnostic.js';
import { type SourceFile, type Span, lineSpan } from '../../diagnostics/source.js';
import { detectFamily } from './detect.js';
import { type LineSource, type RuleHook, readCommand, readCounters } from './command.js';
import { FastLineReader } from './fast-line.js';
import { TABLES, isTableName } from './tables.js';
import { resolveSyntax } from './resolve.js';
import { LineSpan, plainDiagnostic } from './span.js';
import type {
  BlankLine, ChainLine, CommandLine, CommentLine, Counters, IpFamily, IptablesSyntax, RuleSyntax, TableBlock, TableItem, TopItem,
} from './syntax.js';
import { type Token, tokenBuffer, tokenizeInto, tokenizeLine } from './tokenize.js';

export { BUILTIN_CHAINS, TABLES, type TableName, isTableName } from './tables.js';

export interface ParseOptions {
  /** Force iptables (`ipv4`) or ip6tables (`ipv6`) reading; detected from the text otherwise. */
  readonly family?: IpFamily;
  /**
   * Called with each valid rule while its syntax is at hand, with the table it is in (the tree
   * keeps rules only as line text and reads them again on demand).
   */
  readonly onRule?: (family: IpFamily, table: string) => RuleHook | undefined;
  /**
   * Read common `-A` lines with the fast reader (fast-line.ts; the default). `false` reads every
   * line with the general reader: the result is the same, which tests check.
   */
  readonly fast?: boolean;
}

interface OpenTable {
  name: string;
  line: number;
  span: Span;
  items: TableItem[];
  /** Line sources by `lead:start`, shared by the lines of the table. */
  sources: Map<number, LineSource>;
  /** The fast reader of the table's `-A` lines, made at the first one. */
  fast: FastLineReader | undefined;
}

const MAX_OUTSIDE = 10;

export function parseIptablesSyntax(file: SourceFile, opts: ParseOptions = {}): Parsed<IptablesSyntax> {
  const diagnostics: Diagnostic[] = [];
  const family = opts.family ?? detectFamily(file.text).family;
  const items: TopItem[] = [];
  let open: OpenTable | undefined;
  const buf = tokenBuffer();
  let outside = 0;
  const name = file.name;
  const text = file.text;

  const sourceFor = (t: OpenTable, lead: number, start: number): LineSource => {
    const key = lead * 4 + start;
    let src = t.sources.get(key);
    if (src === undefined) {
      src = { file: name, lead, start, family, table: t.name, hook: opts.onRule?.(family, t.name) };
      t.sources.set(key, src);
    }
    return src;
  };
  const close = (commitLine: number | undefined): void => {
    if (!open) return;
    const block: TableBlock = commitLine === undefined
      ? { kind: 'table', name: open.name, line: open.line, span: open.span, items: open.items }
      : { kind: 'table', name: open.name, line: open.line, span: open.span, items: open.items, commitLine };
    items.push(block);
    open = undefined;
  };
  const missingCommit = (t: OpenTable, before: string): void => {
    diagnostics.push(error('iptables/missing-commit',
      `table '${t.name}' opened on line ${t.line} is not committed: expected COMMIT before ${before}`, t.span));
  };

  // Lines are found with the native search as they are read (the file's line index is not needed).
  let end = 0;
  for (let n = 1, start = 0; start <= text.length; n++, start = end + 1) {
    const newline = text.indexOf('\n', start);
    end = newline < 0 ? text.length : newline;
    let raw = text.slice(start, end);
    if (newline < 0 && raw.length === 0) break; // the empty "line" after a final newline
    raw = raw.trimEnd();
    let lead = 0;
    while (lead < raw.length && (raw.charCodeAt(lead) === 32 || raw.charCodeAt(lead) === 9)) lead++;
    const first = raw[lead];
    if (first === undefined || first === '#') {
      const item: CommentLine | BlankLine = first === undefined ? { kind: 'blank', line: n } : { kind: 'comment', line: n, text: raw };
      if (open) open.items.push(item);
      else items.push(item);
      continue;
    }
    if (first === '*') {
      const tname = raw.slice(lead + 1).trim();
      const span = lineSpan(name, n, lead + 1, raw.length - lead);
      if (open) { missingCommit(open, `'*${tname}' on line ${n}`); close(undefined); }
      if (!/^[a-z]+$/.test(tname) || !isTableName(tname)) {
        diagnostics.push(error('iptables/unknown-table', `unknown table '${tname}': expected one of ${TABLES.join(', ')}`, span));
      }
      open = { name: tname, line: n, span, items: [], sources: new Map(), fast: undefined };
      continue;
    }
    if (first === 'C' && raw.length - lead === 6 && raw.endsWith('COMMIT')) {
      if (!open) {
        diagnostics.push(error('iptables/no-table', "COMMIT without a table: expected a '*table' line before it", lineSpan(name, n, lead + 1, 6)));
      } else close(n);
      continue;
    }
    if (!open) {
      // A file that is not iptables-save at all would give one error per line: say it ten times.
      if (++outside <= MAX_OUTSIDE) {
        diagnostics.push(error('iptables/no-table', "this line is outside any table: expected a '*table' line (such as *filter) before it", lineSpan(name, n, lead + 1, raw.length - lead)));
      }
      continue;
    }
    if (first === ':') {
      const decl = parseChainLine(raw, lead, n, name, diagnostics);
      if (decl) open.items.push(decl);
      continue;
    }
    if ((first === '-' || first === '[') && lead === 0 && opts.fast !== false) {
      const cmd = (open.fast ??= new FastLineReader(sourceFor(open, 0, 0), sourceFor(open, 0, 1))).read(raw, n);
      if (cmd !== undefined) { open.items.push(cmd); continue; }
    }
    tokenizeInto(raw, lead, buf);
    const tokens = buf.tokens;
    if (buf.unterminatedQuoteAt !== 0) {
      diagnostics.push(warning('iptables/unterminated-quote', 'a double quote is never closed: the argument runs to the end of the line', lineSpan(name, n, buf.unterminatedQuoteAt, 1)));
    }
    let startTok = 0;
    let counters: Counters | undefined;
    const t0 = tokens[0] as Token;
    if (t0.text.startsWith('[')) {
      counters = readCounters(t0.text, new LineSpan(name, n, t0.col, t0.len));
      if (counters === undefined) diagnostics.push(error('iptables/invalid-value', `expected counters as [packets:bytes], got '${t0.text}'`, lineSpan(name, n, t0.col, t0.len)));
      startTok = 1;
    }
    const cmd = readCommand(sourceFor(open, lead, startTok), n, raw, tokens, buf.count, counters, diagnostics);
    if (cmd) open.items.push(cmd);
  }
  if (open) {
    missingCommit(open, 'the end of the file');
    close(undefined);
  }
  if (outside > MAX_OUTSIDE) {
    diagnostics.push(error('iptables/no-table', `${outside - MAX_OUTSIDE} more lines are outside any table (is this an iptables-save file?)`));
  }
  const syntax: IptablesSyntax = { file: name, family, items };
  const resolved = resolveSyntax(syntax);
  // In source order: checks across the table find problems in chain order.
  const all = [...diagnostics, ...resolved.diagnostics].map(plainDiagnostic);
  all.sort((a, b) => (a.span?.start.line ?? Infinity) - (b.span?.start.line ?? Infinity) || (a.span?.start.column ?? 0) - (b.span?.start.column ?? 0));
  return { value: syntax, diagnostics: all };
}

function parseChainLine(raw: string, lead: number, n: number, file: string, out: Diagnostic[]): ChainLine | undefined {
  const { tokens } = tokenizeLine(raw, lead + 1);
  const nameTok = tokens[0];
  if (nameTok === undefined) {
    out.push(error('iptables/syntax', "expected a chain name after ':'", lineSpan(file, n, lead + 1, 1)));
    return undefined;
  }
  const nameSpan = lineSpan(file, n, nameTok.col, nameTok.len);
  const policyTok = tokens[1];
  if (policyTok === undefined) {
    out.push(error('iptables/syntax', `chain '${nameTok.text}' has no policy: expected ACCEPT, DROP or '-' after its name`, nameSpan));
    return undefined;
  }
  const policySpan = lineSpan(file, n, policyTok.col, policyTok.len);
  let counters: Counters | undefined;
  const ctok = tokens[2];
  if (ctok !== undefined) {
    const span = lineSpan(file, n, ctok.col, ctok.len);
    counters = readCounters(ctok.text, span);
    if (counters === undefined) out.push(warning('iptables/invalid-value', `expected counters as [packets:bytes], got '${ctok.text}' (ignored, as iptables-restore does)`, span));
  }
  return {
    kind: 'chain', line: n, text: raw, name: nameTok.text, nameSpan, policy: policyTok.text, policySpan,
    ...(counters && { counters }),
  };
}
