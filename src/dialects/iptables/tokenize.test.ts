import { describe, expect, it } from 'vitest';
import { alwaysQuote, quoteArg, tokenizeLine } from './tokenize.js';

const texts = (line: string): string[] => tokenizeLine(line).tokens.map((t) => t.text);

describe('tokenizeLine (iptables-restore quoting)', () => {
  it('splits on blanks and keeps columns', () => {
    const { tokens } = tokenizeLine('-A  INPUT\t-j ACCEPT');
    expect(tokens.map((t) => [t.text, t.col, t.len])).toEqual([['-A', 1, 2], ['INPUT', 5, 5], ['-j', 11, 2], ['ACCEPT', 14, 6]]);
  });

  it('keeps blanks inside double quotes and drops the quotes', () => {
    expect(texts('--comment "a b\tc" -j X')).toEqual(['--comment', 'a b\tc', '-j', 'X']);
  });

  it('unescapes any character after a backslash inside quotes', () => {
    expect(texts(String.raw`"a\"b\\c\d"`)).toEqual([String.raw`a"b\cd`]);
  });

  it('treats backslashes and single quotes literally outside double quotes', () => {
    expect(texts(String.raw`a\b 'x y'`)).toEqual([String.raw`a\b`, "'x", "y'"]);
  });

  it('joins an unquoted prefix with a quoted part, and ends the argument at the closing quote', () => {
    expect(texts('a"b c" "x"y')).toEqual(['ab c', 'x', 'y']);
  });

  it('gives an empty argument for ""', () => {
    expect(texts('--comment "" -j A')).toEqual(['--comment', '', '-j', 'A']);
  });

  it('reports the column of a quote that is never closed and keeps the rest of the line', () => {
    const r = tokenizeLine('-m comment --comment "open -j ACCEPT');
    expect(r.unterminatedQuoteAt).toBe(22);
    expect(r.tokens.at(-1)?.text).toBe('open -j ACCEPT');
  });
});

describe('quoting as iptables-save writes it', () => {
  it('leaves words of letters, digits, - and _ bare', () => {
    expect(quoteArg('rule_4-x')).toBe('rule_4-x');
  });

  it('quotes anything else and escapes ", \\ and \'', () => {
    expect(quoteArg('a b')).toBe('"a b"');
    expect(quoteArg('')).toBe('""');
    expect(quoteArg(`it's "x"\\`)).toBe(String.raw`"it\'s \"x\"\\"`);
    expect(alwaysQuote('test')).toBe('"test"');
  });

  it('round-trips through the tokenizer', () => {
    for (const s of ['a b', `it's`, 'q"uote', 'back\\slash', '', 'plain']) {
      expect(texts(quoteArg(s))).toEqual([s]);
    }
  });
});
