/**
 * Splits one line of an iptables-restore file into arguments, the way iptables-restore does:
 * blanks (space, tab) separate arguments; a double quote opens a quoted part in which blanks are
 * kept and a backslash escapes the next character; the closing quote ends the argument. Outside
 * quotes a backslash is an ordinary character and single quotes mean nothing.
 *
 * This runs for every line of files with tens of thousands of rules, so the parser tokenizes into
 * a reused buffer and common words (option names, verdicts, chain names) come from a fixed table
 * instead of being cut out of the line again.
 */

export interface Token {
  /** The argument after quote removal. */
  readonly text: string;
  /** 1-based column of the first source character. */
  readonly col: number;
  /** Number of source characters, quotes included. */
  readonly len: number;
}

export interface Tokenized {
  readonly tokens: Token[];
  /** 1-based column of an opening quote never closed (iptables then takes the rest of the line). */
  readonly unterminatedQuoteAt?: number;
}

interface MutableToken {
  text: string;
  col: number;
  len: number;
}

/** Tokens of the current line; the objects are reused for the next line. */
export interface TokenBuffer {
  readonly tokens: MutableToken[];
  count: number;
  /** 0 when every quote was closed. */
  unterminatedQuoteAt: number;
}

export function tokenBuffer(): TokenBuffer {
  return { tokens: [], count: 0, unterminatedQuoteAt: 0 };
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

/** Words of two printable ASCII characters (`-A`, `-p`, `lo`) by their character codes: no hashing. */
const PAIRS: (string | undefined)[] = new Array<string | undefined>(96 * 96);

/** Index in PAIRS of line[i, i + 2), or -1 when a character is not printable ASCII. */
function pairIndex(line: string, i: number): number {
  const a = line.charCodeAt(i) - 32;
  const b = line.charCodeAt(i + 1) - 32;
  return a >= 0 && a < 96 && b >= 0 && b < 96 ? a * 96 + b : -1;
}

/** Words common enough in rulesets to keep one copy of, by a hash of their characters. */
const COMMON: (string[] | undefined)[] = new Array<string[] | undefined>(4096);

/**
 * A hash of line[start, end) (end − start ≥ 2) from its length and five of its characters (the
 * first three and the last two; option names all begin with `--`).
 */
function hashAt(line: string, start: number, end: number): number {
  const len = end - start;
  const third = line.charCodeAt(len > 2 ? start + 2 : start);
  const h = ((line.charCodeAt(start) * 31 + line.charCodeAt(start + 1)) * 31 + third) * 31 + line.charCodeAt(end - 2);
  return (h * 31 + line.charCodeAt(end - 1) + len * 7) & 4095;
}

/** Adds words that the tokenizer returns as shared strings (option names, verdicts, …). */
export function addCommonWords(words: Iterable<string>): void {
  for (const w of words) {
    if (w.length < 2 || w.length > 40) continue;
    const k = hashAt(w, 0, w.length);
    const list = (COMMON[k] ??= []);
    if (!list.includes(w)) list.push(w);
    if (w.length === 2) {
      const p = pairIndex(w, 0);
      if (p >= 0) PAIRS[p] = w;
    }
  }
}

addCommonWords([
  '-A', '-I', '-D', '-R', '-N', '-X', '-F', '-P', '-s', '-d', '-p', '-i', '-o', '-m', '-j', '-g', '-f',
  'INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING', 'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG',
  'tcp', 'udp', 'icmp', 'ipv6-icmp', 'NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'RELATED,ESTABLISHED',
  'ESTABLISHED,RELATED', 'icmp-port-unreachable', 'icmp6-port-unreachable', 'tcp-reset', 'any', 'lo', 'eth0',
]);

/** The argument line[start, end): a shared copy when it is a common word. */
function cut(line: string, start: number, end: number): string {
  if (end - start >= 2 && end - start <= 40) return common(line, start, end) ?? line.slice(start, end);
  return line.slice(start, end);
}

/** Tokenizes `line` from 0-based offset `from` into `buf` (columns stay relative to the whole line). */
function push(buf: TokenBuffer, text: string, start: number, end: number): void {
  const t = buf.tokens[buf.count];
  if (t === undefined) buf.tokens.push({ text, col: start + 1, len: end - start });
  else { t.text = text; t.col = start + 1; t.len = end - start; }
  buf.count++;
}

export function tokenizeInto(line: string, from: number, buf: TokenBuffer): void {
  buf.count = 0;
  buf.unterminatedQuoteAt = 0;
  // Most lines have neither quotes nor tabs: then arguments are what lies between spaces.
  if (line.indexOf('"', from) < 0 && line.indexOf('\t', from) < 0) {
    splitOnSpaces(line, from, buf);
    return;
  }
  const n = line.length;
  let i = from;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) { i++; continue; }
    const start = i;
    // Fast path: an unquoted argument is a plain slice.
    while (i < n && c !== SPACE && c !== TAB && c !== QUOTE) c = line.charCodeAt(++i);
    if (i >= n || c !== QUOTE) {
      push(buf, cut(line, start, i), start, i);
      continue;
    }
    let text = line.slice(start, i);
    const quoteCol = i + 1; // 1-based column of the opening quote
    i++;
    let closed = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < n) { text += line[i + 1]; i += 2; continue; }
      if (c === QUOTE) { closed = true; i++; break; }
      text += line[i];
      i++;
    }
    push(buf, text, start, i);
    if (!closed) { buf.unterminatedQuoteAt = quoteCol; return; }
  }
}


