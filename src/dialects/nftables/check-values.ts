/** Type checks of right-hand values, set elements and map data against the datatypes they must have. */
import { type Datatype, INVALID, parseScalar } from './datatypes.js';
import type { Checker } from './check.js';
import { componentTypes } from './parse-expr.js';
import type { Expr, RelOp } from './syntax.js';

export interface ValueOpts {
  readonly inSet: boolean;
  readonly interval: boolean;
  readonly op?: RelOp;
  /** Statement arguments (`meta mark set …`, `dnat to …`): selectors and maps are allowed. */
  readonly general?: boolean;
}

const SELECTOR_KINDS = new Set(['payload', 'raw', 'exthdr', 'meta', 'ct', 'fib', 'rt', 'special']);

function scalarValue(t: Datatype, e: Extract<Expr, { kind: 'value' }>): bigint | undefined {
  const r = parseScalar(t, e.text, e.quoted);
  return r.ok && r.scalar.kind === 'int' ? r.scalar.value : undefined;
}

export function checkValue(c: Checker, e: Expr, types: readonly Datatype[], o: ValueOpts): void {
  const t = types[0] ?? INVALID;
  if (types.length > 1 && !['set', 'setref', 'concat', 'elem', 'wildcard', 'map'].includes(e.kind) && !(o.general && SELECTOR_KINDS.has(e.kind))) {
    c.err('nftables/type-mismatch', `expected a concatenation of ${types.map((x) => x.name).join(' . ')}`, e.span);
    return;
  }
  switch (e.kind) {
    case 'value': {
      if (t.kind === 'invalid' || (!e.quoted && e.text.startsWith('$'))) return;
      if (t.kind === 'verdict') {
        c.err('nftables/type-mismatch', `expected a verdict, got '${e.text}'`, e.span);
        return;
      }
      const r = parseScalar(t, e.text, e.quoted);
      if (!r.ok) c.err('nftables/type-mismatch', r.message, e.span);
      return;
    }
    case 'prefix': {
      if (t.kind !== 'ipv4' && t.kind !== 'ipv6' && t.kind !== 'integer' && t.kind !== 'invalid') {
        c.err('nftables/type-mismatch', `a prefix needs an address or integer type, not ${t.name}`, e.span);
        return;
      }
      checkValue(c, e.expr, types, o);
      if (t.bits > 0 && e.len > t.bits) c.err('nftables/type-mismatch', `prefix length ${e.len} is longer than the ${t.bits} bits of ${t.name}`, e.span);
      return;
    }
    case 'range': {
      if (o.op !== undefined && o.op !== '==' && o.op !== '!=' && o.op !== 'implicit') {
        c.err('nftables/syntax', `a range cannot be compared with '${o.op}'`, e.span);
      }
      checkValue(c, e.lo, types, o);
      checkValue(c, e.hi, types, o);
      if (e.lo.kind === 'value' && e.hi.kind === 'value' && t.kind !== 'invalid' && t.name !== 'hour') {
        const lo = scalarValue(t, e.lo);
        const hi = scalarValue(t, e.hi);
        if (lo !== undefined && hi !== undefined && lo > hi) c.err('nftables/type-mismatch', `range ${e.lo.text}-${e.hi.text} is reversed: expected the low bound first`, e.span);
      }
      return;
    }
    case 'set':
      if (o.op !== undefined && o.op !== '==' && o.op !== '!=' && o.op !== 'implicit') c.err('nftables/syntax', `a set cannot be compared with '${o.op}'`, e.span);
      for (const i of e.items) checkValue(c, i, types, { ...o, inSet: true, op: '==' });
      return;
    case 'list': for (const i of e.items) checkValue(c, i, types, o); return;
    case 'setref': c.checkSetRef(e.name, e.span, types.some((x) => x.kind === 'invalid') ? undefined : types); return;
    case 'concat': {
      if (types.length === 1 && t.kind !== 'invalid' && !o.general) {
        c.err('nftables/type-mismatch', `expected one ${t.name} value, got a concatenation of ${e.items.length}`, e.span);
        return;
      }
      if (types.length > 1 && e.items.length !== types.length) {
        c.err('nftables/type-mismatch', `expected ${types.length} concatenated values (${types.map((x) => x.name).join(' . ')}), got ${e.items.length}`, e.span);
        return;
      }
      e.items.forEach((i, k) => checkValue(c, i, [types[k] ?? INVALID], o));
      return;
    }
    case 'binop':
      checkValue(c, e.left, types, o);
      checkValue(c, e.right, e.op === '<<' || e.op === '>>' ? [INVALID] : types, o);
      return;
    case 'wildcard':
      if (!o.inSet) c.err('nftables/syntax', "'*' is only allowed as a set or map element", e.span);
      return;
    case 'elem': checkValue(c, e.value, types, o); return;
    case 'mapping': c.err('nftables/syntax', "'key : value' is only allowed in maps", e.span); return;
    case 'verdict': if (t.kind !== 'verdict' && t.kind !== 'invalid') c.err('nftables/type-mismatch', `expected a value of type ${t.name}, got the verdict '${e.verdict}'`, e.span); return;
    case 'map': {
      const keyTypes = componentTypes(e.key, c.family);
      for (const sel of e.key.kind === 'concat' ? e.key.items : [e.key]) {
        if (sel.kind === 'ct' && (sel.key === 'saddr' || sel.key === 'daddr') && sel.family === undefined) {
          c.err('nftables/type-mismatch', `ct ${sel.key} as a map key needs 'ip' or 'ip6' to know the address family`, sel.span);
        }
      }
      if (e.data.kind === 'setref') {
        c.checkSetRef(e.data.name, e.data.span, keyTypes.some((x) => x.kind === 'invalid') ? undefined : keyTypes);
        return;
      }
      if (e.data.kind !== 'set') return;
      for (const it of e.data.items) {
        if (it.kind !== 'mapping') { c.err('nftables/type-mismatch', "expected 'key : value' elements in a map", it.span ?? e.span); continue; }
        checkValue(c, it.key, keyTypes, { inSet: true, interval: true });
        checkValue(c, it.value, types, { inSet: true, interval: true });
      }
      return;
    }
    default:
      if (SELECTOR_KINDS.has(e.kind) && !o.general) {
        c.err('nftables/syntax', 'expected a constant value on the right-hand side of a comparison, got an expression', e.span);
      }
  }
}
