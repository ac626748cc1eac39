/**
 * Selectors: the expressions that read a packet or metadata field
 * (`ip saddr`, `tcp option maxseg size`, `meta l4proto`, `ct original ip daddr`, `fib daddr type`, `@nh,8,8`…).
 */
import type { Span } from '../../diagnostics/source.js';
import { type Token, tokenSpan } from './lexer.js';
import {
  CT, CT_DIR_KEYS, EXTHDR, FIB_FLAGS, FIB_RESULTS, IP_OPTIONS, META, META_UNQUALIFIED, PAYLOAD, RT,
  SCTP_CHUNKS, SCTP_CHUNK_FIELDS, TCP_OPTIONS, TUNNELS,
} from './selectors.js';
import type { Expr, SpecialArg } from './syntax.js';
import type { TokenStream } from './token-stream.js';

const RAW_BASES = new Set(['ll', 'nh', 'th', 'ih']);
const SPECIAL_STARTS = new Set(['fib', 'socket', 'osf', 'ipsec', 'numgen', 'jhash', 'symhash', 'tunnel']);

function payloadFieldAhead(ts: TokenStream, proto: string, k: number): boolean {
  const fields = PAYLOAD[proto];
  if (!fields) return false;
  const f = ts.peek(k);
  if (f.kind !== 'word') return false;
  if (fields[f.text] !== undefined) return true;
  if (proto === 'arp' && (f.text === 'saddr' || f.text === 'daddr')) return true;
  if ((proto === 'tcp' || proto === 'ip' || proto === 'dccp') && f.text === 'option') return true;
  if (proto === 'sctp' && f.text === 'chunk') return true;
  if (TUNNELS.has(proto) && PAYLOAD[f.text] !== undefined && f.text !== proto) return payloadFieldAhead(ts, f.text, k + 1);
  return false;
}

/** True when the tokens ahead start a selector (and not a symbolic value such as `tcp` in `meta l4proto tcp`). */
export function selectorAhead(ts: TokenStream): boolean {
  const t = ts.peek();
  if (t.kind === 'punct') return t.text === '@' && RAW_BASES.has(ts.peek(1).text) && ts.at(',', 2);
  if (t.kind !== 'word') return false;
  const w = t.text;
  if (PAYLOAD[w] !== undefined && payloadFieldAhead(ts, w, 1)) return true;
  if (EXTHDR[w] !== undefined && ts.peek(1).kind === 'word' && EXTHDR[w]?.[ts.peek(1).text] !== undefined) return true;
  if (w === 'rt' && ts.peek(1).kind === 'word' && (RT[ts.peek(1).text] !== undefined || ts.at('ip', 1) || ts.at('ip6', 1))) return true;
  if (w === 'exthdr' || w === 'meta' || w === 'ct') return ts.peek(1).kind === 'word';
  if (META_UNQUALIFIED.has(w)) return true;
  return SPECIAL_STARTS.has(w) && ts.peek(1).kind === 'word';
}

function span(first: Token, ts: TokenStream): Span {
  return tokenSpan(first, ts.previous());
}

function number(ts: TokenStream, what: string, max = 0xffffffff): number {
  const t = ts.peek();
  if (t.kind === 'word' && /^(0x[0-9a-f]+|\d+)$/i.test(t.text)) {
    ts.next();
    const n = Number(t.text);
    if (n > max) return ts.fail(`expected ${what} (at most ${max}), got ${t.text}`, t, 'nftables/type-mismatch');
    return n;
  }
  return ts.fail(`expected ${what}, got '${t.text}'`, t);
}

