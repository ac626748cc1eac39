/**
 * Blocks of the text language: `table … { }`, `chain … { }`, `set/map … { }`, `flowtable … { }` and
 * named objects (`counter`, `quota`, `ct helper` …), as they appear in `nft list ruleset` output.
 */
import { datatype } from './datatypes.js';
import { tokenSpan, type Token, describeToken } from './lexer.js';
import { selectorAhead } from './parse-selector.js';
import { type RulesetBuilder, setDataTypes, setKeyTypes } from './builder.js';
import type { StmtParser } from './parse-stmt.js';
import type { ChainSyntax, Expr, FlowtableSyntax, Priority, SetSyntax, Stmt, TableSyntax, TypeSpec } from './syntax.js';
import { SyntaxFailure, type TokenStream } from './token-stream.js';

export interface BlockContext {
  readonly ts: TokenStream;
  readonly sp: StmtParser;
  readonly b: RulesetBuilder;
  /** `# handle N` comment on the token's line (from `nft -a list ruleset`). */
  handleAt(t: Token): number | undefined;
  /** `define` inside a block. */
  parseDefine(): void;
}

export const OBJECT_TYPES = ['counter', 'quota', 'limit', 'secmark', 'synproxy', 'tunnel'];
export const CT_OBJECT_TYPES = ['helper', 'timeout', 'expectation'];

/** Runs `body` for each statement of a `{ … }` block, recovering from errors line by line. */
export function eachInBlock(ctx: BlockContext, body: () => void): void {
  const { ts } = ctx;
  const open = ts.expect('{');
  const depth = ts.depth;
  for (;;) {
    ts.skipNewlines();
    if (ts.at('}')) { ts.next(); return; }
    if (ts.peek().kind === 'eof') {
      ts.report('nftables/syntax', "expected '}' to close the block opened here, got end of file", tokenSpan(open));
      return;
    }
    const before = ts.pos;
    try {
      body();
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      if (e.diagnostic) ts.diagnostics.push(e.diagnostic);
      ts.recover(depth);
    }
    if (!ts.atEnd() && !(ts.pos > before && ts.previous().text === '}')) {
      const t = ts.peek();
      ts.report('nftables/syntax', `expected end of line after the statement, got ${describeToken(t)}`, tokenSpan(t));
      ts.recover(depth);
    }
    if (ts.pos === before) ts.next();
  }
}

export function parsePriority(ts: TokenStream): Priority {
  const t = ts.peek();
  if (t.kind === 'word' && /^-?\d+$/.test(t.text)) {
    ts.next();
    return { kind: 'number', value: Number(t.text) };
  }
  if (t.kind !== 'word' || /^\d/.test(t.text)) return ts.fail(`expected a priority (a number or raw, mangle, dstnat, filter, security, srcnat, out), got ${describeToken(t)}`, t);
  ts.next();
  let offset = 0;
  if (ts.at('+') || ts.at('-')) {
    const sign = ts.next().text === '-' ? -1 : 1;
    const n = ts.peek();
    if (n.kind !== 'word' || !/^\d+$/.test(n.text)) return ts.fail(`expected a number after '${sign < 0 ? '-' : '+'}', got ${describeToken(n)}`, n);
    ts.next();
    offset = sign * Number(n.text);
  } else if (ts.peek().kind === 'word' && /^-\d+$/.test(ts.peek().text)) {
    offset = Number(ts.next().text);
  }
  return { kind: 'named', name: t.text, offset };
}

function parseDeviceList(ctx: BlockContext): string[] {
  const { ts } = ctx;
  ts.accept('=');
  if (!ts.at('{')) return [ts.expectName('a device name').text];
  ts.next();
  const out: string[] = [];
  ts.skipNewlines();
  while (!ts.at('}')) {
    out.push(ts.expectName('a device name').text);
    ts.skipNewlines();
    if (!ts.accept(',')) break;
    ts.skipNewlines();
  }
  ts.expect('}');
  return out;
}

