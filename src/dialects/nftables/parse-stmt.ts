/**
 * Rule statements: matches, verdicts, vmaps, counters, log, limit, quota, reject, NAT, mangling,
 * set updates and the statements fwdoctor only carries along (dup, fwd, tproxy, synproxy, flow …).
 */
import { type Datatype, INVALID, mustType } from './datatypes.js';
import { type Token, describeToken, tokenSpan } from './lexer.js';
import { ExprParser, componentTypes } from './parse-expr.js';
import { parseNatStmt, parseQueueStmt, parseRedirectLike } from './parse-stmt-nat.js';
import { parseSelector, selectorAhead } from './parse-selector.js';
import { typeOfExpr } from './selectors.js';
import type { Expr, LogOption, RelOp, RuleSyntax, SpecialArg, Stmt, VerdictName } from './syntax.js';

const REL_OPS: Readonly<Record<string, RelOp>> = {
  '==': '==', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!': '!=',
  eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=',
};

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug', 'audit'];
const LOG_FLAGS = ['tcp', 'ip', 'skuid', 'ether', 'all'];
const RATE_UNITS = ['second', 'minute', 'hour', 'day', 'week'];
const BYTE_UNITS = ['bytes', 'kbytes', 'mbytes'];

export class StmtParser extends ExprParser {
  /** Statements until the end of the line (or `;`, `}`), as one rule. */
  parseRuleBody(first: Token): RuleSyntax {
    const stmts: Stmt[] = [];
    let comment: string | undefined;
    while (!this.ts.atEnd()) {
      if (this.ts.at('comment')) {
        this.ts.next();
        comment = this.ts.expectName('a quoted comment').text;
        continue;
      }
      stmts.push(this.parseStmt());
    }
    const last = this.ts.previous();
    const span = tokenSpan(first, last.file === first.file && last.end >= first.start ? last : first);
    const text = this.ts.textBetween(first, last.file === first.file && last.end >= first.start ? last : first);
    return { stmts, text, span, ...(comment !== undefined ? { comment } : {}) };
  }

  parseStmt(): Stmt {
    const ts = this.ts;
    const t = ts.peek();
    if (t.kind !== 'word' && !(t.kind === 'punct' && (t.text === '@' || t.text === '('))) {
      return ts.fail(`expected a statement, got ${describeToken(t)}`, t);
    }
    const w = t.text;
    switch (w) {
      case 'accept': case 'drop': case 'continue': case 'return': case 'jump': case 'goto':
        return this.parseVerdictStmt();
      case 'counter': return this.parseCounter();
      case 'log': return this.parseLog();
      case 'limit': return this.parseLimit();
      case 'quota': return this.parseQuota();
      case 'reject': return this.parseReject();
      case 'snat': case 'dnat': return parseNatStmt(this);
      case 'masquerade': case 'redirect': return parseRedirectLike(this);
      case 'notrack': ts.next(); return { kind: 'notrack', span: tokenSpan(t) };
      case 'queue': return parseQueueStmt(this);
      case 'add': case 'update': case 'delete': if (ts.at('@', 1)) return this.parseDynset(); break;
      case 'set': if (ts.peek(1).kind === 'word' && ['add', 'update', 'delete'].includes(ts.peek(1).text)) return this.parseLegacyDynset(); break;
      case 'meter': return this.parseMeter();
      case 'xt': return this.parseXt();
      case 'last': return this.parseLast();
      case 'flow': return this.parseFlow();
      case 'synproxy': return this.parseSynproxy();
      case 'dup': case 'fwd': case 'tproxy': return this.parseForwarding();
      case 'reset': return this.parseReset();
      case 'ct': {
        const next = ts.peek(1).text;
        if (next === 'count') return this.parseCtCount();
        if ((next === 'helper' || next === 'timeout' || next === 'expectation') && ts.at('set', 2)) {
          ts.next(); ts.next(); ts.next();
          const name = this.parseGeneral([mustType('string')]);
          return { kind: 'objref', type: `ct ${next}`, name, span: this.spanFrom(t) };
        }
        break;
      }
      default: break;
    }
    if (!selectorAhead(ts)) {
      return ts.fail(`unknown statement '${w}': expected a match (ip saddr …, tcp dport …), a verdict or a statement such as counter, log, reject`, t, 'nftables/unknown-keyword');
    }
    return this.parseExprStmt(t);
  }

