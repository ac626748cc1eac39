/**
 * Expressions: left-hand selectors combined with `.` and bit operators, and right-hand values
 * (literals, ranges, prefixes, comma lists, anonymous sets and maps, `@set` references), typed by
 * the selector they are compared with so that `1-100`, `10.0.0.0/8` and `echo-request` split correctly.
 */
import type { Span } from '../../diagnostics/source.js';
import { type Datatype, INVALID, parseScalar } from './datatypes.js';
import { type Token, describeToken, tokenSpan } from './lexer.js';
import { parseSelector, selectorAhead } from './parse-selector.js';
import { dict, typeOfExpr } from './selectors.js';
import type { BinOp, ElemOption, Expr, NftFamily, Stmt, VerdictName } from './syntax.js';
import type { TokenStream } from './token-stream.js';

export interface ExprEnv {
  family: NftFamily;
}

const BINOP_WORDS: Readonly<Record<string, BinOp>> = dict({ and: '&', or: '|', xor: '^', lshift: '<<', rshift: '>>' });
const PRECEDENCE: Partial<Record<string, number>> = dict({ '|': 0, '^': 1, '&': 2, '<<': 3, '>>': 3 });
const VERDICTS = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue']);
const ELEM_OPTION_WORDS = new Set(['timeout', 'expires', 'comment']);

function isAddressType(t: Datatype): boolean {
  return t.kind === 'ipv4' || t.kind === 'ipv6';
}

/** The component types of an expression (several for a concatenation). */
export function componentTypes(e: Expr, family: NftFamily): Datatype[] {
  if (e.kind === 'concat') return e.items.map((i) => typeOfExpr(i, family));
  return [typeOfExpr(e, family)];
}

export class ExprParser {
  constructor(readonly ts: TokenStream, readonly env: ExprEnv) {}

  spanFrom(first: Token): Span {
    return tokenSpan(first, this.ts.previous());
  }

  /** A left-hand side: selectors joined by `.` with bit operations (`tcp flags & (syn|ack)`). */
  parseLhs(): Expr {
    return this.parseConcat([], true);
  }

  /**
   * A right-hand value typed by `types` (one per concatenated component): `{…}` set, `@set`,
   * or a concatenation of literals with ranges and prefixes; `list` allows `a,b,c`.
   */
  parseRhs(types: readonly Datatype[], list: boolean): Expr {
    const first = this.ts.peek();
    if (this.ts.at('{')) return this.parseSetBlock(types, undefined);
    if (this.ts.at('@') && !selectorAhead(this.ts)) return this.parseSetRef();
    const item = this.parseConcat(types, false);
    if (!list || !this.ts.at(',')) return item;
    const items = [item];
    while (this.ts.accept(',')) {
      this.ts.skipNewlines();
      items.push(this.parseConcat(types, false));
    }
    return { kind: 'list', items, span: this.spanFrom(first) };
  }

  /** A value or a selector expression (statement arguments: `meta mark set ct mark | 1`, `dnat to ip saddr map {…}`). */
  parseGeneral(resultTypes: readonly Datatype[]): Expr {
    const first = this.ts.peek();
    if (this.ts.at('{')) return this.parseSetBlock(resultTypes, undefined);
    let key = this.parseConcat(resultTypes, true);
    if (this.ts.at(',') && resultTypes.length === 1 && resultTypes[0]?.kind === 'bitmask') {
      const items = [key];
      while (this.ts.accept(',')) items.push(this.parseConcat(resultTypes, false));
      key = { kind: 'list', items, span: this.spanFrom(first) };
    }
    if (this.ts.at('map')) {
      this.ts.next();
      const keyTypes = componentTypes(key, this.env.family);
      const data = this.ts.at('@') ? this.parseSetRef() : this.parseSetBlock(keyTypes, resultTypes);
      return { kind: 'map', key, data, span: this.spanFrom(first) };
    }
    return key;
  }

  protected parseSetRef(): Expr {
    const at = this.ts.expect('@');
    const name = this.ts.expectName('a set name after @');
    return { kind: 'setref', name: name.text, span: tokenSpan(at, name) };
  }

  private parseConcat(types: readonly Datatype[], selectors: boolean): Expr {
    const first = this.ts.peek();
    const items = [this.parseRange(types[0] ?? INVALID, selectors)];
    while (this.ts.at('.')) {
      this.ts.next();
      items.push(this.parseRange(types[items.length] ?? INVALID, selectors));
    }
    return items.length === 1 ? (items[0] as Expr) : { kind: 'concat', items, span: this.spanFrom(first) };
  }

