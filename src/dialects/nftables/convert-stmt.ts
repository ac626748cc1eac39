/**
 * Non-match statements as model effects and actions: counter, log, mark and connmark updates,
 * notrack, reject (with nft's default per family), NAT, queue, verdicts and verdict maps,
 * and iptables-nft's xt targets; what the model cannot express stays opaque, never dropped.
 */
import { type Family, parseAddress } from '../../model/address.js';
import { type Action, type Effect, type RejectWith, ACCEPT, CONTINUE, DROP, RETURN, goTo, jump } from '../../model/action.js';
import type { Match } from '../../model/match.js';
import { ICMPV6_CODE, ICMPX_CODE, ICMP_CODE, symbolName, tableMap } from './symbols.js';
import { canonicalStmt } from './canonical.js';
import { printExpr, printStmt } from './print-expr.js';
import type { Expr, NftFamily, Stmt } from './syntax.js';

const ICMP_CODES = tableMap(ICMP_CODE);
const ICMPV6_CODES = tableMap(ICMPV6_CODE);
const ICMPX_CODES = tableMap(ICMPX_CODE);

/** The reject an nft `reject` statement sends: explicit `with`, else port-unreachable of the rule's family. */
export function rejectWith(s: Extract<Stmt, { kind: 'reject' }>, tableFamily: NftFamily, context: Family | undefined): RejectWith {
  if (s.type === 'tcp reset') return { kind: 'tcp-reset', code: 0, name: 'tcp reset' };
  if (s.type !== undefined) {
    const table = s.type === 'icmp' ? ICMP_CODES : s.type === 'icmpv6' ? ICMPV6_CODES : ICMPX_CODES;
    const code = table.get(s.code ?? 'port-unreachable') ?? (/^\d+$/.test(s.code ?? '') ? Number(s.code) : 0);
    return { kind: s.type, code, name: s.code ?? 'port-unreachable' };
  }
  const fam = tableFamily === 'ip' ? 'ipv4' : tableFamily === 'ip6' ? 'ipv6' : context;
  if (fam === 'ipv4') return { kind: 'icmp', code: 3, name: 'port-unreachable' };
  if (fam === 'ipv6') return { kind: 'icmpv6', code: 4, name: 'port-unreachable' };
  return { kind: 'icmpx', code: 1, name: 'port-unreachable' };
}

export function rejectName(w: RejectWith): string {
  if (w.kind === 'tcp-reset') return 'tcp reset';
  const t = w.kind === 'icmp' ? ICMP_CODE : w.kind === 'icmpv6' ? ICMPV6_CODE : ICMPX_CODE;
  return `${w.kind} ${symbolName(t, w.code) ?? w.code}`;
}

function constInt(e: Expr): number | undefined {
  if (e.kind !== 'value' || e.quoted) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(e.text)) return undefined;
  const n = Number(e.text);
  return n <= 0xffffffff ? n : undefined;
}

function isMarkOf(e: Expr, target: 'mark' | 'connmark'): boolean {
  return target === 'mark' ? e.kind === 'meta' && e.key === 'mark' : e.kind === 'ct' && e.key === 'mark' && e.dir === undefined;
}

/** A constant expression's value (`0x16 and 0x16`), or undefined. */
function constValue(e: Expr): bigint | undefined {
  const c = constInt(e);
  if (c !== undefined) return BigInt(c);
  if (e.kind !== 'binop') return undefined;
  const l = constValue(e.left);
  const r = constValue(e.right);
  if (l === undefined || r === undefined) return undefined;
  switch (e.op) {
    case '&': return l & r;
    case '|': return l | r;
    case '^': return l ^ r;
    case '<<': return (l << r) & 0xffffffffn;
    case '>>': return l >> r;
    default: return undefined;
  }
}

/** `meta mark set …` / `ct mark set …` as a mark effect when the value is a constant or an affine update. */
function markEffect(target: 'mark' | 'connmark', value: Expr, text: string): Effect {
  const full = 0xffffffff;
  const c = constValue(value);
  if (c !== undefined) return { kind: 'mark', target, op: 'set', value: Number(c & 0xffffffffn) >>> 0, mask: full };
  const other = target === 'mark' ? 'connmark' : 'mark';
  if (isMarkOf(value, other)) return { kind: 'mark', target, op: target === 'connmark' ? 'save' : 'restore', value: 0, mask: full };
  let and = 0xffffffffn;
  let xor = 0n;
  let cur = value;
  const ops: [string, bigint][] = [];
  while (cur.kind === 'binop') {
    const right = constValue(cur.right);
    const left = constValue(cur.left);
    if (right !== undefined) {
      ops.unshift([cur.op, right]);
      cur = cur.left;
    } else if (left !== undefined && (cur.op === '&' || cur.op === '|' || cur.op === '^')) {
      ops.unshift([cur.op, left]);
      cur = cur.right;
    } else return { kind: 'other', name: `${target} set`, text };
  }
  if (!isMarkOf(cur, target)) return { kind: 'other', name: `${target} set`, text };
  for (const [op, m] of ops) {
    if (op === '&') { and &= m; xor &= m; } else if (op === '|') { and &= ~m & 0xffffffffn; xor = (xor & ~m & 0xffffffffn) | m; } else if (op === '^') xor ^= m;
    else return { kind: 'other', name: `${target} set`, text };
  }
  return { kind: 'mark', target, op: 'set', value: Number(xor), mask: Number(~and & 0xffffffffn) >>> 0 };
}