  private parseExprStmt(first: Token): Stmt {
    const ts = this.ts;
    const left = this.parseLhs();
    if (ts.at('set') && ts.peek().kind === 'word') {
      ts.next();
      const value = this.parseGeneral([typeOfExpr(left, this.env.family)]);
      if (left.kind === 'meta' && left.key === 'secmark' && (value.kind === 'map' || (value.kind === 'value' && value.quoted))) {
        return { kind: 'objref', type: 'secmark', name: value, span: this.spanFrom(first) };
      }
      return { kind: 'mangle', left, value, span: this.spanFrom(first) };
    }
    if (ts.at('vmap')) {
      ts.next();
      const data = ts.at('@') ? this.parseSetRef() : this.parseSetBlock(componentTypes(left, this.env.family), 'verdict');
      return { kind: 'vmap', key: left, data, span: this.spanFrom(first) };
    }
    const opTok = ts.peek();
    let op: RelOp = 'implicit';
    if ((opTok.kind === 'punct' || opTok.kind === 'word') && REL_OPS[opTok.text] !== undefined) {
      ts.next();
      op = REL_OPS[opTok.text] as RelOp;
    }
    if (ts.atEnd()) return ts.fail(`expected a value to compare '${ts.textBetween(first, ts.previous())}' with, got ${describeToken(ts.peek())}`, ts.peek());
    const types = componentTypes(left, this.env.family);
    const isBitmask = types.length === 1 && (types[0] as Datatype).kind === 'bitmask';
    let right = this.parseRhs(types, true);
    let lhs = left;
    if (isBitmask && ts.at('/')) {
      ts.next();
      const mask = this.parseRhs(types, true);
      lhs = { kind: 'binop', op: '&', left, right: mask, span: this.spanFrom(first) };
      if (op === 'implicit') op = '==';
      right = right.kind === 'list' && right.items.length === 1 ? (right.items[0] as Expr) : right;
    }
    return { kind: 'match', left: lhs, op, right, span: this.spanFrom(first) };
  }

  private parseVerdictStmt(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const verdict = t.text as VerdictName;
    if (verdict === 'jump' || verdict === 'goto') {
      if (ts.at('{')) return { kind: 'verdict', verdict, chain: this.parseAnonChain(), span: this.spanFrom(t) };
      const target = ts.expectName(`a chain name after '${verdict}'`);
      return { kind: 'verdict', verdict, target: target.text, span: tokenSpan(t, target) };
    }
    return { kind: 'verdict', verdict, span: tokenSpan(t) };
  }

  /** `jump { rule; rule }`: an anonymous (bound) chain. */
  private parseAnonChain(): RuleSyntax[] {
    const ts = this.ts;
    ts.expect('{');
    const rules: RuleSyntax[] = [];
    ts.skipNewlines();
    while (!ts.at('}') && ts.peek().kind !== 'eof') {
      rules.push(this.parseRuleBody(ts.peek()));
      ts.skipNewlines();
    }
    ts.expect('}');
    return rules;
  }

  private number(what: string): number {
    const t = this.ts.peek();
    if (t.kind === 'word' && /^(0x[0-9a-f]+|\d+)$/i.test(t.text)) {
      this.ts.next();
      return Number(t.text);
    }
    return this.ts.fail(`expected ${what}, got ${describeToken(t)}`, t);
  }

  private oneOf(what: string, allowed: readonly string[]): string {
    const t = this.ts.peek();
    if (t.kind === 'word' && allowed.includes(t.text)) return this.ts.next().text;
    return this.ts.fail(`expected ${what} (${allowed.join(', ')}), got ${describeToken(t)}`, t, 'nftables/unknown-keyword');
  }

