/**
 * The token stream of one command line and what every part of its reading shares: the position,
 * a pending `!`, diagnostics, and taking an option's argument the way getopt does.
 */
import { type Diagnostic, error } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { LineSpan } from './span.js';
import type { Counters, IpFamily } from './syntax.js';
import type { Token } from './tokenize.js';

export interface LineInput {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly tokens: readonly Token[];
  /** How many of `tokens` belong to the line (the array may be a longer reused buffer). */
  readonly count?: number;
  /** Index of the first argument (after a `[p:b]` prefix). */
  readonly start: number;
  readonly counters?: Counters;
  readonly family: IpFamily;
  readonly table: string;
}

const ARG_CTX: Readonly<Record<IpFamily, { readonly family: IpFamily }>> = { ipv4: { family: 'ipv4' }, ipv6: { family: 'ipv6' } };

const NO_INPUT: LineInput = { file: '', line: 0, text: '', tokens: [], start: 0, family: 'ipv4', table: '' };

/** An option argument; its span is made only when a message needs it. */
export class Arg {
  constructor(readonly text: string, readonly tok: Token, private readonly c: LineCursor) {}

  get span(): Span {
    return this.c.span(this.tok);
  }
}

/**
 * A cursor is reused from line to line (one object per parser instead of one per line of a
 * large file): `reset` points it at the next line and clears everything the last one left.
 */
export abstract class LineCursor {
  protected input: LineInput = NO_INPUT;
  protected out: Diagnostic[] = [];
  protected toks: readonly Token[] = NO_INPUT.tokens;
  protected n = 0;
  protected i = 0;
  protected failed = false;
  protected invert = false;
  protected invertTok: Token | undefined;
  /** After an unknown match module: its options are skipped without more errors. */
  protected skipping = false;
  protected argCtx: { readonly family: IpFamily } = ARG_CTX.ipv4;

  constructor(input: LineInput, out: Diagnostic[]) {
    this.point(input, out);
  }

  /** Points the cursor at a line (not overridable: the constructor calls it). */
  private point(input: LineInput, out: Diagnostic[]): void {
    this.input = input;
    this.out = out;
    this.toks = input.tokens;
    this.n = input.count ?? input.tokens.length;
    this.i = input.start;
    this.argCtx = ARG_CTX[input.family];
  }

  /** Forgets the last line (the cursor outlives it). */
  protected release(): void {
    this.input = NO_INPUT;
    this.out = [];
    this.toks = NO_INPUT.tokens;
    this.n = 0;
    this.invertTok = undefined;
  }

  protected reset(input: LineInput, out: Diagnostic[]): void {
    this.point(input, out);
    this.failed = false;
    this.invert = false;
    this.invertTok = undefined;
    this.skipping = false;
  }

  span(t: Token): Span {
    return new LineSpan(this.input.file, this.input.line, t.col, t.len);
  }

  protected err(code: string, message: string, span: Span): void {
    this.failed = true;
    this.out.push(error(code, message, span));
  }

  /** After an unknown option, its non-option arguments belong to it. */
  protected skipArgs(): void {
    while (this.i < this.n) {
      const x = (this.toks[this.i] as Token).text;
      if (x === '!' || (x.length > 1 && x[0] === '-')) return;
      this.i++;
    }
  }

  /** The required argument of an option: attached (`--x=v`, `-pv`) or the next word. */
  protected takeArg(t: Token, attached: string | undefined, what: string): Arg | undefined {
    if (attached !== undefined) return new Arg(attached, t, this);
    const next = this.i < this.n ? this.toks[this.i] : undefined;
    if (next === undefined) {
      this.err('iptables/missing-argument', `${what} requires an argument`, this.span(t));
      return undefined;
    }
    this.i++;
    return new Arg(next.text, next, this);
  }

  /** An optional positional word (`-I chain [n]`, `-F [chain]`): present unless it looks like an option. */
  protected peekWord(): Token | undefined {
    const next = this.i < this.n ? this.toks[this.i] : undefined;
    if (next === undefined || next.text.startsWith('-') || next.text.startsWith('!')) return undefined;
    return next;
  }

  protected takeInvert(what: string, t: Token, invertible: boolean): boolean {
    const inv = this.invert;
    this.invert = false;
    if (inv && !invertible) this.err('iptables/cannot-invert', `'!' is not allowed before ${what}`, this.span(this.invertTok ?? t));
    return inv && invertible;
  }
}