const XT_NONTERMINAL = new Set(['MARK', 'CONNMARK', 'TCPMSS', 'CLASSIFY', 'DSCP', 'TOS', 'TTL', 'HL', 'TRACE', 'CHECKSUM', 'SECMARK', 'CONNSECMARK', 'IDLETIMER', 'LED', 'TEE', 'CT', 'AUDIT', 'HMARK', 'TCPOPTSTRIP', 'RATEEST', 'SET']);

/** iptables-nft's xt target (nft -j shows only its name). */
function xtTarget(name: string, text: string): { action?: Action; effect?: Effect } {
  switch (name) {
    case 'LOG': case 'NFLOG': case 'ULOG': return { effect: { kind: 'log', name, text } };
    case 'NOTRACK': return { effect: { kind: 'notrack' } };
    case 'REJECT': return { action: { kind: 'reject', with: { kind: 'icmpx', code: 1, name: 'REJECT (xt target: the reject type is not shown by nft)' } } };
    case 'DNAT': case 'SNAT': case 'MASQUERADE': case 'REDIRECT': case 'NETMAP': {
      const type = name === 'NETMAP' ? 'netmap' : (name.toLowerCase() as 'dnat' | 'snat' | 'masquerade' | 'redirect');
      return { action: { kind: 'nat', nat: { type, flags: ['xt'] } } };
    }
    case 'NFQUEUE': case 'QUEUE': return { action: { kind: 'queue', text, bypass: false } };
    default:
      if (XT_NONTERMINAL.has(name)) return { effect: { kind: 'other', name, text } };
      return { action: { kind: 'opaque', name, reason: `xt target ${name}: an iptables extension target whose options nft does not show`, terminal: true } };
  }
}

export interface StmtResult {
  readonly effects: Effect[];
  /** Opaque conditions that come from statements (limit, quota, ct count, xt match). */
  readonly matches: Match[];
  action: Action;
}

function natAction(s: Extract<Stmt, { kind: 'nat' }>, text: string): Action {
  let addresses: { family: Family; lo: bigint; hi: bigint } | undefined;
  let ports: readonly [number, number] | undefined;
  const a = s.addr;
  if (a?.kind === 'prefix' && a.expr.kind === 'value') {
    const v = parseAddress(a.expr.text);
    if (v) {
      const bits = v.family === 'ipv4' ? 32n : 128n;
      const host = bits - BigInt(a.len);
      const lo = (v.value >> host) << host;
      addresses = { family: v.family, lo, hi: lo | ((1n << host) - 1n) };
    }
  } else if (a?.kind === 'value') {
    const v = parseAddress(a.text);
    if (v) addresses = { family: v.family, lo: v.value, hi: v.value };
  } else if (a?.kind === 'range' && a.lo.kind === 'value' && a.hi.kind === 'value') {
    const lo = parseAddress(a.lo.text);
    const hi = parseAddress(a.hi.text);
    if (lo && hi && lo.family === hi.family) addresses = { family: lo.family, lo: lo.value, hi: hi.value };
  }
  const p = s.port;
  if (p?.kind === 'value' && /^\d+$/.test(p.text)) ports = [Number(p.text), Number(p.text)];
  else if (p?.kind === 'range' && p.lo.kind === 'value' && p.hi.kind === 'value') ports = [Number(p.lo.text), Number(p.hi.text)];
  const dynamic = (a !== undefined && addresses === undefined) || (p !== undefined && ports === undefined);
  const implied = s.typeFlags.includes('prefix') ? ['netmap'] : [];
  const flags = [...[...s.flags.filter((f) => !implied.includes(f)), ...s.typeFlags.filter((f) => f !== 'concat')].sort(), ...(dynamic ? [`computed: ${text}`] : [])];
  return { kind: 'nat', nat: { type: s.type, flags, ...(addresses ? { addresses } : {}), ...(ports ? { ports } : {}) } };
}