  private parseCounter(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    if (ts.accept('name')) return { kind: 'objref', type: 'counter', name: this.parseGeneral([mustType('string')]), span: this.spanFrom(t) };
    let packets: number | undefined;
    let bytes: number | undefined;
    for (;;) {
      if (ts.accept('packets')) packets = this.number('a packet count');
      else if (ts.accept('bytes')) bytes = this.number('a byte count');
      else break;
    }
    return { kind: 'counter', span: this.spanFrom(t), ...(packets !== undefined ? { packets } : {}), ...(bytes !== undefined ? { bytes } : {}) };
  }

  private parseLog(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const options: LogOption[] = [];
    for (;;) {
      if (ts.accept('prefix')) options.push({ key: 'prefix', value: ts.expectName('a log prefix').text });
      else if (ts.accept('level')) options.push({ key: 'level', value: this.oneOf('a log level', LOG_LEVELS) });
      else if (ts.at('group') || ts.at('snaplen') || ts.at('queue-threshold')) {
        const key = ts.next().text as 'group' | 'snaplen' | 'queue-threshold';
        options.push({ key, value: String(this.number(`a number after '${key}'`)) });
      } else if (ts.accept('flags')) {
        const flags: string[] = [];
        const kind = this.oneOf('a log flag', LOG_FLAGS);
        if (kind === 'tcp') {
          flags.push(`tcp ${this.oneOf('a tcp log flag', ['sequence', 'options'])}`);
          while (ts.accept(',')) flags.push(`tcp ${this.oneOf('a tcp log flag', ['sequence', 'options'])}`);
        } else if (kind === 'ip') flags.push(`ip ${this.oneOf('an ip log flag', ['options'])}`);
        else flags.push(kind);
        options.push({ key: 'flags', value: flags });
      } else break;
    }
    const has = (k: string): boolean => options.some((o) => o.key === k);
    const level = options.find((o) => o.key === 'level')?.value;
    if (level === 'audit' && options.length > 1) ts.fail("'log level audit' takes no other option", t, 'nftables/bad-option', ts.previous());
    if (has('group') && (has('level') || has('flags'))) ts.fail("'log group' (nflog) cannot be combined with 'level' or 'flags'", t, 'nftables/bad-option', ts.previous());
    return { kind: 'log', options, span: this.spanFrom(t) };
  }

  /** `N/unit` or `N unit/unit` (one word after the number, as nft's lexer reads it). */
  private parseRate(): { rate: number; unit: string; per: string } {
    const ts = this.ts;
    const tok = ts.peek();
    const m = tok.kind === 'word' ? /^(\d+)(?:\/(\w+))?$/.exec(tok.text) : null;
    if (!m) return ts.fail(`expected a rate such as 10/second or 1 mbytes/second, got ${describeToken(tok)}`, tok);
    ts.next();
    const rate = Number(m[1]);
    if (m[2] !== undefined) {
      if (!RATE_UNITS.includes(m[2])) return ts.fail(`expected a time unit (${RATE_UNITS.join(', ')}), got '${m[2]}'`, tok);
      return { rate, unit: 'packets', per: m[2] };
    }
    const unitTok = ts.peek();
    const um = unitTok.kind === 'word' ? /^(\w+)(?:\/(\w+))?$/.exec(unitTok.text) : null;
    if (um && BYTE_UNITS.includes(um[1] as string)) {
      ts.next();
      const per = um[2] ?? (ts.accept('/') ? this.oneOf('a time unit', RATE_UNITS) : ts.fail("expected '/second' … after the byte unit", ts.peek()));
      if (!RATE_UNITS.includes(per)) return ts.fail(`expected a time unit (${RATE_UNITS.join(', ')}), got '${per}'`, unitTok);
      return { rate, unit: um[1] as string, per };
    }
    if (ts.at('/')) {
      ts.next();
      return { rate, unit: 'packets', per: this.oneOf('a time unit', RATE_UNITS) };
    }
    return ts.fail(`expected '/second', '/minute' … or 'kbytes/second' right after the rate, got ${describeToken(unitTok)}`, unitTok);
  }

