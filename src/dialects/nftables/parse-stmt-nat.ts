/** NAT and queue statements: `dnat ip to 10.0.0.1:80`, `masquerade to :1024-2048 random`, `queue flags bypass to 1-3`. */
import { type Datatype, INVALID, integerType, mustType } from './datatypes.js';
import { describeToken } from './lexer.js';
import type { StmtParser } from './parse-stmt.js';
import type { Expr, Stmt } from './syntax.js';

const NAT_FLAGS = ['random', 'fully-random', 'persistent', 'netmap'];
const QUEUE_FLAGS = ['bypass', 'fanout'];

function parseFlags(p: StmtParser, allowed: readonly string[]): string[] {
  const ts = p.ts;
  const flags: string[] = [];
  while (ts.peek().kind === 'word' && allowed.includes(ts.peek().text)) {
    flags.push(ts.next().text);
    if (ts.at(',')) {
      ts.next();
      if (!(ts.peek().kind === 'word' && allowed.includes(ts.peek().text))) {
        ts.fail(`expected a flag (${allowed.join(', ')}), got ${describeToken(ts.peek())}`, ts.peek(), 'nftables/unknown-keyword');
      }
    }
  }
  return flags;
}

function addrType(family: string | undefined, tableFamily: string): Datatype {
  const f = family ?? (tableFamily === 'ip' ? 'ip' : tableFamily === 'ip6' ? 'ip6' : undefined);
  return f === 'ip' ? mustType('ipv4_addr') : f === 'ip6' ? mustType('ipv6_addr') : INVALID;
}

/** `snat|dnat [ip|ip6] [prefix|interval|addr . port] to ADDR[:PORT] [flags]`. */
export function parseNatStmt(p: StmtParser): Stmt {
  const ts = p.ts;
  const first = ts.next();
  const type = first.text as 'snat' | 'dnat';
  let family: 'ip' | 'ip6' | undefined;
  if (ts.at('ip') || ts.at('ip6')) family = ts.next().text as 'ip' | 'ip6';
  const typeFlags: string[] = [];
  for (;;) {
    if (ts.at('prefix') || ts.at('interval')) typeFlags.push(ts.next().text);
    else if (ts.at('addr') && ts.at('.', 1) && ts.at('port', 2)) {
      ts.next(); ts.next(); ts.next();
      typeFlags.push('concat');
    } else break;
  }
  ts.expect('to', `'to' after '${type}'`);
  const at = addrType(family, p.env.family);
  let addr: Expr | undefined;
  let port: Expr | undefined;
  if (!ts.at(':')) {
    const result = typeFlags.includes('concat') ? [at, mustType('inet_service')] : [at];
    addr = p.parseGeneral(result);
  }
  if (ts.accept(':')) port = p.parseGeneral([mustType('inet_service')]);
  if (addr === undefined && port === undefined) ts.fail(`expected an address or ':port' after '${type} to'`, ts.peek());
  const flags = parseFlags(p, NAT_FLAGS);
  return {
    kind: 'nat', type, flags, typeFlags, span: p.spanFrom(first),
    ...(family ? { family } : {}), ...(addr ? { addr } : {}), ...(port ? { port } : {}),
  };
}

/** `masquerade|redirect [to :PORT[-PORT]] [flags]`. */
export function parseRedirectLike(p: StmtParser): Stmt {
  const ts = p.ts;
  const first = ts.next();
  const type = first.text as 'masquerade' | 'redirect';
  let port: Expr | undefined;
  if (ts.accept('to')) {
    ts.expect(':', `':' before the port after '${type} to'`);
    port = p.parseGeneral([mustType('inet_service')]);
  }
  const flags = parseFlags(p, NAT_FLAGS.filter((f) => f !== 'netmap'));
  if (ts.at('to')) ts.fail(`expected 'to :PORT' before the flags of '${type}'`, ts.peek());
  return { kind: 'nat', type, flags, typeFlags: [], span: p.spanFrom(first), ...(port ? { port } : {}) };
}

/** `queue [flags F,…] [num N[-M] | to EXPR] [bypass] [fanout]`. */
export function parseQueueStmt(p: StmtParser): Stmt {
  const ts = p.ts;
  const first = ts.next();
  let flags: string[] = [];
  let num: Expr | undefined;
  if (ts.accept('flags')) flags = parseFlags(p, QUEUE_FLAGS);
  if (ts.accept('num')) {
    const t = ts.peek();
    if (t.kind !== 'word' || !/^\d/.test(t.text)) ts.fail(`expected a queue number or range after 'num', got ${describeToken(t)}`, t);
    num = p.parseRhs([integerType(16)], false);
  } else if (ts.accept('to')) {
    num = p.parseGeneral([integerType(16)]);
  }
  flags = [...flags, ...parseFlags(p, QUEUE_FLAGS)];
  return { kind: 'queue', flags, span: p.spanFrom(first), ...(num ? { num } : {}) };
}
