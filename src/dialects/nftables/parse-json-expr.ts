/**
 * Expressions and statements of the libnftables JSON schema (`nft -j`) as the shared syntax tree.
 * Problems are reported with their JSON path and the position of the enclosing object.
 */
import type { Span } from '../../diagnostics/source.js';
import { type Json, isObject } from './json-reader.js';
import type { BinOp, ElemOption, Expr, LogOption, RelOp, RuleSyntax, SpecialArg, Stmt, VerdictName } from './syntax.js';

export interface JsonCtx {
  report(path: string, at: Json | undefined, message: string, code?: string): void;
  /** Where an object or array starts in the file (for primitives: the enclosing object). */
  spanOf(at: Json | undefined, parent?: Json): Span;
}

const BINOPS: readonly BinOp[] = ['&', '|', '^', '<<', '>>'];
const VERDICTS: readonly VerdictName[] = ['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue'];
const ELEM_STMTS = new Set(['counter', 'limit', 'quota', 'ct count', 'last']);

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function num(v: Json | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** The single key of a `{ "kind": body }` object. */
function single(o: { [k: string]: Json }): [string, Json] | undefined {
  const keys = Object.keys(o);
  return keys.length === 1 ? [keys[0] as string, o[keys[0] as string] as Json] : undefined;
}

function value(text: string): Expr {
  return { kind: 'value', text, quoted: false };
}

export function jsonExpr(j: Json | undefined, path: string, ctx: JsonCtx, parent?: Json): Expr {
  return { ...jsonExprAt(j, path, ctx), span: ctx.spanOf(j, parent) } as Expr;
}

function jsonExprAt(j: Json | undefined, path: string, ctx: JsonCtx): Expr {
  if (typeof j === 'string') {
    if (j.startsWith('@')) return { kind: 'setref', name: j.slice(1) };
    if (j === '*') return { kind: 'wildcard' };
    return value(j);
  }
  if (typeof j === 'number') return value(String(j));
  if (typeof j === 'boolean') return value(j ? 'exists' : 'missing');
  if (Array.isArray(j)) return { kind: 'list', items: j.map((x, i) => jsonExpr(x, `${path}[${i}]`, ctx)) };
  if (!isObject(j)) {
    ctx.report(path, j, `expected an expression, got ${JSON.stringify(j)}`);
    return value('');
  }
  const kv = single(j);
  if (!kv) {
    ctx.report(path, j, `expected an object with one key (the expression kind), got keys ${Object.keys(j).join(', ')}`);
    return value('');
  }
  const [k, b] = kv;
  const p = `${path}.${k}`;
  const body = isObject(b) ? b : {};
  const sub = (name: string): Expr => jsonExpr(body[name], `${p}.${name}`, ctx, j);
  if ((BINOPS as readonly string[]).includes(k)) {
    if (!Array.isArray(b) || b.length < 2) {
      ctx.report(p, j, `expected two operands for '${k}'`);
      return value('');
    }
    let acc = jsonExpr(b[0], `${p}[0]`, ctx);
    for (let i = 1; i < b.length; i++) acc = { kind: 'binop', op: k as BinOp, left: acc, right: jsonExpr(b[i], `${p}[${i}]`, ctx) };
    return acc;
  }
  if ((VERDICTS as readonly string[]).includes(k)) {
    const target = str(body['target']);
    return { kind: 'verdict', verdict: k as VerdictName, ...(target !== undefined ? { target } : {}) };
  }
  switch (k) {
    case 'payload':
      if (body['base'] !== undefined) {
        return { kind: 'raw', base: (str(body['base']) ?? 'nh') as 'll' | 'nh' | 'th' | 'ih', offset: num(body['offset']) ?? 0, len: num(body['len']) ?? 0 };
      }
      return { kind: 'payload', protocol: str(body['protocol']) ?? '', field: str(body['field']) ?? '', ...(str(body['tunnel']) !== undefined ? { inner: str(body['tunnel']) as string } : {}) };
    case 'exthdr': {
      const field = str(body['field']);
      return { kind: 'exthdr', space: 'ip6', name: str(body['name']) ?? '', ...(field !== undefined ? { field } : {}) };
    }
    case 'tcp option': case 'ip option': case 'sctp chunk': {
      const field = str(body['field']);
      const space = k === 'tcp option' ? 'tcp' : k === 'ip option' ? 'ip' : 'sctp';
      return { kind: 'exthdr', space, name: str(body['name']) ?? '', ...(field !== undefined ? { field } : {}) };
    }
    case 'dccp option': return { kind: 'exthdr', space: 'dccp', name: str(body['type']) ?? '' };
    case 'meta': return { kind: 'meta', key: str(body['key']) ?? '' };
    case 'ct': {
      const dir = str(body['dir']);
      const family = str(body['family']);
      return {
        kind: 'ct', key: str(body['key']) ?? '',
        ...(dir === 'original' || dir === 'reply' ? { dir } : {}),
        ...(family === 'ip' || family === 'ip6' ? { family } : {}),
      };
    }
    case 'fib': {
      const flags = Array.isArray(body['flags']) ? body['flags'].map((x) => str(x) ?? '') : str(body['flags']) !== undefined ? [str(body['flags']) as string] : [];
      return { kind: 'fib', flags, result: str(body['result']) ?? '' };
    }
    case 'rt': {
      const family = str(body['family']);
      return { kind: 'rt', key: str(body['key']) ?? '', ...(family === 'ip' || family === 'ip6' ? { family } : {}) };
    }
    case 'socket': return { kind: 'special', name: 'socket', key: str(body['key']) ?? '', args: body['level'] !== undefined ? [{ name: 'level', value: num(body['level']) ?? 0 }] : [] };
    case 'osf': return { kind: 'special', name: 'osf', key: str(body['key']) ?? '', args: body['ttl'] !== undefined ? [{ name: 'ttl', value: str(body['ttl']) ?? '' }] : [] };
    case 'ipsec': {
      const args: SpecialArg[] = [{ name: 'dir', value: str(body['dir']) ?? 'in' }];
      if (body['spnum'] !== undefined && body['spnum'] !== 0) args.push({ name: 'spnum', value: num(body['spnum']) ?? 0 });
      const fam = str(body['family']);
      const key = str(body['key']) ?? '';
      return { kind: 'special', name: 'ipsec', key: fam !== undefined && (key === 'saddr' || key === 'daddr') ? `${fam} ${key}` : key, args };
    }
    case 'numgen': {
      const args: SpecialArg[] = [{ name: 'mod', value: num(body['mod']) ?? 0 }];
      if (num(body['offset'])) args.push({ name: 'offset', value: num(body['offset']) as number });
      return { kind: 'special', name: 'numgen', key: str(body['mode']) ?? 'inc', args };
    }
    case 'jhash': case 'symhash': {
      const args: SpecialArg[] = [];
      if (k === 'jhash') args.push({ name: 'expr', value: sub('expr') });
      args.push({ name: 'mod', value: num(body['mod']) ?? 0 });
      if (body['seed'] !== undefined) args.push({ name: 'seed', value: num(body['seed']) ?? 0 });
      if (num(body['offset'])) args.push({ name: 'offset', value: num(body['offset']) as number });
      return { kind: 'special', name: k, key: '', args };
    }
    case 'tunnel': return { kind: 'special', name: 'tunnel', key: str(body['key']) ?? '', args: [] };
    case 'prefix': return { kind: 'prefix', expr: sub('addr'), len: num(body['len']) ?? 0 };
    case 'range':
      if (!Array.isArray(b) || b.length !== 2) {
        ctx.report(p, j, 'expected a range as [low, high]');
        return value('');
      }
      return { kind: 'range', lo: jsonExpr(b[0], `${p}[0]`, ctx), hi: jsonExpr(b[1], `${p}[1]`, ctx) };
    case 'set': return { kind: 'set', items: (Array.isArray(b) ? b : [b]).map((x, i) => jsonSetItem(x, `${p}[${i}]`, ctx)) };
    case 'concat': return { kind: 'concat', items: (Array.isArray(b) ? b : []).map((x, i) => jsonExpr(x, `${p}[${i}]`, ctx)) };
    case 'map': return { kind: 'map', key: sub('key'), data: sub('data') };
    case 'elem': return jsonElem(body, p, ctx);
    default:
      ctx.report(p, j, `unknown expression '${k}'`, 'nftables/unknown-keyword');
      return value('');
  }
}

function jsonElem(body: { [k: string]: Json }, p: string, ctx: JsonCtx): Expr {
  const v = jsonExpr(body['val'], `${p}.val`, ctx);
  const options: ElemOption[] = [];
  for (const [key, x] of Object.entries(body)) {
    if (key === 'val') continue;
    if (key === 'timeout' || key === 'expires') options.push({ kind: key, value: typeof x === 'number' ? `${x}ms` : str(x) ?? '' });
    else if (key === 'comment') options.push({ kind: 'comment', value: str(x) ?? '' });
    else if (ELEM_STMTS.has(key)) options.push({ kind: 'stmt', stmt: jsonStmt({ [key]: x }, `${p}.${key}`, ctx) });
  }
  return options.length > 0 ? { kind: 'elem', value: v, options } : v;
}

/** A set element: a value, or `[key, data]` for maps. */
export function jsonSetItem(x: Json, p: string, ctx: JsonCtx): Expr {
  if (Array.isArray(x) && x.length === 2) {
    return { kind: 'mapping', key: jsonExpr(x[0], `${p}[0]`, ctx), value: jsonExpr(x[1], `${p}[1]`, ctx) };
  }
  return jsonExpr(x, p, ctx);
}

const OPS: Readonly<Record<string, RelOp>> = { '==': '==', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!': '!', in: 'implicit' };

function strList(v: Json | undefined): string[] {
  if (Array.isArray(v)) return v.map((x) => str(x) ?? '');
  const s = str(v);
  return s === undefined ? [] : [s];
}

export function jsonStmt(j: Json, path: string, ctx: JsonCtx): Stmt {
  return { ...jsonStmtAt(j, path, ctx), span: ctx.spanOf(j) } as Stmt;
}

function jsonStmtAt(j: Json, path: string, ctx: JsonCtx): Stmt {
  const kv = isObject(j) ? single(j) : undefined;
  if (!kv) {
    ctx.report(path, j, 'expected a statement object with one key');
    return { kind: 'other', name: 'invalid', args: [] };
  }
  const [k, b] = kv;
  const p = `${path}.${k}`;
  const body = isObject(b) ? b : {};
  const sub = (name: string): Expr => jsonExpr(body[name], `${p}.${name}`, ctx, j);
  if ((VERDICTS as readonly string[]).includes(k) && k !== 'queue') {
    const target = str(body['target']);
    return { kind: 'verdict', verdict: k as VerdictName, ...(target !== undefined ? { target } : {}) };
  }
  switch (k) {
    case 'match': {
      const op = OPS[str(body['op']) ?? '=='];
      if (op === undefined) ctx.report(`${p}.op`, j, `unknown operator '${str(body['op'])}': expected ==, !=, <, >, <=, >=, ! or in`);
      return { kind: 'match', left: sub('left'), op: op ?? '==', right: sub('right') };
    }
    case 'vmap': return { kind: 'vmap', key: sub('key'), data: sub('data') };
    case 'counter':
      if (typeof b === 'string') return { kind: 'objref', type: 'counter', name: { kind: 'value', text: b, quoted: true } };
      if (isObject(b) && b['packets'] === undefined && b['bytes'] === undefined && Object.keys(b).length > 0) return { kind: 'objref', type: 'counter', name: jsonExpr(b, p, ctx) };
      return { kind: 'counter', ...(num(body['packets']) !== undefined ? { packets: num(body['packets']) as number } : {}), ...(num(body['bytes']) !== undefined ? { bytes: num(body['bytes']) as number } : {}) };
    case 'log': {
      const options: LogOption[] = [];
      if (str(body['prefix']) !== undefined) options.push({ key: 'prefix', value: str(body['prefix']) as string });
      for (const key of ['level', 'group', 'snaplen', 'queue-threshold'] as const) if (body[key] !== undefined) options.push({ key, value: str(body[key]) ?? '' });
      if (body['flags'] !== undefined) options.push({ key: 'flags', value: strList(body['flags']).map((f) => (f === 'tcp sequence' || f === 'tcp options' ? f : f === 'ip options' ? f : f)) });
      return { kind: 'log', options };
    }
    case 'limit': {
      if (typeof b === 'string') return { kind: 'objref', type: 'limit', name: { kind: 'value', text: b, quoted: true } };
      if (body['rate'] === undefined) return { kind: 'objref', type: 'limit', name: jsonExpr(b, p, ctx) };
      const burst = num(body['burst']);
      const unit = str(body['rate_unit']) ?? 'packets';
      return {
        kind: 'limit', rate: num(body['rate']) ?? 0, unit, per: str(body['per']) ?? 'second', over: body['inv'] === true,
        ...(burst !== undefined && burst !== (unit === 'packets' ? 5 : 0) ? { burst, burstUnit: str(body['burst_unit']) ?? (unit === 'packets' ? 'packets' : 'bytes') } : {}),
      };
    }
    case 'quota': {
      if (typeof b === 'string') return { kind: 'objref', type: 'quota', name: { kind: 'value', text: b, quoted: true } };
      if (body['val'] === undefined) return { kind: 'objref', type: 'quota', name: jsonExpr(b, p, ctx) };
      const used = num(body['used']);
      return {
        kind: 'quota', value: num(body['val']) ?? 0, unit: str(body['val_unit']) ?? 'bytes', over: body['inv'] === true,
        ...(used ? { used, usedUnit: str(body['used_unit']) ?? 'bytes' } : {}),
      };
    }
    case 'reject': {
      const type = str(body['type']);
      const code = str(body['expr']);
      return { kind: 'reject', ...(type ? { type: type as 'icmp' | 'icmpv6' | 'icmpx' | 'tcp reset' } : {}), ...(code ? { code } : {}) };
    }
    case 'mangle': return { kind: 'mangle', left: sub('key'), value: sub('value') };
    case 'snat': case 'dnat': case 'masquerade': case 'redirect': {
      const fam = str(body['family']);
      return {
        kind: 'nat', type: k, flags: strList(body['flags']), typeFlags: strList(body['type_flags']),
        ...(fam === 'ip' || fam === 'ip6' ? { family: fam } : {}),
        ...(body['addr'] !== undefined ? { addr: sub('addr') } : {}),
        ...(body['port'] !== undefined ? { port: sub('port') } : {}),
      };
    }
    case 'notrack': return { kind: 'notrack' };
    case 'queue': return { kind: 'queue', flags: strList(body['flags']), ...(body['num'] !== undefined ? { num: sub('num') } : {}) };
    case 'set': case 'map': {
      const setName = str(body[k === 'set' ? 'set' : 'map']) ?? '';
      const stmts = Array.isArray(body['stmt']) ? body['stmt'].map((s, i) => jsonStmt(s, `${p}.stmt[${i}]`, ctx)) : [];
      const elem = body['elem'];
      const elemObj = isObject(elem) && isObject(elem['elem']) ? elem['elem'] : undefined;
      const key = elemObj ? jsonExpr(elemObj['val'], `${p}.elem.elem.val`, ctx) : sub('elem');
      const extra: Stmt[] = [];
      if (elemObj && elemObj['timeout'] !== undefined) extra.push({ kind: 'other', name: 'timeout', args: [{ name: 'value', value: `${str(elemObj['timeout'])}s` }] });
      return {
        kind: 'dynset', op: (str(body['op']) ?? 'add') as 'add' | 'update' | 'delete', set: setName.replace(/^@/, ''), key, stmts: [...extra, ...stmts],
        ...(k === 'map' && body['data'] !== undefined ? { data: sub('data') } : {}),
      };
    }
    case 'ct helper': case 'ct timeout': case 'ct expectation': case 'synproxy': case 'secmark': case 'tunnel':
      if (k === 'synproxy' && isObject(b) && b['map'] === undefined) {
        const args: SpecialArg[] = [];
        if (num(body['mss']) !== undefined) args.push({ name: 'mss', value: num(body['mss']) as number });
        if (num(body['wscale']) !== undefined) args.push({ name: 'wscale', value: num(body['wscale']) as number });
        for (const f of strList(body['flags'])) args.push({ name: f, value: 1 });
        return { kind: 'other', name: 'synproxy', args };
      }
      return { kind: 'objref', type: k, name: typeof b === 'string' ? { kind: 'value', text: b, quoted: true } : jsonExpr(b, p, ctx) };
    case 'ct count': return { kind: 'other', name: 'ct count', args: [...(body['inv'] === true ? [{ name: 'over', value: 1 }] : []), { name: 'count', value: num(body['val']) ?? 0 }] };
    case 'last': return { kind: 'other', name: 'last', args: body['used'] !== undefined ? [{ name: 'used', value: `${str(body['used'])}ms` }] : [] };
    case 'flow': return { kind: 'other', name: 'flow', args: [{ name: 'table', value: (str(body['flowtable']) ?? '').replace(/^@/, '') }] };
    case 'tproxy': case 'dup': case 'fwd': {
      const args: SpecialArg[] = [];
      if (str(body['family'])) args.push({ name: 'family', value: str(body['family']) as string });
      if (k === 'tproxy') {
        if (body['addr'] !== undefined) args.push({ name: 'addr', value: sub('addr') });
        if (body['port'] !== undefined) args.push({ name: 'port', value: sub('port') });
      } else {
        if (body['addr'] !== undefined) args.push({ name: 'to', value: sub('addr') });
        if (body['dev'] !== undefined) args.push(k === 'fwd' && body['addr'] === undefined ? { name: 'to', value: sub('dev') } : { name: 'device', value: sub('dev') });
      }
      return { kind: 'other', name: k, args };
    }
    case 'xt': return { kind: 'xt', type: (str(body['type']) ?? 'match') as 'match' | 'target' | 'watcher', name: str(body['name']) ?? '' };
    default:
      ctx.report(p, j, `unknown statement '${k}'`, 'nftables/unknown-keyword');
      return { kind: 'other', name: k, args: [] };
  }
}

/** A rule's `expr` array, with an optional comment. */
export function jsonRuleBody(exprs: Json | undefined, path: string, ctx: JsonCtx): Pick<RuleSyntax, 'stmts'> {
  if (!Array.isArray(exprs)) {
    ctx.report(path, exprs, 'expected "expr" to be an array of statements');
    return { stmts: [] };
  }
  return { stmts: exprs.map((s, i) => jsonStmt(s, `${path}[${i}]`, ctx)) };
}
