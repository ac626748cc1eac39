/**
 * A match statement (`left op right`) as a model Match: the selector's target and dependencies,
 * the right-hand values (literals, anonymous and named sets, concatenations) and the operator.
 */
import { addressDomain, type Family } from '../../model/address.js';
import { fromIntervals } from '../../model/interval-set.js';
import {
  type Match, ANY, NUM_FIELDS, and, bits, iface, not, numSet, opaque, or, addr, ctstatus,
} from '../../model/match.js';
import type { Datatype } from './datatypes.js';
import { type Comparison, type Iv, type SetResolver, type Values, composeAffine, maskBlocks, satisfyingIntervals, testComparison, valuesOf } from './convert-values.js';
import { type Resolved, type Target, resolveSelector } from './convert-targets.js';
import { typeOfExpr } from './selectors.js';
import type { Expr, NftFamily, RelOp } from './syntax.js';

export interface MatchEnv {
  readonly family: NftFamily;
  /** IP family established by earlier statements of the rule (`meta nfproto ipv4 …`). */
  readonly context?: Family;
  readonly sets: SetResolver;
  /** Reports a value that does not fit its type (also a checker error); the match becomes opaque. */
  readonly text: string;
}

const ENUM_LIMIT = 1n << 16n;
const CT_STATUS_NAMES: readonly (readonly [bigint, 'expected' | 'seen-reply' | 'assured' | 'confirmed' | 'snat' | 'dnat'])[] = [
  [0x1n, 'expected'], [0x2n, 'seen-reply'], [0x4n, 'assured'], [0x8n, 'confirmed'], [0x10n, 'snat'], [0x20n, 'dnat'],
];

function normalizeIvs(ivs: readonly Iv[]): Iv[] {
  const sorted = [...ivs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) { if (hi > last[1]) last[1] = hi; } else out.push([lo, hi]);
  }
  return out;
}

function macMatch(value: bigint): Match {
  return { kind: 'mac', value: Number(value) };
}

/** Peels `sel & m | x …` into the selector and the affine/shift transform applied to it. */
function peel(left: Expr, family: NftFamily, sets: SetResolver): { sel: Expr; cmp: Pick<Comparison, 'affine' | 'shifts'> } | string {
  const ops: [Extract<Expr, { kind: 'binop' }>['op'], Expr][] = [];
  let cur = left;
  while (cur.kind === 'binop') {
    ops.unshift([cur.op, cur.right]);
    cur = cur.left;
  }
  if (ops.length === 0) return { sel: cur, cmp: {} };
  const t = typeOfExpr(cur, family);
  const bitsW = t.bits > 0 ? t.bits : 32;
  let affine = { and: (1n << BigInt(bitsW)) - 1n, xor: 0n };
  const shifts: [Extract<Expr, { kind: 'binop' }>['op'], bigint][] = [];
  for (const [op, operand] of ops) {
    const v = valuesOf(operand, op === '<<' || op === '>>' ? { ...t, kind: 'integer', symbols: new Map() } as Datatype : t, sets);
    if (v.kind !== 'ints' || v.ivs.length !== 1) return `operand of '${op}' is not a constant`;
    const m = v.ivs[0]?.[0] ?? 0n;
    if (op === '<<' || op === '>>') { shifts.push([op, m]); continue; }
    if (shifts.length > 0) return 'bit operations after a shift are not modelled';
    const next = composeAffine(affine, op, m, bitsW);
    if (!next) return `operator ${op} is not modelled`;
    affine = next;
  }
  return { sel: cur, cmp: { affine, ...(shifts.length > 0 ? { shifts } : {}) } };
}

function ivsToBits(field: 'tcpFlags' | 'mark' | 'connmark' | 'tos', width: number, ivs: readonly Iv[], c: Comparison): Match {
  const full = (1n << BigInt(width)) - 1n;
  const a = c.affine?.and ?? full;
  const x = c.affine?.xor ?? 0n;
  const out: Match[] = [];
  for (const [lo, hi] of ivs) {
    for (const [m, v] of maskBlocks(lo, hi, width)) {
      const mask = a & m;
      const value = v ^ (x & m);
      if ((value & ~mask & m) !== 0n) continue;
      out.push(bits(field, Number(mask), Number(value & mask)));
    }
  }
  return or(...out);
}

