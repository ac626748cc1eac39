/**
 * The checks `nft -c -f` performs after parsing: undefined chains, sets and objects, values that do
 * not fit the datatype of what they are compared with, conflicting protocols within a rule,
 * hooks, chain types and priorities that the family does not have, statements after a verdict.
 */
import { type Diagnostic, error } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { setDataTypes, setKeyTypes } from './builder.js';
import { checkRuleProtocols } from './check-protocols.js';
import { checkValue } from './check-values.js';
import { type Datatype, INVALID, integerType } from './datatypes.js';
import { componentTypes } from './parse-expr.js';
import { priorityNames, resolvePriority } from './priority.js';
import { valuesOf } from './convert-values.js';
import { printExpr } from './print-expr.js';
import { typeOfExpr } from './selectors.js';
import type { ChainSyntax, Expr, NftSyntax, RuleSyntax, SetSyntax, Stmt, TableSyntax } from './syntax.js';

const HOOKS: Readonly<Record<string, readonly string[]>> = {
  ip: ['prerouting', 'input', 'forward', 'output', 'postrouting'],
  ip6: ['prerouting', 'input', 'forward', 'output', 'postrouting'],
  inet: ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress'],
  arp: ['input', 'output'],
  bridge: ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress'],
  netdev: ['ingress', 'egress'],
};

const BRIDGE_META = new Set(['ibrname', 'obrname', 'ibriport', 'obriport', 'ibrpvid', 'ibrvproto']);

const TERMINAL = new Set(['accept', 'drop', 'return', 'jump', 'goto', 'continue', 'queue']);

