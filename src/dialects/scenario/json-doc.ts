/**
 * JSON for cloud exports, read so that every value keeps its JSON path (`$.SecurityGroups[0].GroupId`)
 * and its offset in the file: diagnostics about an export then name the file, the path and the
 * line:column. Syntax errors (a truncated download, a stray prompt line) are returned, never thrown.
 */
import { type Diagnostic, error, warning } from '../../diagnostics/diagnostic.js';
import { type SourceFile, type Span, spanAt } from '../../diagnostics/source.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface JsonDoc {
  readonly file: SourceFile;
  readonly root: JNode | undefined;
  /** The syntax error, when the text is not JSON. */
  readonly error?: Diagnostic;
}

/** A value of a document with where it is. */
export interface JNode {
  readonly doc: SourceFile;
  readonly value: Json;
  readonly path: string;
  readonly offset: number;
  readonly end: number;
}

class SyntaxFail extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Offsets of every value, keyed by path; filled while reading. */
type Where = Map<string, readonly [number, number]>;

class Reader {
  i = 0;
  constructor(readonly s: string, readonly where: Where) {}

  fail(message: string): never {
    throw new SyntaxFail(message, this.i);
  }

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i] as string)) this.i++;
  }

  value(path: string): Json {
    this.ws();
    const start = this.i;
    const v = this.bare(path);
    this.where.set(path, [start, this.i]);
    return v;
  }

  bare(path: string): Json {
    const c = this.s[this.i];
    switch (c) {
      case '{': return this.object(path);
      case '[': return this.array(path);
      case '"': return this.string();
      case 't': return this.word('true', true);
      case 'f': return this.word('false', false);
      case 'n': return this.word('null', null);
      case undefined: return this.fail('unexpected end of input: the file looks truncated');
      default: {
        const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
        if (!m) return this.fail(`expected a JSON value, got '${c}'`);
        this.i += m[0].length;
        return Number(m[0]);
      }
    }
  }

  word<T extends Json>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) this.fail(`expected '${w}'`);
    this.i += w.length;
    return v;
  }

  string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) return this.fail('unexpected end of input inside a string: the file looks truncated');
      if (c === '"') { this.i++; return out; }
      if (c === '\\') {
        const e = this.s[this.i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = this.s.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          this.i += 2;
        } else this.fail('bad escape in string');
      } else {
        out += c;
        this.i++;
      }
    }
  }

  object(path: string): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.ws();
    if (this.s[this.i] === '}') { this.i++; return out; }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(this.i >= this.s.length ? 'unexpected end of input: the file looks truncated' : 'expected a property name in double quotes');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected ':' after "${key}"`);
      this.i++;
      out[key] = this.value(childPath(path, key));
      this.ws();
      const c = this.s[this.i];
      if (c === ',') { this.i++; continue; }
      if (c === '}') { this.i++; return out; }
      this.fail(c === undefined ? 'unexpected end of input: the file looks truncated' : `expected ',' or '}', got '${c}'`);
    }
  }

  array(path: string): Json[] {
    this.i++;
    const out: Json[] = [];
    this.ws();
    if (this.s[this.i] === ']') { this.i++; return out; }
    for (;;) {
      out.push(this.value(`${path}[${out.length}]`));
      this.ws();
      const c = this.s[this.i];
      if (c === ',') { this.i++; continue; }
      if (c === ']') { this.i++; return out; }
      this.fail(c === undefined ? 'unexpected end of input: the file looks truncated' : `expected ',' or ']', got '${c}'`);
    }
  }
}

export function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const WHERE = new WeakMap<SourceFile, Where>();

export function readJson(file: SourceFile, code = 'cloud/bad-json'): JsonDoc {
  const where: Where = new Map();
  const r = new Reader(file.text, where);
  try {
    const value = r.value('$');
    r.ws();
    if (r.i < file.text.length) r.fail('unexpected text after the JSON value');
    WHERE.set(file, where);
    const [offset, end] = where.get('$') ?? [0, 0];
    return { file, root: { doc: file, value, path: '$', offset, end } };
  } catch (e) {
    if (!(e instanceof SyntaxFail)) throw e;
    return { file, root: undefined, error: error(code, `${file.name} is not valid JSON: ${e.message}`, spanAt(file, e.offset, e.offset + 1)) };
  }
}

export function spanOf(n: JNode): Span {
  return spanAt(n.doc, n.offset, Math.min(n.end, n.offset + 1));
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A property of an object node (undefined when absent or when `n` is not an object). */
export function field(n: JNode, key: string): JNode | undefined {
  if (!isObject(n.value) || !(key in n.value)) return undefined;
  const path = childPath(n.path, key);
  const [offset, end] = WHERE.get(n.doc)?.get(path) ?? [n.offset, n.end];
  return { doc: n.doc, value: n.value[key] as Json, path, offset, end };
}

/** The elements of an array node (empty when `n` is not an array). */
export function items(n: JNode | undefined): JNode[] {
  if (n === undefined || !Array.isArray(n.value)) return [];
  const where = WHERE.get(n.doc);
  return n.value.map((value, i) => {
    const path = `${n.path}[${i}]`;
    const [offset, end] = where?.get(path) ?? [n.offset, n.end];
    return { doc: n.doc, value, path, offset, end };
  });
}

function describe(v: Json | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

/**
 * Typed access to export nodes with diagnostics: every "expected X, got Y" names the file, the JSON
 * path and (through the span) the line and column. One per file and dialect (`aws`, `azure`, `gcp`).
 */
export class Fields {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly ns: string) {}

  error(code: string, n: JNode, message: string): void {
    this.diagnostics.push(error(`${this.ns}/${code}`, `${n.doc.name} ${n.path}: ${message}`, spanOf(n)));
  }

  warn(code: string, n: JNode, message: string): void {
    this.diagnostics.push(warning(`${this.ns}/${code}`, `${n.doc.name} ${n.path}: ${message}`, spanOf(n)));
  }

  /** Reports properties outside `known` once each (new CLI versions add fields: a warning). */
  checkKnown(n: JNode, known: readonly string[], what: string): void {
    if (!isObject(n.value)) return;
    for (const k of Object.keys(n.value)) {
      if (!known.includes(k)) {
        const f = field(n, k) as JNode;
        this.warn('unknown-field', f, `unknown field "${k}" in ${what} (ignored; expected one of ${known.join(', ')})`);
      }
    }
  }

  object(n: JNode | undefined, what: string): JNode | undefined {
    if (n === undefined) return undefined;
    if (isObject(n.value)) return n;
    this.error('bad-value', n, `expected ${what} (an object), got ${describe(n.value)}`);
    return undefined;
  }

  array(n: JNode | undefined, what: string): JNode[] {
    if (n === undefined || n.value === null) return [];
    if (Array.isArray(n.value)) return items(n);
    this.error('bad-value', n, `expected ${what} (an array), got ${describe(n.value)}`);
    return [];
  }

  /** A string property; `required` reports its absence. */
  str(n: JNode, key: string, required = false): string | undefined {
    const f = field(n, key);
    if (f === undefined || f.value === null) {
      if (required) this.error('missing-field', n, `missing required field "${key}"`);
      return undefined;
    }
    if (typeof f.value === 'string') return f.value;
    if (typeof f.value === 'number') return String(f.value);
    this.error('bad-value', f, `expected a string, got ${describe(f.value)}`);
    return undefined;
  }

  /** An integer property (numbers given as strings are accepted, as the CLIs sometimes print them). */
  int(n: JNode, key: string, required = false): number | undefined {
    const f = field(n, key);
    if (f === undefined || f.value === null) {
      if (required) this.error('missing-field', n, `missing required field "${key}"`);
      return undefined;
    }
    const v = typeof f.value === 'string' && /^-?\d+$/.test(f.value) ? Number(f.value) : f.value;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.error('bad-value', f, `expected an integer, got ${describe(f.value)}`);
    return undefined;
  }

  bool(n: JNode, key: string): boolean | undefined {
    const f = field(n, key);
    if (f === undefined || f.value === null) return undefined;
    if (typeof f.value === 'boolean') return f.value;
    this.error('bad-value', f, `expected true or false, got ${describe(f.value)}`);
    return undefined;
  }

  /** An array of strings (absent or null: empty). */
  strings(n: JNode, key: string): string[] {
    const f = field(n, key);
    if (f === undefined || f.value === null) return [];
    const out: string[] = [];
    for (const it of this.array(f, `a list of strings for "${key}"`)) {
      if (typeof it.value === 'string') out.push(it.value);
      else this.error('bad-value', it, `expected a string, got ${describe(it.value)}`);
    }
    return out;
  }
}

/** Where a native object sits in its export: for a rule's origin. */
export interface ExportLocation {
  readonly file: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export function locate(n: JNode): ExportLocation {
  const s = spanOf(n);
  return { file: n.doc.name, path: n.path, line: s.start.line, column: s.start.column };
}

/** A diagnostic about an object already read, by its location. */
export function diagnosticAt(severity: 'error' | 'warning' | 'info', code: string, at: ExportLocation, message: string): Diagnostic {
  const span: Span = { file: at.file, start: { line: at.line, column: at.column }, end: { line: at.line, column: at.column + 1 } };
  return { code, severity, message: `${at.file} ${at.path}: ${message}`, span };
}