export function parseTableBody(ctx: BlockContext, table: TableSyntax): void {
  const { ts, b } = ctx;
  ctx.sp.env.family = table.family;
  const before = b.snapshot(table);
  eachInBlock(ctx, () => {
    const t = ts.peek();
    switch (t.text) {
      case 'define': case 'redefine': case 'undefine': ctx.parseDefine(); return;
      case 'flags': {
        ts.next();
        const flags = [ts.expectName('a table flag').text];
        while (ts.accept(',')) flags.push(ts.expectName('a table flag').text);
        (table as { flags: readonly string[] }).flags = flags;
        return;
      }
      case 'comment': ts.next(); (table as { comment?: string }).comment = ts.expectName('a comment').text; return;
      case 'chain': {
        ts.next();
        const name = ts.expectName('a chain name');
        const { chain } = b.ensureChain(table, name.text, tokenSpan(name));
        if (ts.at('{')) parseChainBody(ctx, table, chain);
        return;
      }
      case 'set': case 'map': {
        ts.next();
        const name = ts.expectName(`a ${t.text} name`);
        b.addSet(table, parseSetBody(ctx, name, t.text === 'map', table.family));
        return;
      }
      case 'flowtable': {
        ts.next();
        const name = ts.expectName('a flowtable name');
        table.flowtables.push(parseFlowtableBody(ctx, name));
        return;
      }
      case 'ct': {
        ts.next();
        const kind = ts.peek();
        if (!CT_OBJECT_TYPES.includes(kind.text)) ts.fail(`expected helper, timeout or expectation after 'ct', got ${describeToken(kind)}`, kind, 'nftables/unknown-keyword');
        ts.next();
        table.objects.push(parseObjectBody(ctx, `ct ${kind.text}`, ts.expectName('an object name')));
        return;
      }
      default:
        if (OBJECT_TYPES.includes(t.text)) {
          ts.next();
          table.objects.push(parseObjectBody(ctx, t.text, ts.expectName('an object name')));
          return;
        }
        ts.fail(`unknown table statement ${describeToken(t)}: expected chain, set, map, flowtable, flags, comment or a named object`, t, 'nftables/unknown-keyword');
    }
  });
  b.renumberBlock(table, before);
}

export function parseChainBody(ctx: BlockContext, table: TableSyntax, chain0: ChainSyntax): void {
  const { ts, b } = ctx;
  let chain = chain0;
  const update = (patch: Partial<ChainSyntax>): void => {
    const next = { ...chain, ...patch } as ChainSyntax;
    b.replaceChain(table, chain, next);
    chain = next;
  };
  const handle = ctx.handleAt(ts.peek());
  if (handle !== undefined) {
    update({ handle });
    b.markExplicit(chain);
  }
  eachInBlock(ctx, () => {
    const t = ts.peek();
    if (t.text === 'type' && t.kind === 'word' && ts.peek(1).kind === 'word' && ts.at('hook', 2)) {
      ts.next();
      const type = ts.expectName('a chain type (filter, nat, route)').text;
      ts.expect('hook');
      const hook = ts.expectName('a hook name').text;
      let devices: string[] = [];
      if (ts.accept('device')) devices = [ts.expectName('a device name').text];
      else if (ts.accept('devices')) devices = parseDeviceList(ctx);
      let priority: Priority | undefined;
      if (ts.accept('priority')) priority = parsePriority(ts);
      const base = { span: tokenSpan(t, ts.previous()), type, hook, devices: devices.length > 0 ? devices : (chain.base?.devices ?? []), ...(priority ? { priority } : {}) };
      update({ base });
      return;
    }
    if (t.text === 'policy' && t.kind === 'word' && ts.peek(1).kind === 'word' && ['accept', 'drop'].includes(ts.peek(1).text)) {
      ts.next();
      update({ policy: ts.next().text });
      return;
    }
    if (t.text === 'devices' && ts.at('=', 1)) {
      ts.next();
      const devices = parseDeviceList(ctx);
      if (chain.base) update({ base: { ...chain.base, devices } });
      return;
    }
    if (t.text === 'comment' && t.kind === 'word' && ts.peek(1).kind === 'string' && ts.peek(2).kind !== 'word') {
      ts.next();
      update({ comment: ts.next().text });
      return;
    }
    if (t.text === 'flags' && ts.at('offload', 1)) {
      ts.next();
      update({ flags: [ts.next().text] });
      return;
    }
    if (t.text === 'define' || t.text === 'redefine' || t.text === 'undefine') { ctx.parseDefine(); return; }
    const rule = ctx.sp.parseRuleBody(t);
    const h = ctx.handleAt(ts.previous());
    b.addRule(table, chain, h === undefined ? rule : { ...rule, handle: h });
  });
}

/** `type a . b` names, or `typeof expr . expr`; map data after `typeof` may still be type names (`: verdict`, `: ct helper`). */
function parseTypeSpec(ctx: BlockContext, typeofForm: boolean, isData = false): TypeSpec {
  const { ts } = ctx;
  if (typeofForm && isData && ts.at('ct') && ['helper', 'timeout', 'expectation'].includes(ts.peek(1).text)) {
    ts.next();
    return { kind: 'types', names: [`ct ${ts.next().text}`] };
  }
  const typeName = ts.peek().kind === 'word' && datatype(ts.peek().text) !== undefined;
  if (typeofForm && isData && typeName && (!selectorAhead(ts) || ts.at('.', 1) || ts.peek(1).kind === 'newline' || ts.at(';', 1) || ts.at('}', 1))) {
    typeofForm = false;
  }
  if (typeofForm) {
    const exprs = [ctx.sp.parseLhs()];
    return { kind: 'typeof', exprs: exprs[0]?.kind === 'concat' ? exprs[0].items : exprs };
  }
  const names = [ts.expectName('a datatype').text];
  while (ts.accept('.')) names.push(ts.expectName('a datatype').text);
  return { kind: 'types', names };
}

