/**
 * Right-hand values as integer intervals (or names, for interface and string types), and the
 * comparison a match statement performs, as a predicate over the field's raw value.
 */
import { type Datatype, maxValue, parseScalar } from './datatypes.js';
import type { BinOp, Expr, RelOp } from './syntax.js';

export type Iv = readonly [bigint, bigint];

export interface Name {
  readonly value: string;
  readonly wildcard: boolean;
}

export type Values =
  | { readonly kind: 'ints'; readonly ivs: readonly Iv[]; readonly isSet: boolean }
  | { readonly kind: 'names'; readonly names: readonly Name[]; readonly isSet: boolean }
  | { readonly kind: 'error'; readonly message: string; readonly expr: Expr };

/** Resolves `@name` to the elements of a named set (undefined: unknown or not inlinable). */
export type SetResolver = (name: string) => readonly Expr[] | string;

function bad(message: string, expr: Expr): Values {
  return { kind: 'error', message, expr };
}

function leafInt(e: Expr, t: Datatype): bigint | string {
  if (e.kind !== 'value') return `expected a ${t.name} value, got an expression`;
  const r = parseScalar(t, e.text, e.quoted);
  if (!r.ok) return r.message;
  if (r.scalar.kind !== 'int') return `expected a numeric ${t.name}, got '${e.text}'`;
  return r.scalar.value;
}

function prefixInterval(v: bigint, len: number, bits: number): Iv | string {
  if (len > bits) return `prefix length ${len} is longer than the ${bits} bits of the value`;
  const host = BigInt(bits - len);
  const lo = (v >> host) << host;
  return [lo, lo | ((1n << host) - 1n)];
}

function mergeInts(parts: readonly Values[], isSet: boolean, e: Expr): Values {
  const ivs: Iv[] = [];
  const names: Name[] = [];
  for (const p of parts) {
    if (p.kind === 'error') return p;
    if (p.kind === 'ints') ivs.push(...p.ivs);
    else names.push(...p.names);
  }
  if (names.length > 0 && ivs.length > 0) return bad('mixed names and numbers in one set', e);
  return names.length > 0 ? { kind: 'names', names, isSet } : { kind: 'ints', ivs, isSet };
}

/** The values an expression stands for, as a value of type `t`. */
export function valuesOf(e: Expr, t: Datatype, sets: SetResolver): Values {
  switch (e.kind) {
    case 'value': {
      const r = parseScalar(t, e.text, e.quoted);
      if (!r.ok) return bad(r.message, e);
      if (r.scalar.kind === 'str') return { kind: 'names', names: [{ value: r.scalar.value, wildcard: r.scalar.wildcard }], isSet: false };
      return { kind: 'ints', ivs: [[r.scalar.value, r.scalar.value]], isSet: false };
    }
    case 'prefix': {
      const v = leafInt(e.expr, t);
      if (typeof v === 'string') return bad(v, e);
      const iv = prefixInterval(v, e.len, t.bits);
      return typeof iv === 'string' ? bad(iv, e) : { kind: 'ints', ivs: [iv], isSet: false };
    }
    case 'range': {
      const lo = valuesOf(e.lo, t, sets);
      const hi = valuesOf(e.hi, t, sets);
      if (lo.kind === 'error') return lo;
      if (hi.kind === 'error') return hi;
      if (lo.kind !== 'ints' || hi.kind !== 'ints') return bad(`a range needs numeric bounds of type ${t.name}`, e);
      const a = lo.ivs[0]?.[0] ?? 0n;
      const b = hi.ivs[hi.ivs.length - 1]?.[1] ?? 0n;
      if (a > b) return bad(`range ${a}-${b} is reversed: expected the low bound first`, e);
      return { kind: 'ints', ivs: [[a, b]], isSet: false };
    }
    case 'set': return mergeInts(e.items.map((i) => valuesOf(i, t, sets)), true, e);
    case 'list': {
      const parts = e.items.map((i) => valuesOf(i, t, sets));
      if (t.kind !== 'bitmask') return mergeInts(parts, false, e);
      let acc = 0n;
      for (const p of parts) {
        if (p.kind === 'error') return p;
        if (p.kind !== 'ints' || p.ivs.length !== 1 || p.ivs[0]?.[0] !== p.ivs[0]?.[1]) return bad('expected flag names', e);
        acc |= p.ivs[0]?.[0] ?? 0n;
      }
      return { kind: 'ints', ivs: [[acc, acc]], isSet: false };
    }
    case 'binop': {
      const l = valuesOf(e.left, t, sets);
      const r = valuesOf(e.right, t, sets);
      if (l.kind !== 'ints' || r.kind !== 'ints' || l.ivs.length !== 1 || r.ivs.length !== 1) return bad('expected constant operands', e);
      const a = l.ivs[0]?.[0] ?? 0n;
      const b = r.ivs[0]?.[0] ?? 0n;
      const v = applyOp(e.op, a, b, t.bits);
      return { kind: 'ints', ivs: [[v, v]], isSet: false };
    }
    case 'setref': {
      const elems = sets(e.name);
      if (typeof elems === 'string') return bad(elems, e);
      const v = mergeInts(elems.map((i) => valuesOf(i, t, sets)), true, e);
      return v;
    }
    case 'elem': return valuesOf(e.value, t, sets);
    case 'mapping': return valuesOf(e.key, t, sets);
    case 'wildcard': return { kind: 'ints', ivs: [[0n, maxValue(t)]], isSet: true };
    default: return bad(`expected a value of type ${t.name}, got an expression`, e);
  }
}