  private parseLimit(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    if (ts.accept('name')) return { kind: 'objref', type: 'limit', name: this.parseGeneral([mustType('string')]), span: this.spanFrom(t) };
    ts.expect('rate');
    const over = ts.accept('over') !== undefined;
    if (ts.accept('until')) { /* `until` is the default */ }
    const { rate, unit, per } = this.parseRate();
    let burst: number | undefined;
    let burstUnit: string | undefined;
    if (ts.accept('burst')) {
      burst = this.number('a burst size');
      burstUnit = this.oneOf('a burst unit', ['packets', ...BYTE_UNITS]);
      if ((burstUnit === 'packets') !== (unit === 'packets')) {
        return ts.fail(`expected the burst in ${unit === 'packets' ? 'packets' : 'bytes'} like the rate, got '${burstUnit}'`, ts.previous(), 'nftables/type-mismatch');
      }
    }
    return {
      kind: 'limit', rate, unit, per, over, span: this.spanFrom(t),
      ...(burst !== undefined ? { burst } : {}), ...(burstUnit !== undefined ? { burstUnit } : {}),
    };
  }

  private parseQuota(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    if (ts.accept('name')) return { kind: 'objref', type: 'quota', name: this.parseGeneral([mustType('string')]), span: this.spanFrom(t) };
    const over = ts.accept('over') !== undefined;
    ts.accept('until');
    const value = this.number('a quota size');
    const unit = this.oneOf('a byte unit', BYTE_UNITS);
    let used: number | undefined;
    let usedUnit: string | undefined;
    if (ts.accept('used')) {
      used = this.number('a used size');
      usedUnit = this.oneOf('a byte unit', BYTE_UNITS);
    }
    return {
      kind: 'quota', value, unit, over, span: this.spanFrom(t),
      ...(used !== undefined ? { used } : {}), ...(usedUnit !== undefined ? { usedUnit } : {}),
    };
  }

  private parseReject(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    if (!ts.accept('with')) return { kind: 'reject', span: tokenSpan(t) };
    const kind = this.oneOf("a reject type", ['icmp', 'icmpv6', 'icmp6', 'icmpx', 'tcp']);
    if (kind === 'tcp') {
      ts.expect('reset');
      return { kind: 'reject', type: 'tcp reset', span: this.spanFrom(t) };
    }
    ts.accept('type');
    const code = ts.expectName('an ICMP code name or number').text;
    const type = kind === 'icmp6' ? 'icmpv6' : (kind as 'icmp' | 'icmpv6' | 'icmpx');
    return { kind: 'reject', type, code, span: this.spanFrom(t) };
  }

  private parseDynset(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    ts.expect('@');
    const set = ts.expectName('a set name').text;
    ts.expect('{');
    const key = this.parseLhs();
    const stmts: Stmt[] = [];
    let data: Expr | undefined;
    const options = this.parseDynsetOptions(stmts);
    if (ts.accept(':')) data = this.parseGeneral([INVALID]);
    this.parseDynsetOptions(stmts);
    ts.skipNewlines();
    ts.expect('}');
    const withTimeout = options.length > 0 ? [...options, ...stmts] : stmts;
    return { kind: 'dynset', op: t.text as 'add' | 'update' | 'delete', set, key, stmts: withTimeout, span: this.spanFrom(t), ...(data ? { data } : {}) };
  }

