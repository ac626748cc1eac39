/**
 * Rule statements: matches, verdicts, vmaps, counters, log, limit, quota, reject, NAT, mangling,
 * set updates and the statements fwdoctor only carries along (dup, fwd, tproxy, synproxy, flow …).
 */
import { type Datatype, mustType } from './datatypes.js';
import { type Token, describeToken, tokenSpan } from './lexer.js';
import { ExprParser, componentTypes } from './parse-expr.js';
import { parseNatStmt, parseQueueStmt, parseRedirectLike } from './parse-stmt-nat.js';
import {
  parseCtCount, parseDynset, parseForwarding, parseFlow, parseLast, parseLegacyDynset, parseMeter, parseReset, parseSynproxy, parseXt,
} from './parse-stmt-misc.js';
import { parseSelector, selectorAhead } from './parse-selector.js';
import { EXTHDR, PAYLOAD, dict, typeOfExpr } from './selectors.js';
import type { Expr, LogOption, RelOp, RuleSyntax, Stmt, VerdictName } from './syntax.js';

const REL_OPS: Readonly<Record<string, RelOp>> = dict({
  '==': '==', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!': '!',
  eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=',
});

/** Words that start a selector: a wrong word after them is reported as a wrong field, not a wrong statement. */
const SELECTOR_WORDS = new Set([...Object.keys(PAYLOAD), ...Object.keys(EXTHDR), 'meta', 'ct', 'rt', 'fib', 'exthdr', 'socket', 'osf', 'ipsec', 'numgen']);

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
      case 'add': case 'update': case 'delete': if (ts.at('@', 1)) return parseDynset(this); break;
      case 'set': if (ts.peek(1).kind === 'word' && ['add', 'update', 'delete'].includes(ts.peek(1).text)) return parseLegacyDynset(this); break;
      case 'meter': return parseMeter(this);
      case 'xt': return parseXt(this);
      case 'last': return parseLast(this);
      case 'flow': return parseFlow(this);
      case 'synproxy': return parseSynproxy(this);
      case 'dup': case 'fwd': case 'tproxy': return parseForwarding(this);
      case 'reset': return parseReset(this);
      case 'ct': {
        const next = ts.peek(1).text;
        if (next === 'count') return parseCtCount(this);
        if ((next === 'helper' || next === 'timeout' || next === 'expectation') && ts.at('set', 2)) {
          ts.next(); ts.next(); ts.next();
          const name = this.parseGeneral([mustType('string')]);
          return { kind: 'objref', type: `ct ${next}`, name, span: this.spanFrom(t) };
        }
        break;
      }
      default: break;
    }
    if (!selectorAhead(ts) && SELECTOR_WORDS.has(w) && ts.peek(1).kind === 'word') {
      parseSelector(ts, () => this.parseLhs());
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

  number(what: string): number {
    const t = this.ts.peek();
    if (t.kind === 'word' && /^(0x[0-9a-f]+|\d+)$/i.test(t.text)) {
      this.ts.next();
      return Number(t.text);
    }
    return this.ts.fail(`expected ${what}, got ${describeToken(t)}`, t);
  }

  oneOf(what: string, allowed: readonly string[]): string {
    const t = this.ts.peek();
    if (t.kind === 'word' && allowed.includes(t.text)) return this.ts.next().text;
    return this.ts.fail(`expected ${what} (${allowed.join(', ')}), got ${describeToken(t)}`, t, 'nftables/unknown-keyword');
  }

  parseCounter(): Stmt {
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

  parseLimit(): Stmt {
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

  parseQuota(): Stmt {
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





  override parseElemStmt(): Stmt | undefined {
    const ts = this.ts;
    if (ts.at('counter')) return this.parseCounter();
    if (ts.at('limit')) return this.parseLimit();
    if (ts.at('quota')) return this.parseQuota();
    if (ts.at('last')) return parseLast(this);
    if (ts.at('ct') && ts.at('count', 1)) return parseCtCount(this);
    return undefined;
  }







}