export function parseSetBody(ctx: BlockContext, nameTok: Token, isMap: boolean, family: TableSyntax['family']): SetSyntax {
  const { ts } = ctx;
  const set: {
    -readonly [K in keyof SetSyntax]: SetSyntax[K]
  } = { name: nameTok.text, map: isMap, keyType: { kind: 'types', names: [] }, flags: [], elements: [], autoMerge: false, stmts: [], span: tokenSpan(nameTok) };
  const handle = ctx.handleAt(ts.peek());
  if (handle !== undefined) set.handle = handle;
  eachInBlock(ctx, () => {
    const t = ts.next();
    switch (t.text) {
      case 'type': case 'typeof': {
        set.keyType = parseTypeSpec(ctx, t.text === 'typeof');
        if (ts.accept(':')) {
          if (!isMap) ts.fail("a set has no data type: use 'map' for 'key : data'", ts.previous(), 'nftables/type-mismatch');
          if (ts.accept('interval')) set.dataInterval = true;
          set.dataType = parseTypeSpec(ctx, t.text === 'typeof', true);
        }
        return;
      }
      case 'flags': {
        const flags = [ts.expectName('a set flag').text];
        while (ts.accept(',')) flags.push(ts.expectName('a set flag').text);
        set.flags = [...set.flags, ...flags];
        return;
      }
      case 'timeout': set.timeout = ts.expectName('a timeout').text; return;
      case 'gc-interval': set.gcInterval = ts.expectName('an interval').text; return;
      case 'size': set.size = Number(ts.expectName('a size').text); return;
      case 'policy': set.policy = ts.expectName('a set policy').text; return;
      case 'auto-merge': set.autoMerge = true; return;
      case 'comment': set.comment = ts.expectName('a comment').text; return;
      case 'elements': {
        ts.expect('=');
        const block = ctx.sp.parseSetBlock(setKeyTypes(set as SetSyntax, family), setDataTypes(set as SetSyntax, family));
        if (block.kind === 'set') set.elements = [...set.elements, ...block.items];
        return;
      }
      case 'counter': case 'limit': case 'quota': case 'last': case 'ct': {
        ts.pos--;
        const stmts: Stmt[] = [];
        while (!ts.atEnd()) stmts.push(ctx.sp.parseStmt());
        set.stmts = [...set.stmts, ...stmts];
        return;
      }
      default: ts.fail(`unknown set statement ${describeToken(t)}: expected type, typeof, flags, timeout, size, elements …`, t, 'nftables/unknown-keyword');
    }
  });
  return set as SetSyntax;
}

function parseFlowtableBody(ctx: BlockContext, nameTok: Token): FlowtableSyntax {
  const { ts } = ctx;
  const ft: { -readonly [K in keyof FlowtableSyntax]: FlowtableSyntax[K] } = { name: nameTok.text, hook: 'ingress', devices: [], flags: [], counter: false, span: tokenSpan(nameTok) };
  eachInBlock(ctx, () => {
    const t = ts.next();
    switch (t.text) {
      case 'hook':
        ft.hook = ts.expectName('a hook').text;
        if (ts.accept('priority')) ft.priority = parsePriority(ts);
        return;
      case 'devices': ft.devices = parseDeviceList(ctx); return;
      case 'flags': ft.flags = [ts.expectName('a flowtable flag').text]; return;
      case 'counter': ft.counter = true; return;
      default: ts.fail(`unknown flowtable statement ${describeToken(t)}: expected hook, devices, flags or counter`, t, 'nftables/unknown-keyword');
    }
  });
  return ft;
}

/** Named objects keep their body as text lines; fwdoctor does not evaluate them. */
function parseObjectBody(ctx: BlockContext, type: string, nameTok: Token): { type: string; name: string; body: [string, string][]; span: ReturnType<typeof tokenSpan> } {
  const { ts } = ctx;
  const body: [string, string][] = [];
  eachInBlock(ctx, () => {
    const first = ts.next();
    let depth = 0;
    let last = first;
    while (!(depth === 0 && ts.atEnd())) {
      const t = ts.next();
      if (t.kind === 'eof') break;
      if (t.text === '{') depth++;
      if (t.text === '}') depth--;
      last = t;
    }
    const text = ts.textBetween(first, last);
    const key = first.kind === 'string' ? '' : first.text;
    body.push([key, first.kind === 'string' ? `"${first.text}"` : text.slice(first.text.length).trim()]);
  });
  return { type, name: nameTok.text, body, span: tokenSpan(nameTok) };
}

export type { Expr };