  private parseDynsetOptions(stmts: Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      if (this.ts.at('timeout') || this.ts.at('expires')) {
        const key = this.ts.next().text;
        out.push({ kind: 'other', name: key, args: [{ name: 'value', value: this.ts.expectName('a time').text }] });
        continue;
      }
      const s = this.parseElemStmt();
      if (!s) return out;
      stmts.push(s);
    }
  }

  /** Old syntax `set add ip saddr @s`, `set update ip saddr timeout 10s @s`. */
  private parseLegacyDynset(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const op = ts.next().text as 'add' | 'update' | 'delete';
    const key = this.parseLhs();
    const stmts = this.parseDynsetOptions([]);
    ts.expect('@');
    const set = ts.expectName('a set name').text;
    return { kind: 'dynset', op, set, key, stmts, span: this.spanFrom(t) };
  }

  private parseMeter(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const set = ts.expectName('a meter name').text;
    if (ts.accept('size')) this.number('a size');
    ts.expect('{');
    const key = this.parseLhs();
    const stmts: Stmt[] = [];
    const opts = this.parseDynsetOptions(stmts);
    ts.expect('}');
    return { kind: 'dynset', op: 'update', set, key, stmts: [...opts, ...stmts], span: this.spanFrom(t) };
  }

  protected override parseElemStmt(): Stmt | undefined {
    const ts = this.ts;
    if (ts.at('counter')) return this.parseCounter();
    if (ts.at('limit')) return this.parseLimit();
    if (ts.at('quota')) return this.parseQuota();
    if (ts.at('last')) return this.parseLast();
    if (ts.at('ct') && ts.at('count', 1)) return this.parseCtCount();
    return undefined;
  }

  private parseCtCount(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    ts.expect('count');
    const args: SpecialArg[] = [];
    if (ts.accept('over')) args.push({ name: 'over', value: 1 });
    args.push({ name: 'count', value: this.number('a connection count') });
    return { kind: 'other', name: 'ct count', args, span: this.spanFrom(t) };
  }

  private parseLast(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const args: SpecialArg[] = [];
    if (ts.accept('used')) {
      const v = ts.expectName("'never' or a time");
      if (v.text !== 'never' && !/^(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/.test(v.text)) ts.fail(`expected 'never' or a time, got '${v.text}'`, v);
      args.push({ name: 'used', value: v.text });
    }
    return { kind: 'other', name: 'last', args, span: this.spanFrom(t) };
  }

  private parseXt(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const type = this.oneOf('an xt kind', ['match', 'target', 'watcher']) as 'match' | 'target' | 'watcher';
    const name = ts.expectName('an xtables extension name').text;
    return { kind: 'xt', type, name, span: this.spanFrom(t) };
  }

  private parseFlow(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    this.oneOf("'add' or 'offload'", ['add', 'offload']);
    ts.expect('@');
    const name = ts.expectName('a flowtable name').text;
    return { kind: 'other', name: 'flow', args: [{ name: 'table', value: name }], span: this.spanFrom(t) };
  }

  private parseSynproxy(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    if (ts.accept('name')) return { kind: 'objref', type: 'synproxy', name: this.parseGeneral([mustType('string')]), span: this.spanFrom(t) };
    const args: SpecialArg[] = [];
    for (;;) {
      if (ts.at('mss') || ts.at('wscale')) {
        const name = ts.next().text;
        args.push({ name, value: this.number(`a number after '${name}'`) });
      } else if (ts.at('timestamp') || ts.at('sack-perm')) args.push({ name: ts.next().text, value: 1 });
      else break;
    }
    return { kind: 'other', name: 'synproxy', args, span: this.spanFrom(t) };
  }

  /** dup / fwd / tproxy: kept with their arguments as expressions. */
  private parseForwarding(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const name = t.text;
    const args: SpecialArg[] = [];
    if (ts.at('ip') || ts.at('ip6')) args.push({ name: 'family', value: ts.next().text });
    if (name === 'tproxy') {
      ts.expect('to');
      if (!ts.at(':')) args.push({ name: 'addr', value: this.parseGeneral([INVALID]) });
      if (ts.accept(':')) args.push({ name: 'port', value: this.parseGeneral([mustType('inet_service')]) });
      if (args.every((a) => a.name === 'family')) ts.fail("expected an address or ':port' after 'tproxy to'", ts.peek());
      return { kind: 'other', name, args, span: this.spanFrom(t) };
    }
    ts.expect('to');
    args.push({ name: 'to', value: this.parseGeneral([name === 'fwd' && args.length === 0 ? mustType('iface_index') : INVALID]) });
    if (ts.accept('device')) args.push({ name: 'device', value: this.parseGeneral([mustType('iface_index')]) });
    return { kind: 'other', name, args, span: this.spanFrom(t) };
  }

  private parseReset(): Stmt {
    const ts = this.ts;
    const t = ts.next();
    const target = parseSelector(ts, () => this.parseLhs());
    if (target.kind !== 'exthdr' || target.space !== 'tcp') ts.fail("expected 'tcp option NAME' after 'reset'", t);
    return { kind: 'other', name: 'reset', args: [{ name: 'target', value: target }], span: this.spanFrom(t) };
  }
}
