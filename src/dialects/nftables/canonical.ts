/**
 * A canonical spelling of statements for the texts the model carries (opaque predicates, effects):
 * `0x10` and `16`, `1m30s` and `90s` read the same, so text and JSON input give the same model.
 */
import { parseDuration } from './datatypes.js';
import type { ElemOption, Expr, SpecialArg, Stmt } from './syntax.js';

type Mapper = (e: Expr) => Expr;

export function mapExpr(e: Expr, f: Mapper): Expr {
  const m = (x: Expr): Expr => mapExpr(x, f);
  switch (e.kind) {
    case 'prefix': return f({ ...e, expr: m(e.expr) });
    case 'range': return f({ ...e, lo: m(e.lo), hi: m(e.hi) });
    case 'set': case 'list': case 'concat': return f({ ...e, items: e.items.map(m) });
    case 'binop': return f({ ...e, left: m(e.left), right: m(e.right) });
    case 'map': return f({ ...e, key: m(e.key), data: m(e.data) });
    case 'mapping': return f({ ...e, key: m(e.key), value: m(e.value) });
    case 'elem': return f({ ...e, value: m(e.value), options: e.options.map((o) => mapOption(o, f)) });
    case 'special': return f({ ...e, args: e.args.map((a) => mapArg(a, f)) });
    default: return f(e);
  }
}

function mapArg(a: SpecialArg, f: Mapper): SpecialArg {
  return typeof a.value === 'object' ? { ...a, value: mapExpr(a.value, f) } : a;
}

function mapOption(o: ElemOption, f: Mapper): ElemOption {
  if (o.kind === 'stmt') return { ...o, stmt: mapStmt(o.stmt, f) };
  if (o.kind === 'timeout' || o.kind === 'expires') return { ...o, value: canonicalTime(o.value) };
  return o;
}

export function mapStmt(s: Stmt, f: Mapper): Stmt {
  const m = (x: Expr): Expr => mapExpr(x, f);
  switch (s.kind) {
    case 'match': return { ...s, left: m(s.left), right: m(s.right) };
    case 'vmap': return { ...s, key: m(s.key), data: m(s.data) };
    case 'mangle': return { ...s, left: m(s.left), value: m(s.value) };
    case 'nat': return { ...s, ...(s.addr ? { addr: m(s.addr) } : {}), ...(s.port ? { port: m(s.port) } : {}) };
    case 'queue': return s.num ? { ...s, num: m(s.num) } : s;
    case 'dynset': return { ...s, key: m(s.key), stmts: s.stmts.map((x) => mapStmt(x, f)), ...(s.data ? { data: m(s.data) } : {}) };
    case 'objref': return { ...s, name: m(s.name) };
    case 'other': return { ...s, args: s.args.map((a) => (a.name === 'value' && typeof a.value === 'string' ? { ...a, value: canonicalTime(a.value) } : mapArg(a, f))) };
    default: return s;
  }
}

function canonicalTime(text: string): string {
  const ms = parseDuration(text);
  return ms === undefined ? text : `${ms}ms`;
}

function canonicalValue(e: Expr): Expr {
  if (e.kind === 'exthdr' && e.space === 'tcp' && e.name === 'sack0') return { ...e, name: 'sack' };
  if (e.kind !== 'value') return e;
  if (e.quoted) return /^[A-Za-z_][\w.-]*$/.test(e.text) ? { ...e, quoted: false } : e;
  if (/^0x[0-9a-f]+$/i.test(e.text)) return { ...e, text: BigInt(e.text).toString() };
  return e;
}

/**
 * The statement with numbers in decimal, times in milliseconds, plain names unquoted, `==` written
 * implicitly and default limit bursts left out: the form used in the texts the model carries.
 */
export function canonicalStmt(s: Stmt): Stmt {
  const out = mapStmt(s, canonicalValue);
  if (out.kind === 'match' && out.op === '==') return { ...out, op: 'implicit' };
  if (out.kind === 'limit' && out.burst !== undefined && out.burst === (out.unit === 'packets' ? 5 : 0)) {
    const { burst: _b, burstUnit: _u, ...rest } = out;
    return rest;
  }
  if (out.kind === 'nat') return { ...out, flags: out.flags.filter((f) => f !== 'netmap' || !out.typeFlags.includes('prefix')).sort() };
  if (out.kind === 'queue') return { ...out, flags: [...out.flags].sort(), num: out.num ?? { kind: 'value', text: '0', quoted: false } };
  if (out.kind === 'log') {
    const flags = out.options.flatMap((o) => (o.key === 'flags' ? o.value : []));
    const all = flags.includes('all') || ['tcp sequence', 'tcp options', 'ip options', 'skuid', 'ether'].every((f) => flags.includes(f));
    const order = ['prefix', 'level', 'group', 'snaplen', 'queue-threshold', 'flags'];
    const options = out.options
      .filter((o) => !(o.key === 'level' && o.value === 'warn') && o.key !== 'flags')
      .concat(flags.length > 0 ? [{ key: 'flags', value: all ? ['all'] : flags }] : [])
      .sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
    return { ...out, options };
  }
  if (out.kind === 'dynset') return { ...out, stmts: out.stmts.map(canonicalStmt) };
  return out;
}