function buildTarget(target: Target, c: Comparison, vals: Values & { kind: 'ints' | 'names' }, raw: Datatype, text: string): Match {
  const plain = c.affine === undefined && c.shifts === undefined && c.anyBits === undefined;
  if (vals.kind === 'names') {
    if (target.kind !== 'iface') return opaque('names compared with a numeric field', text);
    if (c.op !== '==' && c.op !== '!=' && c.op !== 'implicit') return opaque(`interface names compared with ${c.op}`, text);
    const m = or(...vals.names.map((n) => iface(target.dir, n.value, n.wildcard)));
    return c.op === '!=' ? not(m) : m;
  }
  switch (target.kind) {
    case 'opaque': return opaque(target.reason, text);
    case 'iface': return opaque('interface index compared as a number', text);
    case 'num': {
      const d = NUM_FIELDS[target.field];
      const off = target.offset ?? 0n;
      const rawMax = raw.bits > 0 && raw.bits < 64 ? (1n << BigInt(raw.bits)) - 1n : BigInt(d.max);
      if (plain) {
        if (c.op === '!=') return not(buildTarget(target, { ...c, op: '==' }, vals, raw, text));
        const ivs = satisfyingIntervals(c, rawMax).map(([lo, hi]) => [Number(lo + off), Number(hi + off > BigInt(d.max) ? BigInt(d.max) : hi + off)] as const)
          .filter(([lo]) => lo <= d.max);
        return numSet(target.field, fromIntervals(d, ivs));
      }
      if (rawMax >= ENUM_LIMIT) return opaque('bit operations on a wide field are not modelled', text);
      const ivs: [number, number][] = [];
      for (let v = 0n; v <= rawMax; v++) {
        if (!testComparison(c, v)) continue;
        const mv = Number(v + off);
        const last = ivs[ivs.length - 1];
        if (last && last[1] === mv - 1) last[1] = mv;
        else ivs.push([mv, mv]);
      }
      return numSet(target.field, fromIntervals(d, ivs));
    }
    case 'addr': {
      const fam: Family = target.family;
      if (c.shifts !== undefined || c.anyBits !== undefined) return opaque('bit operations on an address are not modelled', text);
      if (c.affine !== undefined) {
        const width = fam === 'ipv4' ? 32 : 128;
        const m = c.affine.and;
        const len = (m.toString(2).match(/^1*/)?.[0].length ?? 0);
        const isPrefix = m === 0n ? true : m.toString(2).length === width && /^1*0*$/.test(m.toString(2));
        if (!isPrefix || c.affine.xor !== 0n || (c.op !== '==' && c.op !== '!=' && c.op !== 'implicit')) return opaque('a non-prefix address mask is not modelled', text);
        const plen = m === 0n ? 0 : len;
        const host = BigInt(width - plen);
        const blocks = vals.ivs.filter(([lo, hi]) => lo === hi && ((lo >> host) << host) === lo).map(([lo]) => [lo, lo | ((1n << host) - 1n)] as Iv);
        const mm = addr(target.field, { family: fam, set: fromIntervals(addressDomain[fam], blocks) });
        return c.op === '!=' ? not(mm) : mm;
      }
      if (c.op === '!=') return not(buildTarget(target, { ...c, op: '==' }, vals, raw, text));
      const max = fam === 'ipv4' ? (1n << 32n) - 1n : (1n << 128n) - 1n;
      return addr(target.field, { family: fam, set: fromIntervals(addressDomain[fam], satisfyingIntervals(c, max)) });
    }
    case 'bits': {
      const full = (1n << BigInt(target.width)) - 1n;
      if (c.shifts !== undefined) return opaque('shifted bit fields are not modelled', text);
      if (c.anyBits !== undefined) {
        const a = (c.affine?.and ?? full) & c.anyBits;
        const x = (c.affine?.xor ?? 0n) & c.anyBits;
        if ((x & ~a) !== 0n) return ANY;
        return not(bits(target.field, Number(a), Number(x)));
      }
      if (c.op === '!=') return not(buildTarget(target, { ...c, op: '==' }, vals, raw, text));
      const ivs = satisfyingIntervals({ op: c.op, ivs: c.ivs }, full);
      return ivsToBits(target.field, target.width, ivs, c);
    }
    case 'enum': {
      const hits = target.values.filter(([v]) => testComparison(c, v)).map(([, m]) => m);
      if (hits.length === target.values.length) return ANY;
      return or(...hits);
    }
    case 'mac': {
      if (!plain || (c.op !== '==' && c.op !== '!=' && c.op !== 'implicit')) return opaque(`MAC address compared with ${c.op}`, text);
      if (vals.ivs.some(([lo, hi]) => lo !== hi)) return opaque('MAC address ranges are not modelled', text);
      const m = or(...vals.ivs.map(([v]) => macMatch(v)));
      return c.op === '!=' ? not(m) : m;
    }
    case 'ctstatus': {
      if (c.anyBits === undefined || c.affine !== undefined) return opaque(`ct status compared with ${c.op === 'implicit' ? 'a set' : c.op} is not modelled`, text);
      const names = CT_STATUS_NAMES.filter(([b]) => ((c.anyBits as bigint) & b) !== 0n).map(([, n]) => n);
      if (names.length === 0) return opaque('ct status bits outside the model (dying, …)', text);
      return ctstatus(...names);
    }
    default: return opaque('unsupported target', text);
  }
}

