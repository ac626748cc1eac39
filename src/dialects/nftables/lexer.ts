/**
 * Tokenizer for nft's text language (`nft list ruleset` output and nftables.conf files).
 * Words are greedy runs of identifier characters (`echo-request`, `10.0.0.0/8`, `1-100`, `2001:db8::/32`);
 * the parser splits them further when the datatype asks for it (ranges, prefixes, masks).
 */
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { parseIpv6 } from '../../model/address.js';
import { type SourceFile, type Span, spanAt } from '../../diagnostics/source.js';

export type TokenKind = 'word' | 'string' | 'punct' | 'newline' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
  /** True when whitespace (or a line start) precedes the token. */
  readonly spaced: boolean;
}

const TWO_CHAR = new Set(['==', '!=', '<=', '>=', '<<', '>>']);
const ONE_CHAR = new Set(['{', '}', '(', ')', '[', ']', ',', ';', '=', '!', '&', '|', '^', '<', '>', '@', '$', '.', ':', '/', '*', '+', '-']);

const WORD_START = new Uint8Array(128);
const WORD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  WORD_START[c] = /[A-Za-z0-9_]/.test(ch) ? 1 : 0;
  WORD_CHAR[c] = /[A-Za-z0-9_\-./:*]/.test(ch) ? 1 : 0;
}

function isWordStart(c: string): boolean {
  const n = c.charCodeAt(0);
  return n < 128 && WORD_START[n] === 1;
}

function isWordChar(c: string): boolean {
  const n = c.charCodeAt(0);
  return n < 128 && WORD_CHAR[n] === 1;
}

const HEX4 = '[0-9a-fA-F]{1,4}';
const V6 = `(?:[0-9a-fA-F:]*:[0-9a-fA-F:.]*)`;
const V6_WORD = new RegExp(`^${V6}(?:/\\d+)?(?:-${V6}(?:/\\d+)?)?$`);
const MAC_WORD = new RegExp(`^(?:${HEX4.replace('{1,4}', '{1,2}')}:){5}[0-9a-fA-F]{1,2}(?:-(?:[0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2})?$`);
const TIME_WORD = /^\d{1,2}:\d{2}(?::\d{2})?(?:-\d{1,2}:\d{2}(?::\d{2})?)?$/;

/** How much of a colon-bearing run belongs to the word: all of it when it is an address or time. */
function colonCut(run: string): number {
  if (!run.includes(':')) return run.length;
  const whole = (w: string): boolean => (V6_WORD.test(w) && looksLikeV6(w)) || MAC_WORD.test(w) || TIME_WORD.test(w);
  if (whole(run)) return run.length;
  for (let j = run.lastIndexOf(':'); j > 0; j = run.lastIndexOf(':', j - 1)) {
    if (run[j - 1] !== ':' || run[j - 2] === ':') {
      const head = run.slice(0, j);
      if (head.includes(':') && whole(head)) return j;
    }
  }
  return run.indexOf(':');
}

/** An IPv6 address, prefix or range, each part a valid address. */
function looksLikeV6(run: string): boolean {
  const parts = run.split(/-(?=[0-9a-fA-F:])/);
  return parts.length <= 2 && parts.every((p) => {
    const core = p.replace(/\/\d+$/, '');
    return (core.includes('::') || core.split(':').length >= 3) && parseIpv6(core) !== undefined;
  });
}

export interface Lexed {
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

export function tokenize(file: SourceFile): Lexed {
  const text = file.text;
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  let spaced = true;
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    tokens.push({ kind, text: value ?? text.slice(start, end), file, start, end, spaced });
    spaced = false;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') { i++; spaced = true; continue; }
    if (c === '\\' && text[i + 1] === '\n') { i += 2; spaced = true; continue; }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\n') { push('newline', i, i + 1); i++; spaced = true; continue; }
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const nl = text.indexOf('\n', i + 1);
      if (close < 0 || (nl >= 0 && nl < close)) {
        const end = nl < 0 ? text.length : nl;
        diagnostics.push(error('nftables/unterminated-string', 'expected a closing \'"\' before the end of the line', spanAt(file, i, end)));
        push('string', i, end, text.slice(i + 1, end));
        i = end;
        continue;
      }
      push('string', i, close + 1, text.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    const negNumber = c === '-' && /[0-9]/.test(text[i + 1] ?? '') && spaced;
    const v6Start = c === ':' && text[i + 1] === ':';
    if (isWordStart(c) || negNumber || v6Start) {
      let j = i + 1;
      while (j < text.length && isWordChar(text[j] as string)) j++;
      const run = text.slice(i, j);
      const cut = Math.max(1, colonCut(run));
      push('word', i, i + cut);
      i += cut;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR.has(two)) { push('punct', i, i + 2); i += 2; continue; }
    if (ONE_CHAR.has(c)) { push('punct', i, i + 1); i++; continue; }
    diagnostics.push(error('nftables/unexpected-character', `unexpected character '${c}'`, spanAt(file, i, i + 1)));
    i++;
  }
  tokens.push({ kind: 'eof', text: '', file, start: text.length, end: text.length, spaced: true });
  return { tokens, diagnostics };
}

export function tokenSpan(t: Token, last: Token = t): Span {
  return spanAt(t.file, t.start, Math.max(last.end, t.start + 1));
}

export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of file';
    case 'newline': return 'end of line';
    case 'string': return `"${t.text}"`;
    default: return `'${t.text}'`;
  }
}
