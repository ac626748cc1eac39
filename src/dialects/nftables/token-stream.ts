/**
 * A token cursor with nft's `define` variables expanded in place (`$name` → the tokens of its value)
 * and an internal exception for syntax errors, caught per statement so the rest of the file parses.
 */
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { type Token, describeToken, tokenSpan } from './lexer.js';

/** Raised inside the parser for one bad statement; never escapes the parser. */
export class SyntaxFailure extends Error {
  constructor(readonly diagnostic: Diagnostic | undefined) {
    super(diagnostic?.message ?? 'syntax error after an earlier error');
  }
}

interface PoisonToken extends Token {
  readonly poison: true;
}

export function isPoison(t: Token): boolean {
  return (t as Partial<PoisonToken>).poison === true;
}

export class TokenStream {
  private tokens: Token[];
  pos = 0;
  /** Brace nesting at the cursor, for error recovery inside nested blocks. */
  depth = 0;
  readonly defines = new Map<string, Token[]>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  /** The k-th token ahead, expanding `$var` references on the way. */
  peek(k = 0): Token {
    for (let i = 0; i <= k; i++) this.expandAt(this.pos + i);
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    if (t.kind === 'punct') {
      if (t.text === '{') this.depth++;
      else if (t.text === '}') this.depth--;
    }
    return t;
  }

  /** Replaces the tokens from `start` (inclusive) to the cursor with `insert`, and moves the cursor to `start`. */
  splice(start: number, deleteCount: number, insert: readonly Token[]): void {
    this.tokens.splice(start, deleteCount, ...insert);
    this.pos = start;
  }

  private expandAt(i: number): void {
    for (let guard = 0; guard < 64; guard++) {
      const t = this.tokens[i];
      const name = this.tokens[i + 1];
      if (!t || t.kind !== 'punct' || t.text !== '$' || !name || name.kind !== 'word' || name.spaced) return;
      const value = this.defines.get(name.text);
      if (value === undefined) {
        this.diagnostics.push(error('nftables/undefined-variable', `undefined variable '$${name.text}': expected a name given by 'define' earlier in the file`, tokenSpan(t, name)));
        const poison: PoisonToken = { ...name, text: `$${name.text}`, start: t.start, poison: true };
        this.tokens.splice(i, 2, poison);
        return;
      }
      this.tokens.splice(i, 2, ...value);
    }
  }

  at(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === 'word' || t.kind === 'punct') && t.text === text;
  }

  atWord(k = 0): boolean {
    return this.peek(k).kind === 'word';
  }

  accept(text: string): Token | undefined {
    return this.at(text) ? this.next() : undefined;
  }

  expect(text: string, what = `'${text}'`): Token {
    if (this.at(text)) return this.next();
    return this.fail(`expected ${what}, got ${describeToken(this.peek())}`, this.peek());
  }

  /** A name: a word or a quoted string. */
  expectName(what: string): Token {
    const t = this.peek();
    if (t.kind === 'word' || t.kind === 'string') return this.next();
    return this.fail(`expected ${what}, got ${describeToken(t)}`, t);
  }

  fail(message: string, at: Token, code = 'nftables/syntax', last?: Token): never {
    if (isPoison(at)) throw new SyntaxFailure(undefined);
    throw new SyntaxFailure(error(code, message, tokenSpan(at, last ?? at)));
  }

  /** Records an error without stopping the parse. */
  report(code: string, message: string, span: Span | undefined): void {
    this.diagnostics.push(span === undefined ? error(code, message) : error(code, message, span));
  }

  skipNewlines(): void {
    while (this.peek().kind === 'newline' || this.at(';')) this.next();
  }

  /** True at the end of a statement list: newline, `;`, `}` or end of file. */
  atEnd(): boolean {
    const t = this.peek();
    return t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
  }

  /** Skips to the end of the statement at brace depth `target` (error recovery). */
  recover(target = this.depth): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (this.depth <= target && (t.kind === 'newline' || (t.kind === 'punct' && (t.text === ';' || t.text === '}')))) return;
      this.next();
    }
  }

  /** Source text between two tokens (inclusive), on one line when they share it. */
  textBetween(first: Token, last: Token): string {
    if (first.file === last.file && last.end >= first.start) {
      return first.file.text.slice(first.start, last.end).replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
    }
    return first.text;
  }

  previous(): Token {
    return this.tokens[Math.max(0, this.pos - 1)] as Token;
  }
}
