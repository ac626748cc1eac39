/** Expressions and statements as nft text, in the form `nft list ruleset` prints (and our parser reads back). */
import { assertNever } from '../../model/assert-never.js';
import type { BinOp, ElemOption, Expr, LogOption, RuleSyntax, SpecialArg, Stmt } from './syntax.js';

const UNQUALIFIED_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iifgroup', 'oifgroup']);
const PRECEDENCE: Readonly<Record<BinOp, number>> = { '|': 0, '^': 1, '&': 2, '<<': 3, '>>': 3 };

function quote(s: string): string {
  return `"${s}"`;
}

function printSpecial(name: string, key: string, args: readonly SpecialArg[]): string {
  const arg = (n: string): SpecialArg['value'] | undefined => args.find((a) => a.name === n)?.value;
  const rest = (names: readonly string[]): string =>
    args.filter((a) => names.includes(a.name)).map((a) => ` ${a.name} ${typeof a.value === 'object' ? printExpr(a.value) : a.value}`).join('');
  switch (name) {
    case 'socket': return key === 'cgroupv2' ? `socket cgroupv2 level ${String(arg('level'))}` : `socket ${key}`;
    case 'osf': return arg('ttl') !== undefined ? `osf ttl ${String(arg('ttl'))} ${key}` : `osf ${key}`;
    case 'ipsec': return `ipsec ${String(arg('dir'))}${arg('spnum') !== undefined ? ` spnum ${String(arg('spnum'))}` : ''} ${key}`;
    case 'numgen': return `numgen ${key}${rest(['mod', 'offset'])}`;
    case 'jhash': {
      const e = arg('expr');
      return `jhash ${typeof e === 'object' ? printExpr(e) : String(e)}${rest(['mod', 'seed', 'offset'])}`;
    }
    case 'symhash': return `symhash${rest(['mod', 'offset'])}`;
    default: return `${name} ${key}`;
  }
}

function printElemOption(o: ElemOption): string {
  switch (o.kind) {
    case 'timeout': case 'expires': return `${o.kind} ${o.value}`;
    case 'comment': return `comment ${quote(o.value)}`;
    case 'stmt': return printStmt(o.stmt);
    default: return assertNever(o);
  }
}

function printOperand(e: Expr, parentOp: BinOp, right: boolean): string {
  if (e.kind === 'binop' && (PRECEDENCE[e.op] < PRECEDENCE[parentOp] || (right && PRECEDENCE[e.op] === PRECEDENCE[parentOp]))) return `(${printExpr(e)})`;
  if (e.kind === 'list' && right) return `(${e.items.map(printExpr).join(' | ')})`;
  return printExpr(e);
}