export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  private table!: TableSyntax;
  private chain!: ChainSyntax;

  err(code: string, message: string, span: Span | undefined): void {
    this.diagnostics.push(error(code, message, span));
  }

  get family(): TableSyntax['family'] {
    return this.table.family;
  }

  findSet(name: string): SetSyntax | undefined {
    return this.table.sets.find((s) => s.name === name);
  }

  setKey(name: string): Datatype[] | undefined {
    const s = this.findSet(name);
    return s ? setKeyTypes(s, this.family) : undefined;
  }

  chainExists(name: string): boolean {
    return this.table.chains.some((c) => c.name === name);
  }

  checkTarget(target: string | undefined, span: Span | undefined): void {
    if (target !== undefined && !this.chainExists(target)) {
      this.err('nftables/undefined-chain', `chain '${target}' does not exist in table ${this.family} ${this.table.name}: expected the name of a chain of this table`, span);
    }
  }

  checkSetRef(name: string, span: Span | undefined, expected?: readonly Datatype[]): void {
    const s = this.findSet(name);
    if (!s) {
      this.err('nftables/undefined-set', `set '@${name}' does not exist in table ${this.family} ${this.table.name}: expected a set or map declared in this table`, span);
      return;
    }
    if (!expected) return;
    const have = setKeyTypes(s, this.family);
    if (have.length !== expected.length || have.some((t, i) => !compatible(t, expected[i] as Datatype))) {
      this.err('nftables/type-mismatch', `set '@${name}' holds ${have.map((t) => t.name).join(' . ')}, expected ${expected.map((t) => t.name).join(' . ')}`, span);
    }
  }

  run(syntax: NftSyntax): Diagnostic[] {
    for (const t of syntax.tables) {
      this.table = t;
      for (const s of t.sets) this.checkSet(s);
      for (const c of t.chains) {
        this.chain = c;
        this.checkChain(c);
        for (const r of c.rules) this.checkRule(r);
      }
    }
    return this.diagnostics;
  }

  private checkSet(s: SetSyntax): void {
    const key = setKeyTypes(s, this.family);
    const data = setDataTypes(s, this.family);
    if (key.some((t) => t.kind === 'invalid')) {
      const names = s.keyType.kind === 'types' ? s.keyType.names.join(' . ') : 'typeof …';
      this.err('nftables/unknown-type', `unknown datatype in '${names}' of set ${s.name}`, s.span);
      return;
    }
    const interval = s.flags.includes('interval');
    if (key.length === 1 && (s.map || (interval && !s.autoMerge))) this.checkOverlaps(s.elements, key[0] as Datatype, `${s.map ? 'map' : 'set'} ${s.name}`);
    for (const e of s.elements) {
      const k = e.kind === 'mapping' ? e.key : e;
      checkValue(this, k, key, { inSet: true, interval: interval || key.length > 1 });
      if (e.kind === 'mapping' && data !== undefined) {
        if (data === 'verdict') this.checkVerdictData(e.value);
        else checkValue(this, e.value, data, { inSet: true, interval: true });
      }
    }
  }

  checkVerdictData(e: Expr): void {
    const v = e.kind === 'elem' ? e.value : e;
    if (v.kind !== 'verdict') {
      this.err('nftables/type-mismatch', 'expected a verdict (accept, drop, jump CHAIN …) as map data', v.span);
      return;
    }
    if (v.verdict === 'jump' || v.verdict === 'goto') this.checkTarget(v.target, v.span);
  }

  private checkChain(c: ChainSyntax): void {
    const b = c.base;
    if (!b) return;
    const hooks = HOOKS[this.family] ?? [];
    if (!hooks.includes(b.hook)) {
      this.err('nftables/bad-hook', `hook '${b.hook}' does not exist for family ${this.family}: expected one of ${hooks.join(', ')}`, b.span ?? c.span);
    }
    if (!['filter', 'nat', 'route'].includes(b.type)) this.err('nftables/bad-chain-type', `unknown chain type '${b.type}': expected filter, nat or route`, b.span ?? c.span);
    else if (b.type === 'nat' && !['ip', 'ip6', 'inet'].includes(this.family)) this.err('nftables/bad-chain-type', `chain type nat does not exist for family ${this.family}`, b.span ?? c.span);
    else if (b.type === 'route' && (b.hook !== 'output' || !['ip', 'ip6', 'inet'].includes(this.family))) this.err('nftables/bad-chain-type', 'chain type route exists only on the output hook of ip, ip6 and inet tables', b.span ?? c.span);
    if (b.priority && resolvePriority(b.priority, this.family) === undefined) {
      const names = Object.keys(priorityNames(this.family)).join(', ');
      this.err('nftables/bad-priority', `'${b.priority.kind === 'named' ? b.priority.name : ''}' is not a priority name of family ${this.family}: expected a number or ${names}`, b.span ?? c.span);
    }
    if (c.policy !== undefined && c.policy !== 'accept' && c.policy !== 'drop') this.err('nftables/bad-policy', `unknown policy '${c.policy}': expected accept or drop`, b.span ?? c.span);
  }

  checkRule(r: RuleSyntax): void {
    let terminal: Stmt | undefined;
    for (const s of r.stmts) {
      if (terminal !== undefined) {
        this.err('nftables/statement-after-verdict', `statement after '${terminal.kind === 'verdict' ? terminal.verdict : terminal.kind}' is never reached: the verdict must be the last statement`, s.span ?? r.span);
        break;
      }
      this.checkStmt(s);
      if ((s.kind === 'verdict' && TERMINAL.has(s.verdict)) || (s.kind === 'nat' && (s.type === 'masquerade' || s.type === 'redirect')) || s.kind === 'reject') terminal = s;
    }
    checkRuleProtocols(this, r, this.chain);
  }

  private checkStmt(s: Stmt): void {
    switch (s.kind) {
      case 'match': {
        const types = componentTypes(s.left.kind === 'binop' ? innermost(s.left) : s.left, this.family);
        this.checkSelectors(s.left);
        checkValue(this, s.right, types, { inSet: false, interval: true, op: s.op });
        return;
      }
      case 'verdict':
        if (s.chain) for (const r of s.chain) this.checkRule(r);
        else if (s.verdict === 'jump' || s.verdict === 'goto') this.checkTarget(s.target, s.span);
        return;
      case 'vmap': {
        this.checkSelectors(s.key);
        const types = componentTypes(s.key, this.family);
        if (s.data.kind === 'setref') {
          this.checkSetRef(s.data.name, s.data.span, types);
          const set = this.findSet(s.data.name);
          if (set && setDataTypes(set, this.family) !== 'verdict') this.err('nftables/type-mismatch', `map '@${set.name}' does not map to verdicts: expected a verdict map`, s.data.span);
          return;
        }
        if (s.data.kind === 'set') {
          if (types.length === 1) this.checkOverlaps(s.data.items, types[0] as Datatype, 'verdict map');
          for (const e of s.data.items) {
            if (e.kind !== 'mapping') { this.err('nftables/type-mismatch', "expected 'key : verdict' elements in a verdict map", e.span ?? s.span); continue; }
            checkValue(this, e.key, types, { inSet: true, interval: true });
            this.checkVerdictData(e.value);
          }
        }
        return;
      }
      case 'mangle': {
        this.checkSelectors(s.left);
        if (s.left.kind === 'payload' && s.left.inner !== undefined) this.err('nftables/bad-option', `cannot change the inner header of a ${s.left.inner} tunnel`, s.left.span ?? s.span);
        if (s.value.kind === 'set') this.err('nftables/type-mismatch', `cannot set ${typeOfExpr(s.left, this.family).name} to a set of values: expected one value or an expression`, s.value.span ?? s.span);
        else checkValue(this, s.value, [typeOfExpr(s.left, this.family)], { inSet: false, interval: false, general: true });
        return;
      }
      case 'dynset':
        if (!this.findSet(s.set)) this.err('nftables/undefined-set', `set '@${s.set}' does not exist in table ${this.family} ${this.table.name}`, s.span);
        return;
      case 'nat':
        if (s.addr) checkValue(this, s.addr, [INVALID], { inSet: false, interval: true, general: true });
        return;
      case 'queue': this.checkQueue(s); return;
      default:
        return;
    }
  }

  /** Elements whose intervals overlap (nft: "conflicting intervals specified"). */
  checkOverlaps(items: readonly Expr[], t: Datatype, what: string): void {
    if (t.kind === 'invalid' || t.kind === 'string') return;
    const ivs: { lo: bigint; hi: bigint; e: Expr }[] = [];
    for (const it of items) {
      const k0 = it.kind === 'mapping' ? it.key : it;
      const k = k0.kind === 'elem' ? k0.value : k0;
      if (k.kind === 'wildcard') continue;
      const v = valuesOf(k, t, () => []);
      if (v.kind !== 'ints') continue;
      for (const [lo, hi] of v.ivs) ivs.push({ lo, hi, e: k });
    }
    ivs.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    for (let i = 1; i < ivs.length; i++) {
      const prev = ivs[i - 1];
      const cur = ivs[i];
      if (prev && cur && cur.lo <= prev.hi) {
        this.err('nftables/conflicting-intervals', `conflicting intervals in ${what}: ${printExpr(cur.e)} overlaps ${printExpr(prev.e)}`, cur.e.span ?? prev.e.span);
        return;
      }
    }
  }

  private checkQueue(s: Extract<Stmt, { kind: 'queue' }>): void {
    const n = s.num;
    if (!n) return;
    if (n.kind === 'value' || n.kind === 'range') {
      checkValue(this, n, [integerType(16)], { inSet: false, interval: true });
      return;
    }
    const hashLike = n.kind === 'special' && ['numgen', 'jhash', 'symhash'].includes(n.name);
    if (!hashLike && n.kind !== 'map') {
      this.err('nftables/type-mismatch', 'expected a queue number, a range, or numgen / jhash / symhash / a map to pick one', n.span ?? s.span);
      return;
    }
    if (s.flags.includes('fanout')) this.err('nftables/bad-option', "'fanout' cannot be used when the queue number is computed", s.span);
    const arg = (name: string): number => {
      const a = n.kind === 'special' ? n.args.find((x) => x.name === name)?.value : undefined;
      return typeof a === 'number' ? a : 0;
    };
    if (hashLike && arg('mod') + arg('offset') > 65536) this.err('nftables/type-mismatch', `queue numbers up to ${arg('mod') + arg('offset') - 1} exceed 65535`, n.span ?? s.span);
  }

  /** Selector-level checks: `ct original saddr` needs a family in inet tables, and so on. */
  private checkSelectors(e: Expr): void {
    const sels = e.kind === 'concat' ? e.items : e.kind === 'binop' ? [innermost(e)] : [e];
    for (const sel of sels) {
      if (sel.kind === 'ct' && (sel.key === 'saddr' || sel.key === 'daddr') && sel.family === undefined && e.kind === 'concat') {
        this.err('nftables/type-mismatch', `ct ${sel.dir ?? ''} ${sel.key} in a concatenation needs 'ip' or 'ip6': expected 'ct ${sel.dir ?? 'original'} ip ${sel.key}'`, sel.span);
      }
      if (sel.kind === 'meta' && BRIDGE_META.has(sel.key) && this.family !== 'bridge') {
        this.err('nftables/bad-family', `meta ${sel.key} exists only in bridge tables`, sel.span);
      }
      if (sel.kind === 'payload' && sel.inner === 'gre' && (sel.protocol === 'ether' || sel.protocol === 'vlan')) {
        this.err('nftables/bad-protocol', `gre does not carry ${sel.protocol} frames (use gretap)`, sel.span);
      }
      if (sel.kind === 'ct' && (sel.key === 'saddr' || sel.key === 'daddr' || sel.key === 'proto-src' || sel.key === 'proto-dst') && sel.dir === undefined) {
        this.err('nftables/syntax', `ct ${sel.key} needs a direction: expected 'ct original ${sel.key}' or 'ct reply ${sel.key}'`, sel.span);
      }
    }
  }
}

function innermost(e: Expr): Expr {
  let cur = e;
  while (cur.kind === 'binop') cur = cur.left;
  return cur;
}

/** Whether values of type `a` may be looked up in a set of type `b`. */
export function compatible(a: Datatype, b: Datatype): boolean {
  if (a.kind === 'invalid' || b.kind === 'invalid') return true;
  if (a.name === b.name) return true;
  if (a.kind !== b.kind) return (a.kind === 'integer' || a.kind === 'bitmask') && (b.kind === 'integer' || b.kind === 'bitmask') && (a.name === 'integer' || b.name === 'integer');
  if (a.kind === 'string') return true;
  return a.name === 'integer' || b.name === 'integer' || a.name === 'bitmask' || b.name === 'bitmask';
}

export function checkNftSyntax(syntax: NftSyntax): Diagnostic[] {
  return new Checker().run(syntax);
}