function word(ts: TokenStream, what: string, allowed?: ReadonlySet<string> | readonly string[] | Readonly<Record<string, unknown>>): string {
  const t = ts.peek();
  const ok = (w: string): boolean => allowed === undefined ? true
    : allowed instanceof Set ? allowed.has(w) : Array.isArray(allowed) ? allowed.includes(w) : Object.hasOwn(allowed, w);
  if (t.kind === 'word' && ok(t.text)) {
    ts.next();
    return t.text;
  }
  const names = allowed === undefined ? [] : allowed instanceof Set || Array.isArray(allowed) ? [...allowed] : Object.keys(allowed);
  const list = names.length > 0 ? ` (${names.slice(0, 16).join(', ')})` : '';
  return ts.fail(`expected ${what}${list}, got ${t.kind === 'eof' ? 'end of file' : `'${t.text}'`}`, t, 'nftables/unknown-keyword');
}

/** Field name with an optional `[n]` index (`srh sid[1]`, `rt0 addr[2]`). */
function indexedField(ts: TokenStream, what: string, fields: Readonly<Record<string, string>>): string {
  const f = word(ts, what, fields);
  if (ts.at('[') && !ts.peek().spaced) {
    ts.next();
    const n = number(ts, 'an index');
    ts.expect(']');
    return `${f}[${n}]`;
  }
  return f;
}

function parsePayload(ts: TokenStream, first: Token, inner?: string): Expr {
  const proto = first.text;
  const sp = (): Span => span(first, ts);
  if (TUNNELS.has(proto) && ts.peek().kind === 'word' && PAYLOAD[ts.peek().text] !== undefined && ts.peek().text !== proto) {
    const innerFirst = ts.next();
    return parsePayload(ts, innerFirst, proto);
  }
  const withInner = <T extends object>(e: T): T => (inner === undefined ? e : { ...e, inner });
  if ((proto === 'tcp' || proto === 'dccp') && ts.accept('option')) {
    if (proto === 'dccp') return { kind: 'exthdr', space: 'dccp', name: String(number(ts, 'a DCCP option number', 255)), span: sp() };
    if (ts.at('@')) {
      ts.next();
      const kind = number(ts, 'an option kind', 255);
      ts.expect(',');
      const off = number(ts, 'an offset');
      ts.expect(',');
      const len = number(ts, 'a length');
      return { kind: 'exthdr', space: 'tcp', name: `@${kind},${off},${len}`, span: sp() };
    }
    const t = ts.peek();
    const name = t.kind === 'word' && /^\d+$/.test(t.text) ? String(number(ts, 'a TCP option number', 255)) : word(ts, 'a TCP option name', TCP_OPTIONS);
    const fields = TCP_OPTIONS[name] ?? { kind: 'int:8', length: 'int:8' };
    const f = ts.peek();
    if (f.kind === 'word' && fields[f.text] !== undefined) {
      ts.next();
      return { kind: 'exthdr', space: 'tcp', name, field: f.text, span: sp() };
    }
    return { kind: 'exthdr', space: 'tcp', name, span: sp() };
  }
  if (proto === 'ip' && ts.accept('option')) {
    const name = word(ts, 'an IP option name', IP_OPTIONS);
    const f = ts.peek();
    if (f.kind === 'word' && IP_OPTIONS[name]?.[f.text] !== undefined) {
      ts.next();
      return { kind: 'exthdr', space: 'ip', name, field: f.text, span: sp() };
    }
    return { kind: 'exthdr', space: 'ip', name, span: sp() };
  }
  if (proto === 'sctp' && ts.accept('chunk')) {
    const name = word(ts, 'an SCTP chunk type', SCTP_CHUNKS);
    const f = ts.peek();
    if (f.kind === 'word' && SCTP_CHUNK_FIELDS[f.text] !== undefined) {
      ts.next();
      return { kind: 'exthdr', space: 'sctp', name, field: f.text, span: sp() };
    }
    return { kind: 'exthdr', space: 'sctp', name, span: sp() };
  }
  const fields = PAYLOAD[proto] ?? {};
  if (proto === 'arp' && (ts.at('saddr') || ts.at('daddr'))) {
    const dir = ts.next().text;
    const kind = word(ts, `'ip' or 'ether' after 'arp ${dir}'`, ['ip', 'ether']);
    return withInner({ kind: 'payload', protocol: proto, field: `${dir} ${kind}`, span: sp() } as Expr);
  }
  const field = word(ts, `a field of '${proto}'`, fields);
  return withInner({ kind: 'payload', protocol: proto, field, span: sp() } as Expr);
}

