/**
 * Splits one line of an iptables-restore file into arguments, the way iptables-restore does:
 * blanks (space, tab) separate arguments; a double quote opens a quoted part in which blanks are
 * kept and a backslash escapes the next character; the closing quote ends the argument. Outside
 * quotes a backslash is an ordinary character and single quotes mean nothing.
 */

export interface Token {
  /** The argument after quote removal. */
  readonly text: string;
  /** 1-based column of the first source character. */
  readonly col: number;
  /** Number of source characters, quotes included. */
  readonly len: number;
  /** True when any part was quoted (informational: getopt sees only the text). */
  readonly quoted: boolean;
}

export interface Tokenized {
  readonly tokens: Token[];
  /** Column of an opening quote never closed (iptables then takes the rest of the line). */
  readonly unterminatedQuoteAt?: number;
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

/** Tokenizes `line` starting at 0-based offset `from` (columns stay relative to the whole line). */
export function tokenizeLine(line: string, from = 0): Tokenized {
  const tokens: Token[] = [];
  const n = line.length;
  let i = from;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) { i++; continue; }
    const start = i;
    // Fast path: an unquoted argument is a plain slice.
    while (i < n && c !== SPACE && c !== TAB && c !== QUOTE) c = line.charCodeAt(++i);
    if (i >= n || c !== QUOTE) {
      tokens.push({ text: line.slice(start, i), col: start + 1, len: i - start, quoted: false });
      continue;
    }
    let text = line.slice(start, i);
    i++; // opening quote
    const quoteCol = i;
    let closed = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < n) { text += line[i + 1]; i += 2; continue; }
      if (c === QUOTE) { closed = true; i++; break; }
      text += line[i];
      i++;
    }
    tokens.push({ text, col: start + 1, len: i - start, quoted: true });
    if (!closed) return { tokens, unterminatedQuoteAt: quoteCol };
  }
  return { tokens };
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