/** One comparison of a (non-concatenated) selector expression with values. */
export function compareSelector(left: Expr, op: RelOp, right: Expr, env: MatchEnv): Match {
  const peeled = peel(left, env.family, env.sets);
  if (typeof peeled === 'string') return opaque(peeled, env.text);
  const { sel, cmp } = peeled;
  const resolved: Resolved = resolveSelector(sel, env.family, env.context);
  const t = typeOfExpr(sel, env.family);
  if (resolved.target.kind === 'opaque') return and(resolved.deps, opaque(resolved.target.reason, env.text));
  const vals = valuesOf(right, t, env.sets);
  if (vals.kind === 'error') return and(resolved.deps, opaque(`value not understood: ${vals.message}`, env.text));
  const isBitmask = t.kind === 'bitmask';
  if (op === '!') {
    // `tcp flags ! syn,ack`: none of the bits (nft allows `!` only before one bitmask value).
    if (!isBitmask || vals.kind !== 'ints' || vals.isSet) return and(resolved.deps, opaque("'!' needs one bitmask value", env.text));
    const any: Comparison = { op: 'implicit', ivs: normalizeIvs(vals.ivs), ...cmp, anyBits: vals.ivs[0]?.[0] ?? 0n };
    return and(resolved.deps, not(buildTarget(resolved.target, any, vals, t, env.text)));
  }
  let c: Comparison = { op, ivs: vals.kind === 'ints' ? normalizeIvs(vals.ivs) : [], ...cmp };
  if (op === 'implicit' && isBitmask && !vals.isSet && vals.kind === 'ints') {
    c = { ...c, anyBits: vals.ivs[0]?.[0] ?? 0n };
  }
  if ((op === '<' || op === '>' || op === '<=' || op === '>=') && (vals.kind !== 'ints' || vals.ivs.length !== 1)) {
    return and(resolved.deps, opaque(`'${op}' needs a single value`, env.text));
  }
  return and(resolved.deps, buildTarget(resolved.target, c, vals, t, env.text));
}

/** Element-wise match of a concatenation against concatenated values (`ip saddr . tcp dport { a . 22, … }`). */
function compareConcat(left: Extract<Expr, { kind: 'concat' }>, op: RelOp, right: Expr, env: MatchEnv): Match {
  const elems = right.kind === 'set' ? flattenSet(right.items) : right.kind === 'setref' ? env.sets(right.name) : [right];
  if (typeof elems === 'string') return opaque(elems, env.text);
  const rows: Match[] = [];
  for (const el of elems) {
    const key = el.kind === 'elem' ? el.value : el.kind === 'mapping' ? (el.key.kind === 'elem' ? el.key.value : el.key) : el;
    if (key.kind === 'wildcard') { rows.push(and(...left.items.map((s) => resolveSelector(s, env.family).deps))); continue; }
    if (key.kind !== 'concat' || key.items.length !== left.items.length) return opaque('concatenated value does not match the selector', env.text);
    rows.push(and(...left.items.map((sel, i) => compareSelector(sel, '==', key.items[i] as Expr, env))));
  }
  const m = or(...rows);
  if (op !== '!=') return m;
  // The selectors' dependencies (`tcp` for `tcp dport`, the family in inet) stay outside the negation:
  // `ip saddr . tcp dport != { … }` never matches a UDP packet (found by the kernel harness).
  const deps = left.items.map((sel) => resolveSelector(sel, env.family, env.context).deps);
  return and(...deps, not(m));
}

export function flattenSet(items: readonly Expr[]): Expr[] {
  return items.flatMap((i) => (i.kind === 'set' ? flattenSet(i.items) : [i]));
}

/** The model Match of `left op right`. */
export function convertMatch(left: Expr, op: RelOp, right: Expr, env: MatchEnv): Match {
  if (left.kind === 'concat') return compareConcat(left, op, right, env);
  return compareSelector(left, op, right, env);
}

/** The match of one verdict-map key (`key` compared for equality with an element key). */
export function keyMatch(left: Expr, key: Expr, env: MatchEnv): Match {
  if (key.kind === 'wildcard') {
    const sels = left.kind === 'concat' ? left.items : [left];
    return and(...sels.map((s) => resolveSelector(s, env.family).deps));
  }
  if (left.kind === 'concat') return compareConcat(left, '==', key, env);
  return compareSelector(left, '==', key, env);
}