/** A set element: flag lists are written `syn | ack` there, since `,` separates elements. */
export function printElement(e: Expr): string {
  if (e.kind === 'list') return e.items.map(printExpr).join(' | ');
  if (e.kind === 'mapping' && e.key.kind === 'list') return `${printElement(e.key)} : ${printExpr(e.value)}`;
  return printExpr(e);
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'payload': return `${e.inner !== undefined ? `${e.inner} ` : ''}${e.protocol} ${e.field}`;
    case 'raw': return `@${e.base},${e.offset},${e.len}`;
    case 'exthdr': {
      const field = e.field !== undefined ? ` ${e.field}` : '';
      switch (e.space) {
        case 'ip6': return e.field !== undefined ? `${e.name}${field}` : `exthdr ${e.name}`;
        case 'tcp': return e.name.startsWith('@') ? `tcp option ${e.name}` : `tcp option ${e.name}${field}`;
        case 'ip': return `ip option ${e.name}${field}`;
        case 'sctp': return `sctp chunk ${e.name}${field}`;
        case 'dccp': return `dccp option ${e.name}`;
        default: return assertNever(e.space);
      }
    }
    case 'meta': return UNQUALIFIED_META.has(e.key) ? e.key : `meta ${e.key}`;
    case 'ct': return `ct ${e.dir !== undefined ? `${e.dir} ` : ''}${e.family !== undefined ? `${e.family} ` : ''}${e.key}`;
    case 'fib': return `fib ${e.flags.join(' . ')} ${e.result}`;
    case 'rt': return `rt ${e.family !== undefined ? `${e.family} ` : ''}${e.key}`;
    case 'special': return printSpecial(e.name, e.key, e.args);
    case 'value': return e.quoted ? quote(e.text) : e.text;
    case 'prefix': return `${printExpr(e.expr)}/${e.len}`;
    case 'range': return `${printExpr(e.lo)}-${printExpr(e.hi)}`;
    case 'set': return e.items.length === 0 ? '{ }' : `{ ${e.items.map(printElement).join(', ')} }`;
    case 'list': return e.items.map(printExpr).join(',');
    case 'setref': return `@${e.name}`;
    case 'concat': return e.items.map(printExpr).join(' . ');
    case 'binop': return `${printOperand(e.left, e.op, false)} ${e.op} ${printOperand(e.right, e.op, true)}`;
    case 'map': return `${printExpr(e.key)} map ${printExpr(e.data)}`;
    case 'mapping': return `${printExpr(e.key)} : ${printExpr(e.value)}`;
    case 'elem': return [printExpr(e.value), ...e.options.map(printElemOption)].join(' ');
    case 'verdict': return e.target !== undefined ? `${e.verdict} ${e.target}` : e.verdict;
    case 'wildcard': return '*';
    default: return assertNever(e);
  }
}

function printLogOption(o: LogOption): string {
  if (o.key === 'prefix') return `prefix ${quote(o.value)}`;
  if (o.key === 'flags') {
    const tcp = o.value.filter((f) => f.startsWith('tcp ')).map((f) => f.slice(4));
    const other = o.value.filter((f) => !f.startsWith('tcp '));
    return [...(tcp.length > 0 ? [`flags tcp ${tcp.join(',')}`] : []), ...other.map((f) => `flags ${f}`)].join(' ');
  }
  return `${o.key} ${o.value}`;
}

function natAddr(addr: Expr, withPort: boolean): string {
  const text = printExpr(addr);
  if (!withPort || addr.kind !== 'value' && addr.kind !== 'range') return text;
  const v6 = (e: Expr): boolean => e.kind === 'value' && e.text.includes(':');
  if (addr.kind === 'value' && v6(addr)) return `[${text}]`;
  if (addr.kind === 'range' && (v6(addr.lo) || v6(addr.hi))) return `[${printExpr(addr.lo)}]-[${printExpr(addr.hi)}]`;
  return text;
}

function printOther(s: Extract<Stmt, { kind: 'other' }>): string {
  const arg = (n: string): SpecialArg['value'] | undefined => s.args.find((a) => a.name === n)?.value;
  const val = (v: SpecialArg['value'] | undefined): string => (v === undefined ? '' : typeof v === 'object' ? printExpr(v) : String(v));
  switch (s.name) {
    case 'ct count': return `ct count${arg('over') !== undefined ? ' over' : ''} ${val(arg('count'))}`;
    case 'last': return arg('used') !== undefined ? `last used ${val(arg('used'))}` : 'last';
    case 'flow': return `flow add @${val(arg('table'))}`;
    case 'synproxy': return ['synproxy', ...s.args.map((a) => (a.name === 'timestamp' || a.name === 'sack-perm' ? a.name : `${a.name} ${val(a.value)}`))].join(' ');
    case 'reset': return `reset ${val(arg('target'))}`;
    case 'timeout': case 'expires': return `${s.name} ${val(arg('value'))}`;
    case 'tproxy': {
      const fam = arg('family') !== undefined ? ` ${val(arg('family'))}` : '';
      const addr = arg('addr');
      const port = arg('port');
      const a = addr === undefined ? '' : typeof addr === 'object' ? natAddr(addr, port !== undefined) : String(addr);
      return `tproxy${fam} to ${a}${port !== undefined ? `:${val(port)}` : ''}`;
    }
    default: {
      const fam = arg('family') !== undefined ? ` ${val(arg('family'))}` : '';
      const dev = arg('device') !== undefined ? ` device ${val(arg('device'))}` : '';
      return `${s.name}${fam} to ${val(arg('to'))}${dev}`;
    }
  }
}

