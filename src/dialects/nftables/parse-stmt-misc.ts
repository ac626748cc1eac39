/** Less common statements: set updates, meters, ct count, last, xt, flow offload, synproxy, dup/fwd/tproxy, reset. */
import { INVALID, mustType } from './datatypes.js';
import { parseSelector } from './parse-selector.js';
import type { StmtParser } from './parse-stmt.js';
import type { Expr, SpecialArg, Stmt } from './syntax.js';

export function parseDynset(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  ts.expect('@');
  const set = ts.expectName('a set name').text;
  ts.expect('{');
  const key = p.parseLhs();
  const stmts: Stmt[] = [];
  let data: Expr | undefined;
  const options = parseDynsetOptions(p, stmts);
  if (ts.accept(':')) data = p.parseGeneral([INVALID]);
  parseDynsetOptions(p, stmts);
  ts.skipNewlines();
  ts.expect('}');
  const withTimeout = options.length > 0 ? [...options, ...stmts] : stmts;
  return { kind: 'dynset', op: t.text as 'add' | 'update' | 'delete', set, key, stmts: withTimeout, span: p.spanFrom(t), ...(data ? { data } : {}) };
}

export function parseDynsetOptions(p: StmtParser, stmts: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (;;) {
    if (p.ts.at('timeout') || p.ts.at('expires')) {
      const key = p.ts.next().text;
      out.push({ kind: 'other', name: key, args: [{ name: 'value', value: p.ts.expectName('a time').text }] });
      continue;
    }
    const s = p.parseElemStmt();
    if (!s) return out;
    stmts.push(s);
  }
}

/** Old syntax `set add ip saddr @s`, `set update ip saddr timeout 10s @s`. */
export function parseLegacyDynset(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  const op = ts.next().text as 'add' | 'update' | 'delete';
  const key = p.parseLhs();
  const stmts = parseDynsetOptions(p, []);
  ts.expect('@');
  const set = ts.expectName('a set name').text;
  return { kind: 'dynset', op, set, key, stmts, span: p.spanFrom(t) };
}

export function parseMeter(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  const set = ts.expectName('a meter name').text;
  if (ts.accept('size')) p.number('a size');
  ts.expect('{');
  const key = p.parseLhs();
  const stmts: Stmt[] = [];
  const opts = parseDynsetOptions(p, stmts);
  ts.expect('}');
  return { kind: 'dynset', op: 'update', set, key, stmts: [...opts, ...stmts], span: p.spanFrom(t) };
}

export function parseCtCount(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  ts.expect('count');
  const args: SpecialArg[] = [];
  if (ts.accept('over')) args.push({ name: 'over', value: 1 });
  args.push({ name: 'count', value: p.number('a connection count') });
  return { kind: 'other', name: 'ct count', args, span: p.spanFrom(t) };
}

export function parseLast(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  const args: SpecialArg[] = [];
  if (ts.accept('used')) {
    const v = ts.expectName("'never' or a time");
    if (v.text !== 'never' && !/^(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/.test(v.text)) ts.fail(`expected 'never' or a time, got '${v.text}'`, v);
    args.push({ name: 'used', value: v.text });
  }
  return { kind: 'other', name: 'last', args, span: p.spanFrom(t) };
}

export function parseXt(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  const type = p.oneOf('an xt kind', ['match', 'target', 'watcher']) as 'match' | 'target' | 'watcher';
  const name = ts.expectName('an xtables extension name').text;
  return { kind: 'xt', type, name, span: p.spanFrom(t) };
}

export function parseFlow(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  p.oneOf("'add' or 'offload'", ['add', 'offload']);
  ts.expect('@');
  const name = ts.expectName('a flowtable name').text;
  return { kind: 'other', name: 'flow', args: [{ name: 'table', value: name }], span: p.spanFrom(t) };
}

export function parseSynproxy(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  if (ts.accept('name')) return { kind: 'objref', type: 'synproxy', name: p.parseGeneral([mustType('string')]), span: p.spanFrom(t) };
  const args: SpecialArg[] = [];
  for (;;) {
    if (ts.at('mss') || ts.at('wscale')) {
      const name = ts.next().text;
      args.push({ name, value: p.number(`a number after '${name}'`) });
    } else if (ts.at('timestamp') || ts.at('sack-perm')) args.push({ name: ts.next().text, value: 1 });
    else break;
  }
  return { kind: 'other', name: 'synproxy', args, span: p.spanFrom(t) };
}

/** dup / fwd / tproxy: kept with their arguments as expressions. */
export function parseForwarding(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  const name = t.text;
  const args: SpecialArg[] = [];
  if (ts.at('ip') || ts.at('ip6')) args.push({ name: 'family', value: ts.next().text });
  if (name === 'tproxy') {
    ts.expect('to');
    if (!ts.at(':')) args.push({ name: 'addr', value: p.parseGeneral([INVALID]) });
    if (ts.accept(':')) args.push({ name: 'port', value: p.parseGeneral([mustType('inet_service')]) });
    if (args.every((a) => a.name === 'family')) ts.fail("expected an address or ':port' after 'tproxy to'", ts.peek());
    return { kind: 'other', name, args, span: p.spanFrom(t) };
  }
  ts.expect('to');
  args.push({ name: 'to', value: p.parseGeneral([name === 'fwd' && args.length === 0 ? mustType('iface_index') : INVALID]) });
  if (ts.accept('device')) args.push({ name: 'device', value: p.parseGeneral([mustType('iface_index')]) });
  return { kind: 'other', name, args, span: p.spanFrom(t) };
}

export function parseReset(p: StmtParser): Stmt {
  const ts = p.ts;
  const t = ts.next();
  const target = parseSelector(ts, () => p.parseLhs());
  if (target.kind !== 'exthdr' || target.space !== 'tcp') ts.fail("expected 'tcp option NAME' after 'reset'", t);
  return { kind: 'other', name: 'reset', args: [{ name: 'target', value: target }], span: p.spanFrom(t) };
}