  private parseRange(t: Datatype, selectors: boolean): Expr {
    const first = this.ts.peek();
    const lo = this.parseBinop(0, t, selectors);
    if (lo.kind === 'value' && !lo.quoted && lo.text.endsWith('-') && this.ts.peek().kind === 'word') {
      const hi = this.parseBinop(0, t, false);
      return { kind: 'range', lo: { ...lo, text: lo.text.slice(0, -1) }, hi, span: this.spanFrom(first) };
    }
    if (this.ts.at('-') && lo.kind !== 'range') {
      this.ts.next();
      const hi = this.parseBinop(0, t, false);
      return { kind: 'range', lo, hi, span: this.spanFrom(first) };
    }
    return lo;
  }

  private binopAhead(): BinOp | undefined {
    const t = this.ts.peek();
    if (t.kind === 'punct') return PRECEDENCE[t.text as BinOp] !== undefined ? (t.text as BinOp) : undefined;
    return t.kind === 'word' ? BINOP_WORDS[t.text] : undefined;
  }

  /** Bit operations by precedence climbing: `<<` `>>` bind tighter than `&`, then `^`, then `|`. */
  private parseBinop(minPrec: number, t: Datatype, selectors: boolean): Expr {
    const first = this.ts.peek();
    let left = this.parsePrimary(t, selectors);
    const leftType = left.kind === 'value' || left.kind === 'set' ? t : typeOfExpr(left, this.env.family);
    for (let op = this.binopAhead(); op !== undefined && (PRECEDENCE[op] as number) >= minPrec; op = this.binopAhead()) {
      this.ts.next();
      const right = this.parseBinop((PRECEDENCE[op] as number) + 1, op === '<<' || op === '>>' ? INVALID : leftType, selectors);
      const flags = (e: Expr): boolean => e.kind === 'value' || (e.kind === 'list' && e.items.every((i) => i.kind === 'value'));
      if (op === '|' && t.kind === 'bitmask' && flags(left) && flags(right)) {
        // `(syn | ack)` is the flag list syn,ack, as nft reads it.
        const items = [...(left.kind === 'list' ? left.items : [left]), ...(right.kind === 'list' ? right.items : [right])];
        left = { kind: 'list', items, span: this.spanFrom(first) };
        continue;
      }
      left = { kind: 'binop', op, left, right, span: this.spanFrom(first) };
    }
    return left;
  }

  private parsePrimary(t: Datatype, selectors: boolean): Expr {
    const ts = this.ts;
    const first = ts.peek();
    if (selectors && selectorAhead(ts)) return parseSelector(ts, () => this.parseConcat([], true));
    if (ts.at('(')) {
      ts.next();
      const inner = this.parseBinop(0, t, selectors);
      ts.expect(')');
      return inner;
    }
    if (ts.at('{')) return this.parseSetBlock([t], undefined);
    if (ts.at('[')) {
      ts.next();
      const v = ts.expectName('an IPv6 address');
      ts.expect(']');
      const value: Expr = { kind: 'value', text: v.text, quoted: false, span: tokenSpan(first, ts.previous()) };
      if (ts.at('/') && !ts.peek().spaced && ts.peek(1).kind === 'word' && /^\d+$/.test(ts.peek(1).text)) {
        ts.next();
        const len = Number(ts.next().text);
        return { kind: 'prefix', expr: value, len, span: tokenSpan(first, ts.previous()) };
      }
      return value;
    }
    if (ts.at('*')) {
      ts.next();
      return { kind: 'wildcard', span: tokenSpan(first) };
    }
    if (first.kind === 'string') {
      ts.next();
      return { kind: 'value', text: first.text, quoted: true, span: tokenSpan(first) };
    }
    if (first.kind === 'word') {
      ts.next();
      if (t.name === 'classid' && ts.at(':') && !ts.peek().spaced && ts.peek(1).kind === 'word' && !ts.peek(1).spaced) {
        let text = first.text;
        while (ts.at(':') && !ts.peek().spaced && ts.peek(1).kind === 'word' && !ts.peek(1).spaced) {
          ts.next();
          text += `:${ts.next().text}`;
        }
        return wordToValue({ ...first, text, end: ts.previous().end }, t);
      }
      return wordToValue(first, t);
    }
    return ts.fail(`expected a value${t.name !== 'invalid' ? ` of type ${t.name}` : ''}, got ${describeToken(first)}`, first);
  }