export function applyOp(op: BinOp, a: bigint, b: bigint, bits: number): bigint {
  const max = bits >= 128 ? (1n << 128n) - 1n : (1n << BigInt(bits)) - 1n;
  switch (op) {
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '<<': return (a << b) & max;
    case '>>': return a >> b;
    default: return a;
  }
}

/** `f(x) = (x & and) ^ xor`: the shape every chain of &, | and ^ with constants reduces to. */
export interface Affine {
  readonly and: bigint;
  readonly xor: bigint;
}

export function composeAffine(f: Affine, op: BinOp, m: bigint, bits: number): Affine | undefined {
  const full = (1n << BigInt(bits)) - 1n;
  switch (op) {
    case '&': return { and: f.and & m, xor: f.xor & m };
    case '|': return { and: f.and & (full ^ m), xor: (f.xor & (full ^ m)) | m };
    case '^': return { and: f.and, xor: f.xor ^ m };
    default: return undefined;
  }
}

/** A comparison `f(x) op values`, testable on any raw value. */
export interface Comparison {
  readonly op: RelOp;
  readonly ivs: readonly Iv[];
  /** The flags of `ct state established,related` (implicit op on a bitmask): any of these bits. */
  readonly anyBits?: bigint;
  readonly affine?: Affine;
  /** Shifts applied after the affine part (`(@nh,8,8 & 0xfc) >> 2`). */
  readonly shifts?: readonly (readonly [BinOp, bigint])[];
}

export function transform(c: Comparison, x: bigint): bigint {
  let y = c.affine ? (x & c.affine.and) ^ c.affine.xor : x;
  for (const [op, n] of c.shifts ?? []) y = op === '<<' ? y << n : y >> n;
  return y;
}

export function testComparison(c: Comparison, x: bigint): boolean {
  const y = transform(c, x);
  if (c.anyBits !== undefined) return (y & c.anyBits) !== 0n;
  const inSet = c.ivs.some(([lo, hi]) => y >= lo && y <= hi);
  const v = c.ivs[0]?.[0] ?? 0n;
  switch (c.op) {
    case '==': case 'implicit': return inSet;
    case '!=': return !inSet;
    case '<': return y < v;
    case '>': return y > v;
    case '<=': return y <= v;
    case '>=': return y >= v;
    default: return false;
  }
}

/** The raw values (as intervals within [0, max]) that satisfy a comparison without transforms. */
export function satisfyingIntervals(c: Comparison, max: bigint): Iv[] {
  const v = c.ivs[0]?.[0] ?? 0n;
  const clip = (ivs: readonly Iv[]): Iv[] => ivs.filter(([lo]) => lo <= max).map(([lo, hi]) => [lo, hi > max ? max : hi] as Iv);
  switch (c.op) {
    case '==': case 'implicit': return clip(c.ivs);
    case '!=': return complementIvs(clip(c.ivs), max);
    case '<': return v === 0n ? [] : clip([[0n, v - 1n]]);
    case '<=': return clip([[0n, v]]);
    case '>': return v >= max ? [] : [[v + 1n, max]];
    case '>=': return v > max ? [] : [[v, max]];
    default: return [];
  }
}

export function complementIvs(ivs: readonly Iv[], max: bigint): Iv[] {
  const sorted = [...ivs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Iv[] = [];
  let next = 0n;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1n]);
    if (hi + 1n > next) next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

/** Prefix blocks `(x & mask) == value` covering [lo, hi] exactly, for a `bits`-wide field. */
export function maskBlocks(lo: bigint, hi: bigint, bits: number): [bigint, bigint][] {
  const full = (1n << BigInt(bits)) - 1n;
  const out: [bigint, bigint][] = [];
  let cur = lo;
  while (cur <= hi) {
    let size = 0n;
    while (size < BigInt(bits)) {
      const blockLen = 1n << (size + 1n);
      if (cur % blockLen !== 0n || cur + blockLen - 1n > hi) break;
      size++;
    }
    const mask = full ^ ((1n << size) - 1n);
    out.push([mask, cur]);
    cur += 1n << size;
  }
  return out;
}
