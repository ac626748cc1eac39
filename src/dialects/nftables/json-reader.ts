/**
 * A JSON reader that remembers where each object and array starts, so that diagnostics about
 * `nft -j` input can point at a line and column. Errors are returned, never thrown.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface JsonDocument {
  readonly value: Json | undefined;
  /** Offset of the `{` or `[` of every object and array. */
  readonly offsets: Map<object, number>;
  readonly error?: { readonly message: string; readonly offset: number };
}

class Reader {
  i = 0;
  readonly offsets = new Map<object, number>();
  constructor(readonly s: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.i);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(): Json {
    this.ws();
    const c = this.s[this.i];
    switch (c) {
      case '{': return this.object();
      case '[': return this.array();
      case '"': return this.string();
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'n': return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(`expected a JSON value, got ${c === undefined ? 'end of input' : `'${c}'`}`);
    }
  }

  literal<T extends Json>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    return this.fail(`expected '${word}'`);
  }

  number(): number {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) return this.fail('expected a number');
    this.i += m[0].length;
    return Number(m[0]);
  }

  string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let start = this.i;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) return this.fail('unterminated string');
      if (c === '"') {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c === '\\') {
        out += s.slice(start, this.i);
        const e = s[this.i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = s.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          this.i += 2;
        } else return this.fail('bad escape in string');
        start = this.i;
        continue;
      }
      this.i++;
    }
  }

  array(): Json[] {
    const arr: Json[] = [];
    this.offsets.set(arr, this.i);
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') { this.i++; return arr; }
    for (;;) {
      arr.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') { this.i++; continue; }
      if (c === ']') { this.i++; return arr; }
      return this.fail(`expected ',' or ']' in an array, got ${c === undefined ? 'end of input' : `'${c}'`}`);
    }
  }

  object(): { [k: string]: Json } {
    const obj: { [k: string]: Json } = {};
    this.offsets.set(obj, this.i);
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') { this.i++; return obj; }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') return this.fail('expected a quoted key in an object');
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ':') return this.fail(`expected ':' after the key "${k}"`);
      this.i++;
      obj[k] = this.value();
      this.ws();
      const c = this.s[this.i];
      if (c === ',') { this.i++; continue; }
      if (c === '}') { this.i++; return obj; }
      return this.fail(`expected ',' or '}' in an object, got ${c === undefined ? 'end of input' : `'${c}'`}`);
    }
  }
}

class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

export function readJson(text: string): JsonDocument {
  const r = new Reader(text);
  try {
    const value = r.value();
    r.ws();
    if (r.i < text.length) return { value, offsets: r.offsets, error: { message: 'unexpected text after the JSON document', offset: r.i } };
    return { value, offsets: r.offsets };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { value: undefined, offsets: r.offsets, error: { message: e.message, offset: e.offset } };
    throw e;
  }
}

export function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