  /** `{ elem, elem : data, … }`; newlines are free inside the braces. */
  parseSetBlock(keyTypes: readonly Datatype[], dataTypes: readonly Datatype[] | undefined | 'verdict'): Expr {
    const ts = this.ts;
    const open = ts.expect('{');
    const items: Expr[] = [];
    ts.skipNewlines();
    while (!ts.at('}')) {
      if (ts.peek().kind === 'eof') return ts.fail("expected '}' to close the set", open);
      items.push(this.parseElement(keyTypes, dataTypes));
      ts.skipNewlines();
      if (!ts.accept(',')) break;
      ts.skipNewlines();
    }
    ts.skipNewlines();
    ts.expect('}', "',' or '}' in the set");
    return { kind: 'set', items, span: tokenSpan(open, ts.previous()) };
  }

  private parseElement(keyTypes: readonly Datatype[], dataTypes: readonly Datatype[] | undefined | 'verdict'): Expr {
    const ts = this.ts;
    const first = ts.peek();
    if (ts.at('{')) return this.parseSetBlock(keyTypes, dataTypes);
    const key = ts.at('*') ? (ts.next(), { kind: 'wildcard', span: tokenSpan(first) } as Expr) : this.parseConcat(keyTypes, false);
    const options = this.parseElemOptions();
    let out: Expr = options.length > 0 ? { kind: 'elem', value: key, options, span: this.spanFrom(first) } : key;
    if (ts.at(':')) {
      ts.next();
      const value = dataTypes === 'verdict' || (dataTypes === undefined && this.verdictAhead())
        ? this.parseVerdictExpr()
        : this.parseConcat(dataTypes ?? [], false);
      const after = this.parseElemOptions();
      out = { kind: 'mapping', key: out, value: after.length > 0 ? { kind: 'elem', value, options: after, span: this.spanFrom(first) } : value, span: this.spanFrom(first) };
    }
    return out;
  }

  private verdictAhead(): boolean {
    const t = this.ts.peek();
    return t.kind === 'word' && VERDICTS.has(t.text);
  }

  parseVerdictExpr(): Expr {
    const ts = this.ts;
    const t = ts.peek();
    if (t.kind !== 'word' || !VERDICTS.has(t.text)) {
      return ts.fail(`expected a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN), got ${describeToken(t)}`, t, 'nftables/type-mismatch');
    }
    ts.next();
    const verdict = t.text as VerdictName;
    if (verdict === 'jump' || verdict === 'goto') {
      const target = ts.expectName(`a chain name after '${verdict}'`);
      return { kind: 'verdict', verdict, target: target.text, span: tokenSpan(t, target) };
    }
    return { kind: 'verdict', verdict, span: tokenSpan(t) };
  }

  private parseElemOptions(): ElemOption[] {
    const ts = this.ts;
    const out: ElemOption[] = [];
    for (;;) {
      const t = ts.peek();
      if (t.kind !== 'word') return out;
      if (ELEM_OPTION_WORDS.has(t.text)) {
        ts.next();
        const v = ts.expectName(`a value after '${t.text}'`);
        out.push({ kind: t.text as 'timeout' | 'expires' | 'comment', value: v.text });
        continue;
      }
      const stmt = this.parseElemStmt();
      if (!stmt) return out;
      out.push({ kind: 'stmt', stmt });
    }
  }

  /** Stateful statements attached to an element (counter, limit, quota…); the statement parser provides them. */
  parseElemStmt(): Stmt | undefined {
    return undefined;
  }
}

const PREFIX_RE = /^(.+)\/(\d{1,3})$/;

/** A word as a value of type `t`, split into a prefix or a range when that is what makes it valid. */
export function wordToValue(tok: Token, t: Datatype): Expr {
  const text = tok.text;
  const span = tokenSpan(tok);
  const value = (s: string): Expr => ({ kind: 'value', text: s, quoted: false, span });
  const valid = (s: string): boolean => (t.kind === 'invalid' ? /^[0-9a-fA-F.:x]+$/.test(s) : parseScalar(t, s).ok);
  if (t.kind !== 'invalid' && parseScalar(t, text).ok) return value(text);
  const prefix = PREFIX_RE.exec(text);
  if (prefix && (isAddressType(t) || t.kind === 'invalid' || t.kind === 'integer') && valid(prefix[1] as string)) {
    return { kind: 'prefix', expr: value(prefix[1] as string), len: Number(prefix[2]), span };
  }
  if (t.kind !== 'string') {
    for (let i = text.indexOf('-', 1); i > 0; i = text.indexOf('-', i + 1)) {
      const lo = text.slice(0, i);
      const hi = text.slice(i + 1);
      if (hi.length > 0 && valid(lo) && valid(hi)) return { kind: 'range', lo: value(lo), hi: value(hi), span };
    }
  }
  return value(text);
}