/** Applies one non-match statement to the rule being built. */
export function applyStmt(s: Stmt, r: StmtResult, tableFamily: NftFamily, context: Family | undefined, opaqueMatch: (reason: string, text: string) => Match): void {
  if (s.kind === 'counter') { r.effects.push({ kind: 'counter' }); return; }
  if (s.kind === 'verdict' && !s.chain) { r.action = verdictActionOf(s.verdict, s.target); return; }
  const text = printStmt(canonicalStmt(s));
  switch (s.kind) {
    case 'log': {
      const prefix = s.options.find((o) => o.key === 'prefix');
      r.effects.push({ kind: 'log', name: 'log', text, ...(prefix && typeof prefix.value === 'string' ? { prefix: prefix.value } : {}) });
      return;
    }
    case 'limit': r.matches.push(opaqueMatch(`rate limit (${text.replace(/^limit rate /, '')}): depends on the traffic seen before`, text)); return;
    case 'quota': r.matches.push(opaqueMatch(`quota (${text.replace(/^quota /, '')}): depends on the bytes seen before`, text)); return;
    case 'reject': r.action = { kind: 'reject', with: rejectWith(s, tableFamily, context) }; return;
    case 'notrack': r.effects.push({ kind: 'notrack' }); return;
    case 'mangle': {
      const l = s.left;
      if (l.kind === 'meta' && l.key === 'mark') r.effects.push(markEffect('mark', s.value, text));
      else if (l.kind === 'ct' && l.key === 'mark' && l.dir === undefined) r.effects.push(markEffect('connmark', s.value, text));
      else r.effects.push({ kind: 'other', name: `${printExpr(l)} set`, text });
      return;
    }
    case 'nat': r.action = natAction(s, text); return;
    case 'queue': r.action = { kind: 'queue', text, bypass: s.flags.includes('bypass') }; return;
    case 'dynset': r.effects.push({ kind: 'other', name: `${s.op} @${s.set}`, text }); return;
    case 'objref':
      if (s.type === 'counter') r.effects.push({ kind: 'counter' });
      else if (s.type === 'quota' || s.type === 'limit') r.matches.push(opaqueMatch(`named ${s.type} ${printExpr(s.name)}: depends on the traffic seen before`, text));
      else r.effects.push({ kind: 'other', name: s.type, text });
      return;
    case 'other':
      if (s.name === 'ct count') r.matches.push(opaqueMatch('ct count: depends on the connections open at the time', text));
      else if (s.name === 'fwd') r.action = { kind: 'opaque', name: 'fwd', reason: 'fwd sends the packet out of another interface (it leaves this path)', terminal: true };
      else if (s.name === 'synproxy') r.action = { kind: 'opaque', name: 'synproxy', reason: 'synproxy answers the handshake itself: the verdict depends on the TCP handshake', terminal: true };
      else r.effects.push({ kind: 'other', name: s.name, text });
      return;
    case 'xt':
      if (s.type === 'match') r.matches.push(opaqueMatch(`xt match ${s.name}: an iptables-nft compat match whose options nft does not show`, text));
      else {
        const x = xtTarget(s.name, text);
        if (x.effect) r.effects.push(x.effect);
        if (x.action) r.action = x.action;
      }
      return;
    case 'verdict': {
      switch (s.verdict) {
        case 'accept': r.action = ACCEPT; return;
        case 'drop': r.action = DROP; return;
        case 'return': r.action = RETURN; return;
        case 'continue': r.action = CONTINUE; return;
        case 'queue': r.action = { kind: 'queue', text, bypass: false }; return;
        case 'jump': r.action = jump(s.target ?? ''); return;
        case 'goto': r.action = goTo(s.target ?? ''); return;
        default: return;
      }
    }
    case 'match': case 'vmap': return;
    default: return;
  }
}

const QUEUE_VERDICT: Action = { kind: 'queue', text: 'queue', bypass: false };

function verdictActionOf(v: string, target: string | undefined): Action {
  switch (v) {
    case 'accept': return ACCEPT;
    case 'drop': return DROP;
    case 'return': return RETURN;
    case 'continue': return CONTINUE;
    case 'jump': return jump(target ?? '');
    case 'goto': return goTo(target ?? '');
    default: return QUEUE_VERDICT;
  }
}

/** A verdict expression (vmap data) as an action. */
export function verdictAction(e: Expr): Action | undefined {
  const v = e.kind === 'elem' ? e.value : e;
  if (v.kind !== 'verdict') return undefined;
  switch (v.verdict) {
    case 'accept': return ACCEPT;
    case 'drop': return DROP;
    case 'return': return RETURN;
    case 'continue': return CONTINUE;
    case 'queue': return { kind: 'queue', text: 'queue', bypass: false };
    case 'jump': return jump(v.target ?? '');
    case 'goto': return goTo(v.target ?? '');
    default: return undefined;
  }
}
