/**
 * The arguments of one line as positions (no strings) for the fast reader (fast-line.ts): split
 * at spaces as iptables-restore splits them. A quoted argument is taken when it is a whole word
 * without backslashes; any other quote, a tab or too many words declines the line.
 */
import { wordAt } from './tokenize.js';

const SPACE = 32;
const QUOTE = 34;
const DASH = 45;
const BANG = 33;
/** Lines with more arguments than this go to the general reader. */
const MAX_TOKENS = 128;

export class LineTokens {
  private readonly starts = new Int32Array(MAX_TOKENS);
  private readonly ends = new Int32Array(MAX_TOKENS);
  /** 1 when the token is a quoted argument: its text is inside the quotes. */
  private readonly quoted = new Uint8Array(MAX_TOKENS);
  count = 0;
  raw = '';

  /** Splits `raw`; false when the fast reader does not take such a line. */
  split(raw: string): boolean {
    if (raw.indexOf('\t') >= 0) return false;
    const quotes = raw.indexOf('"') >= 0;
    const len = raw.length;
    let n = 0;
    let i = 0;
    while (i < len) {
      const c = raw.charCodeAt(i);
      if (c === SPACE) { i++; continue; }
      if (n === MAX_TOKENS) return false;
      if (quotes && c === QUOTE) {
        const close = raw.indexOf('"', i + 1);
        if (close < 0) return false;
        const after = close + 1;
        if (after < len && raw.charCodeAt(after) !== SPACE) return false;
        const bs = raw.indexOf('\\', i + 1);
        if (bs >= 0 && bs < close) return false;
        this.put(n++, i, after, 1);
        i = after;
        continue;
      }
      let end = raw.indexOf(' ', i);
      if (end < 0) end = len;
      if (quotes) {
        const q = raw.indexOf('"', i);
        if (q >= 0 && q < end) return false;
      }
      this.put(n++, i, end, 0);
      i = end;
    }
    this.raw = raw;
    this.count = n;
    return true;
  }

  private put(n: number, start: number, end: number, quoted: 0 | 1): void {
    this.starts[n] = start;
    this.ends[n] = end;
    this.quoted[n] = quoted;
  }

  /** 0-based offset of token i in the line (its opening quote, if quoted). */
  start(i: number): number {
    return this.starts[i] as number;
  }

  /** 0-based offset just after token i. */
  end(i: number): number {
    return this.ends[i] as number;
  }

  isQuoted(i: number): boolean {
    return this.quoted[i] === 1;
  }

  /** Is token i exactly `word` (unquoted)? */
  is(i: number, word: string): boolean {
    const s = this.starts[i] as number;
    return this.quoted[i] === 0 && (this.ends[i] as number) - s === word.length && this.raw.startsWith(word, s);
  }

  /** An unquoted `!`. */
  isBang(i: number): boolean {
    const s = this.starts[i] as number;
    return this.quoted[i] === 0 && (this.ends[i] as number) - s === 1 && this.raw.charCodeAt(s) === BANG;
  }

  /** For an unquoted two-character `-X`, the code of X; 0 for any other token. */
  dashLetter(i: number): number {
    const s = this.starts[i] as number;
    if (this.quoted[i] === 1 || (this.ends[i] as number) - s !== 2 || this.raw.charCodeAt(s) !== DASH) return 0;
    return this.raw.charCodeAt(s + 1);
  }

  /** Is token i an unquoted `--name` (three characters or more)? */
  isLong(i: number): boolean {
    const s = this.starts[i] as number;
    return this.quoted[i] === 0 && (this.ends[i] as number) - s >= 3 && this.raw.charCodeAt(s) === DASH && this.raw.charCodeAt(s + 1) === DASH;
  }

  /** Does the text of token i start with `-` or `!` (what the general reader's peekWord refuses)? */
  looksLikeOption(i: number): boolean {
    const q = this.quoted[i] as number;
    const s = (this.starts[i] as number) + q;
    if (s >= (this.ends[i] as number) - q) return false;
    const c = this.raw.charCodeAt(s);
    return c === DASH || c === BANG;
  }

  /** The argument text of token i (quotes removed; a shared copy of common words). */
  text(i: number): string {
    const s = this.starts[i] as number;
    const e = this.ends[i] as number;
    return this.quoted[i] === 1 ? this.raw.slice(s + 1, e - 1) : wordAt(this.raw, s, e);
  }
}