function parseCt(ts: TokenStream, first: Token): Expr {
  let dir: 'original' | 'reply' | undefined;
  let family: 'ip' | 'ip6' | undefined;
  if (ts.at('original') || ts.at('reply')) dir = ts.next().text as 'original' | 'reply';
  if (dir !== undefined && (ts.at('ip') || ts.at('ip6'))) family = ts.next().text as 'ip' | 'ip6';
  const keys = dir === undefined ? CT : [...CT_DIR_KEYS];
  const key = word(ts, dir === undefined ? "a ct key (state, status, mark, …) or 'original'/'reply'" : `a ct key that takes a direction`, keys);
  return {
    kind: 'ct', key, span: span(first, ts),
    ...(dir !== undefined ? { dir } : {}),
    ...(family !== undefined ? { family } : {}),
  };
}

function specialArgs(ts: TokenStream, names: readonly string[]): SpecialArg[] {
  const args: SpecialArg[] = [];
  while (ts.peek().kind === 'word' && names.includes(ts.peek().text)) {
    const name = ts.next().text;
    args.push({ name, value: number(ts, `a number after '${name}'`) });
  }
  return args;
}

function parseSpecial(ts: TokenStream, first: Token, parseLhs: () => Expr): Expr {
  const name = first.text;
  const sp = (): Span => span(first, ts);
  switch (name) {
    case 'fib': {
      const flags = [word(ts, 'a fib input (saddr, daddr, mark, iif, oif)', FIB_FLAGS)];
      while (ts.at('.')) {
        ts.next();
        flags.push(word(ts, 'a fib input (saddr, daddr, mark, iif, oif)', FIB_FLAGS));
      }
      const result = word(ts, 'a fib result (oif, oifname, type, check)', FIB_RESULTS);
      const has = (f: string): boolean => flags.includes(f);
      if (has('saddr') === has('daddr')) ts.fail("fib needs exactly one of 'saddr' and 'daddr'", first, 'nftables/bad-option', ts.previous());
      if (has('iif') && has('oif')) ts.fail("fib cannot use both 'iif' and 'oif'", first, 'nftables/bad-option', ts.previous());
      if (has('oif') && result === 'type') ts.fail("'fib … oif type' is not supported: use 'iif' for an address type lookup", first, 'nftables/bad-option', ts.previous());
      return { kind: 'fib', flags, result, span: sp() };
    }
    case 'socket': {
      const key = word(ts, 'a socket key', ['transparent', 'mark', 'wildcard', 'cgroupv2']);
      const args: SpecialArg[] = key === 'cgroupv2' ? (ts.expect('level'), [{ name: 'level', value: number(ts, 'a level') }]) : [];
      return { kind: 'special', name, key, args, span: sp() };
    }
    case 'osf': {
      const args: SpecialArg[] = [];
      if (ts.accept('ttl')) args.push({ name: 'ttl', value: word(ts, 'an osf ttl mode', ['loose', 'skip', 'global']) });
      const key = word(ts, 'an osf key', ['name', 'version']);
      return { kind: 'special', name, key, args, span: sp() };
    }
    case 'ipsec': {
      const args: SpecialArg[] = [{ name: 'dir', value: word(ts, "'in' or 'out'", ['in', 'out']) }];
      if (ts.accept('spnum')) args.push({ name: 'spnum', value: number(ts, 'a policy number', 255) });
      let key = word(ts, 'an ipsec key', ['reqid', 'spi', 'ip', 'ip6']);
      if (key === 'ip' || key === 'ip6') key = `${key} ${word(ts, "'saddr' or 'daddr'", ['saddr', 'daddr'])}`;
      return { kind: 'special', name, key, args, span: sp() };
    }
    case 'numgen': {
      const key = word(ts, "'inc' or 'random'", ['inc', 'random']);
      ts.expect('mod');
      const args: SpecialArg[] = [{ name: 'mod', value: number(ts, 'a modulus') }, ...specialArgs(ts, ['offset'])];
      return { kind: 'special', name, key, args, span: sp() };
    }
    case 'jhash': {
      const expr = parseLhs();
      ts.expect('mod');
      const args: SpecialArg[] = [{ name: 'expr', value: expr }, { name: 'mod', value: number(ts, 'a modulus') }, ...specialArgs(ts, ['seed', 'offset'])];
      return { kind: 'special', name, key: '', args, span: sp() };
    }
    case 'symhash': {
      ts.expect('mod');
      const args: SpecialArg[] = [{ name: 'mod', value: number(ts, 'a modulus') }, ...specialArgs(ts, ['offset'])];
      return { kind: 'special', name, key: '', args, span: sp() };
    }
    default: {
      const key = word(ts, `a ${name} key`);
      return { kind: 'special', name, key, args: [], span: sp() };
    }
  }
}