export function printStmt(s: Stmt): string {
  switch (s.kind) {
    case 'match': return s.op === 'implicit' ? `${printExpr(s.left)} ${printExpr(s.right)}` : `${printExpr(s.left)} ${s.op} ${printExpr(s.right)}`;
    case 'verdict':
      if (s.chain) return `${s.verdict} { ${s.chain.map((r) => printRuleBody(r)).join('; ')} }`;
      return s.target !== undefined ? `${s.verdict} ${s.target}` : s.verdict;
    case 'vmap': return `${printExpr(s.key)} vmap ${printExpr(s.data)}`;
    case 'counter': return s.packets !== undefined || s.bytes !== undefined ? `counter packets ${s.packets ?? 0} bytes ${s.bytes ?? 0}` : 'counter';
    case 'log': return ['log', ...s.options.map(printLogOption)].join(' ');
    case 'limit': {
      const rate = s.unit === 'packets' ? `${s.rate}/${s.per}` : `${s.rate} ${s.unit}/${s.per}`;
      const burst = s.burst !== undefined ? ` burst ${s.burst} ${s.burstUnit ?? 'packets'}` : '';
      return `limit rate ${s.over ? 'over ' : ''}${rate}${burst}`;
    }
    case 'quota': return `quota ${s.over ? 'over ' : ''}${s.value} ${s.unit}${s.used !== undefined ? ` used ${s.used} ${s.usedUnit ?? 'bytes'}` : ''}`;
    case 'reject': return s.type === undefined ? 'reject' : s.type === 'tcp reset' ? 'reject with tcp reset' : `reject with ${s.type} ${s.code ?? 'port-unreachable'}`;
    case 'mangle': return `${printExpr(s.left)} set ${printExpr(s.value)}`;
    case 'nat': {
      const fam = s.family !== undefined ? ` ${s.family}` : '';
      const tf = s.typeFlags.filter((f) => f !== 'concat').map((f) => ` ${f}`).join('') + (s.typeFlags.includes('concat') ? ' addr . port' : '');
      const flags = s.flags.length > 0 ? ` ${s.flags.join(',')}` : '';
      if (s.type === 'masquerade' || s.type === 'redirect') return `${s.type}${s.port ? ` to :${printExpr(s.port)}` : ''}${flags}`;
      const addr = s.addr ? natAddr(s.addr, s.port !== undefined) : '';
      return `${s.type}${fam}${tf} to ${addr}${s.port ? `:${printExpr(s.port)}` : ''}${flags}`;
    }
    case 'notrack': return 'notrack';
    case 'queue': {
      const flags = s.flags.length > 0 ? ` flags ${s.flags.join(',')}` : '';
      return `queue${flags}${s.num ? ` to ${printExpr(s.num)}` : ''}`;
    }
    case 'dynset': {
      const stmts = s.stmts.map((x) => ` ${printStmt(x)}`).join('');
      return `${s.op} @${s.set} { ${printExpr(s.key)}${stmts}${s.data ? ` : ${printExpr(s.data)}` : ''} }`;
    }
    case 'objref':
      if (s.type === 'secmark') return `meta secmark set ${printExpr(s.name)}`;
      return s.type.startsWith('ct ') ? `${s.type} set ${printExpr(s.name)}` : `${s.type} name ${printExpr(s.name)}`;
    case 'other': return printOther(s);
    case 'xt': return `xt ${s.type} ${quote(s.name)}`;
    default: return assertNever(s);
  }
}

/** A rule's statements (and comment) on one line. */
export function printRuleBody(r: Pick<RuleSyntax, 'stmts' | 'comment'>): string {
  const parts = r.stmts.map(printStmt);
  if (r.comment !== undefined) parts.push(`comment ${quote(r.comment)}`);
  return parts.join(' ');
}