/** tokenizeInto for a line without quotes or tabs: the native string search finds each blank. */
function splitOnSpaces(line: string, from: number, buf: TokenBuffer): void {
  const n = line.length;
  let i = from;
  while (i < n) {
    if (line.charCodeAt(i) === SPACE) { i++; continue; }
    let end = line.indexOf(' ', i);
    if (end < 0) end = n;
    push(buf, wordAt(line, i, end), i, end);
    i = end;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** line[start, end), as the shared copy when it is a common word (option and module names, verdicts, …). */
export function wordAt(line: string, start: number, end: number): string {
  const len = end - start;
  let w: string | undefined;
  if (len === 2) {
    const p = pairIndex(line, start);
    if (p >= 0) w = PAIRS[p];
  } else if (len > 2 && len <= 40 && !isDigit(line.charCodeAt(start))) w = common(line, start, end); // (no common word starts with a digit)
  return w ?? line.slice(start, end);
}

/** The shared copy of line[start, end) (2 to 40 characters) if it is a common word. */
function common(line: string, start: number, end: number): string | undefined {
  const list = COMMON[hashAt(line, start, end)];
  if (list !== undefined) {
    for (const w of list) if (w.length === end - start && line.startsWith(w, start)) return w;
  }
  return undefined;
}

/** Tokenizes `line` from 0-based offset `from` into fresh tokens. */
export function tokenizeLine(line: string, from = 0): Tokenized {
  const buf = tokenBuffer();
  tokenizeInto(line, from, buf);
  const tokens: Token[] = buf.tokens.slice(0, buf.count);
  return buf.unterminatedQuoteAt === 0 ? { tokens } : { tokens, unterminatedQuoteAt: buf.unterminatedQuoteAt };
}

const NO_QUOTE = /^[A-Za-z0-9_-]+$/;

/**
 * An argument as iptables-save writes it (xtables_save_string): bare when it consists only of
 * letters, digits, `_` and `-`; otherwise in double quotes with `"`, `\` and `'` escaped.
 */
export function quoteArg(text: string): string {
  if (NO_QUOTE.test(text)) return text;
  return `"${text.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** Always quoted, for the options iptables-save prints in quotes whatever they contain. */
export function alwaysQuote(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