/** Parses one selector at the cursor. `parseLhs` parses a full left-hand expression (for `jhash`). */
export function parseSelector(ts: TokenStream, parseLhs: () => Expr): Expr {
  const first = ts.peek();
  if (first.kind === 'punct' && first.text === '@') {
    ts.next();
    const base = word(ts, 'a payload base (ll, nh, th, ih)', RAW_BASES) as 'll' | 'nh' | 'th' | 'ih';
    ts.expect(',');
    const offset = number(ts, 'an offset in bits');
    ts.expect(',');
    const len = number(ts, 'a length in bits');
    return { kind: 'raw', base, offset, len, span: span(first, ts) };
  }
  if (first.kind !== 'word') return ts.fail(`expected an expression, got '${first.text}'`, first);
  const w = first.text;
  if (w === 'exthdr') {
    ts.next();
    const name = word(ts, 'an IPv6 extension header', EXTHDR);
    const f = ts.peek();
    if (f.kind === 'word' && EXTHDR[name]?.[f.text] !== undefined) {
      ts.next();
      return { kind: 'exthdr', space: 'ip6', name, field: f.text, span: span(first, ts) };
    }
    return { kind: 'exthdr', space: 'ip6', name, span: span(first, ts) };
  }
  if (w === 'rt' && !(EXTHDR.rt?.[ts.peek(1).text] !== undefined)) {
    ts.next();
    let family: 'ip' | 'ip6' | undefined;
    if (ts.at('ip') || ts.at('ip6')) family = ts.next().text as 'ip' | 'ip6';
    const key = word(ts, 'a routing key (classid, nexthop, mtu, ipsec)', RT);
    return { kind: 'rt', key, span: span(first, ts), ...(family ? { family } : {}) };
  }
  if (EXTHDR[w] !== undefined && ts.peek(1).kind === 'word' && EXTHDR[w]?.[ts.peek(1).text] !== undefined) {
    ts.next();
    const field = indexedField(ts, `a field of '${w}'`, EXTHDR[w] ?? {});
    return { kind: 'exthdr', space: 'ip6', name: w, field, span: span(first, ts) };
  }
  if (PAYLOAD[w] !== undefined) {
    ts.next();
    return parsePayload(ts, first);
  }
  if (w === 'meta') {
    ts.next();
    const key = word(ts, 'a meta key', META);
    return { kind: 'meta', key, span: span(first, ts) };
  }
  if (META_UNQUALIFIED.has(w)) {
    ts.next();
    return { kind: 'meta', key: w, span: span(first, ts) };
  }
  if (w === 'ct') {
    ts.next();
    return parseCt(ts, first);
  }
  if (SPECIAL_STARTS.has(w)) {
    ts.next();
    return parseSpecial(ts, first, parseLhs);
  }
  return ts.fail(`unknown expression '${w}': expected a selector such as ip saddr, tcp dport, meta l4proto or ct state`, first, 'nftables/unknown-keyword');
}
