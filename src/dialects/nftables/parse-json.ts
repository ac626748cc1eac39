/**
 * `nft -j list ruleset` output (and `nft -j -f` command documents) as the shared syntax tree.
 * Diagnostics name the JSON path and point at the line and column of the object concerned.
 */
import { type Diagnostic, type Parsed, error } from '../../diagnostics/diagnostic.js';
import { type SourceFile, type Span, positionAt, spanAt } from '../../diagnostics/source.js';
import { RulesetBuilder, typesOfSpec } from './builder.js';
import { type Json, isObject, readJson } from './json-reader.js';
import { type JsonCtx, jsonExpr, jsonRuleBody, jsonSetItem, jsonStmt } from './parse-json-expr.js';
import { printRuleBody } from './print-expr.js';
import { typeOfExpr } from './selectors.js';
import { type Expr, NFT_FAMILIES, type NftFamily, type NftSyntax, type Priority, type Stmt, type TableSyntax, type TypeSpec } from './syntax.js';

class JsonParser implements JsonCtx {
  readonly b = new RulesetBuilder();
  readonly diagnostics: Diagnostic[] = [];
  private lastObject: object | undefined;

  constructor(readonly file: SourceFile, readonly offsets: Map<object, number>) {}

  spanOf(at: Json | undefined, parent?: Json): Span {
    const obj = typeof at === 'object' && at !== null ? at : typeof parent === 'object' && parent !== null ? parent : this.lastObject;
    const off = obj === undefined ? 0 : this.offsets.get(obj) ?? 0;
    const start = positionAt(this.file, off);
    return { file: this.file.name, start, end: { line: start.line, column: start.column + 1 } };
  }

  report(path: string, at: Json | undefined, message: string, code = 'nftables/json'): void {
    this.diagnostics.push(error(code, `${path}: ${message}`, this.spanOf(at)));
  }

  private family(v: Json | undefined, path: string, at: Json): NftFamily {
    if (typeof v === 'string' && (NFT_FAMILIES as readonly string[]).includes(v)) return v as NftFamily;
    this.report(`${path}.family`, at, `expected a family (${NFT_FAMILIES.join(', ')}), got ${JSON.stringify(v)}`);
    return 'ip';
  }

  private table(o: { [k: string]: Json }, path: string, create: boolean): TableSyntax | undefined {
    const family = this.family(o['family'], path, o);
    const name = typeof o['table'] === 'string' ? o['table'] : typeof o['name'] === 'string' && create ? o['name'] : undefined;
    if (name === undefined) {
      this.report(`${path}.table`, o, 'expected a table name');
      return undefined;
    }
    if (create) return this.b.ensureTable(family, name, this.spanOf(o)).table;
    const t = this.b.findTable(family, name);
    if (!t) this.report(`${path}.table`, o, `table '${family} ${name}' is not defined before it is used`, 'nftables/undefined-table');
    return t;
  }

  private typeSpec(v: Json | undefined, path: string): TypeSpec {
    if (isObject(v) && v['typeof'] !== undefined) {
      const e = jsonExpr(v['typeof'], `${path}.typeof`, this);
      return { kind: 'typeof', exprs: e.kind === 'concat' ? e.items : [e] };
    }
    if (Array.isArray(v)) return { kind: 'types', names: v.map((x) => (typeof x === 'string' ? x : '')) };
    return { kind: 'types', names: [typeof v === 'string' ? v : ''] };
  }

  private add(kind: string, o: { [k: string]: Json }, path: string): void {
    this.lastObject = o;
    const b = this.b;
    switch (kind) {
      case 'table': {
        const family = this.family(o['family'], path, o);
        const name = typeof o['name'] === 'string' ? o['name'] : '';
        const { table } = b.ensureTable(family, name, this.spanOf(o));
        const mut = table as { flags: readonly string[]; comment?: string; handle?: number };
        if (Array.isArray(o['flags'])) mut.flags = o['flags'].map(String);
        else if (typeof o['flags'] === 'string') mut.flags = [o['flags']];
        if (typeof o['comment'] === 'string') mut.comment = o['comment'];
        return;
      }
      case 'chain': {
        const t = this.table(o, path, false);
        if (!t) return;
        const name = typeof o['name'] === 'string' ? o['name'] : '';
        const { chain } = b.ensureChain(t, name, this.spanOf(o));
        const devs = Array.isArray(o['dev']) ? o['dev'].map(String) : typeof o['dev'] === 'string' ? [o['dev']] : [];
        const prio: Priority | undefined = typeof o['prio'] === 'number' ? { kind: 'number', value: o['prio'] } : undefined;
        const next = {
          ...chain,
          ...(typeof o['hook'] === 'string' ? { base: { type: typeof o['type'] === 'string' ? o['type'] : 'filter', hook: o['hook'], devices: devs, ...(prio ? { priority: prio } : {}) } } : {}),
          ...(typeof o['policy'] === 'string' ? { policy: o['policy'] } : {}),
          ...(typeof o['comment'] === 'string' ? { comment: o['comment'] } : {}),
          ...(typeof o['handle'] === 'number' && o['handle'] > 0 ? { handle: o['handle'] } : {}),
        };
        b.replaceChain(t, chain, next);
        return;
      }
      case 'rule': {
        const t = this.table(o, path, false);
        if (!t) return;
        const cname = typeof o['chain'] === 'string' ? o['chain'] : '';
        const chain = t.chains.find((c) => c.name === cname);
        if (!chain) {
          this.report(`${path}.chain`, o, `chain '${cname}' is not defined in table '${t.family} ${t.name}'`, 'nftables/undefined-chain');
          return;
        }
        const { stmts } = jsonRuleBody(o['expr'], `${path}.expr`, this);
        const quoted = stmts.map((s) => quoteStrings(s, t.family));
        const comment = typeof o['comment'] === 'string' ? o['comment'] : undefined;
        const body = { stmts: quoted, ...(comment !== undefined ? { comment } : {}) };
        const handle = typeof o['handle'] === 'number' && o['handle'] > 0 ? o['handle'] : undefined;
        b.addRule(t, chain, { ...body, text: printRuleBody(body), span: this.spanOf(o), ...(handle !== undefined ? { handle } : {}) });
        return;
      }
      case 'set': case 'map': {
        const t = this.table(o, path, false);
        if (!t) return;
        const elems = Array.isArray(o['elem']) ? o['elem'].map((x, i) => jsonSetItem(x, `${path}.elem[${i}]`, this)) : [];
        const flags = Array.isArray(o['flags']) ? o['flags'].map(String) : typeof o['flags'] === 'string' ? [o['flags']] : [];
        const stmts: Stmt[] = Array.isArray(o['stmt']) ? o['stmt'].map((s, i) => jsonStmt(s, `${path}.stmt[${i}]`, this)) : [];
        b.addSet(t, {
          name: typeof o['name'] === 'string' ? o['name'] : '', map: kind === 'map', keyType: this.typeSpec(o['type'], `${path}.type`),
          ...(kind === 'map' ? { dataType: this.typeSpec(o['map'], `${path}.map`) } : {}),
          flags, elements: elems.map((e) => quoteExpr(e, t.family, isStringType(this.typeSpec(o['type'], `${path}.type`), t.family), isBitmaskType(this.typeSpec(o['type'], `${path}.type`), t.family))), autoMerge: o['auto-merge'] === true, stmts, span: this.spanOf(o),
          ...(typeof o['size'] === 'number' ? { size: o['size'] } : {}),
          ...(typeof o['timeout'] === 'number' ? { timeout: `${o['timeout']}s` } : {}),
          ...(typeof o['gc-interval'] === 'number' ? { gcInterval: `${o['gc-interval']}s` } : {}),
          ...(typeof o['policy'] === 'string' ? { policy: o['policy'] } : {}),
          ...(typeof o['comment'] === 'string' ? { comment: o['comment'] } : {}),
        });
        return;
      }
      case 'element': {
        const t = this.table(o, path, false);
        const set = t?.sets.find((s) => s.name === o['name']);
        if (!t || !set) {
          if (t) this.report(`${path}.name`, o, `set '${String(o['name'])}' is not defined`, 'nftables/undefined-set');
          return;
        }
        if (Array.isArray(o['elem'])) set.elements.push(...o['elem'].map((x, i) => jsonSetItem(x, `${path}.elem[${i}]`, this)));
        return;
      }
      case 'flowtable': {
        const t = this.table(o, path, false);
        if (!t) return;
        t.flowtables.push({
          name: typeof o['name'] === 'string' ? o['name'] : '', hook: typeof o['hook'] === 'string' ? o['hook'] : 'ingress',
          devices: Array.isArray(o['dev']) ? o['dev'].map(String) : typeof o['dev'] === 'string' ? [o['dev']] : [],
          flags: Array.isArray(o['flags']) ? o['flags'].map(String) : [], counter: false, span: this.spanOf(o),
          ...(typeof o['prio'] === 'number' ? { priority: { kind: 'number', value: o['prio'] } } : {}),
        });
        return;
      }
      case 'counter': case 'quota': case 'limit': case 'ct helper': case 'ct timeout': case 'ct expectation': case 'secmark': case 'synproxy': case 'tunnel': {
        const t = this.table(o, path, false);
        if (!t) return;
        const body = Object.entries(o).filter(([k]) => !['family', 'table', 'name', 'handle'].includes(k)).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]);
        t.objects.push({ type: kind, name: typeof o['name'] === 'string' ? o['name'] : '', body, span: this.spanOf(o) });
        return;
      }
      default:
        this.report(path, o, `unknown object '${kind}': expected table, chain, rule, set, map, element, flowtable or a named object`, 'nftables/unknown-keyword');
    }
  }

  private command(verb: string, body: Json, path: string): void {
    if (!isObject(body)) return this.report(path, body, 'expected an object');
    for (const [kind, o] of Object.entries(body)) {
      if (kind === 'ruleset') {
        if (verb === 'flush') this.b.flushRuleset();
        continue;
      }
      if (!isObject(o)) { this.report(`${path}.${kind}`, body, 'expected an object'); continue; }
      if (verb === 'add' || verb === 'create' || verb === 'insert') this.add(kind, o, `${path}.${kind}`);
      else if (verb === 'flush' && kind === 'table') {
        const t = this.table({ ...o, table: o['name'] ?? null }, `${path}.${kind}`, false);
        for (const c of t?.chains ?? []) c.rules.splice(0);
      } else if (verb === 'delete' && kind === 'table') {
        const t = this.table({ ...o, table: o['name'] ?? null }, `${path}.${kind}`, false);
        if (t) this.b.deleteTable(t);
      }
    }
  }

  parse(doc: Json | undefined): void {
    if (!isObject(doc) || !Array.isArray(doc['nftables'])) {
      this.report('$', doc, 'expected an object with an "nftables" array (the output of nft -j list ruleset)');
      return;
    }
    doc['nftables'].forEach((item, i) => {
      const path = `nftables[${i}]`;
      if (!isObject(item)) return this.report(path, item, 'expected an object');
      this.lastObject = item;
      for (const [kind, body] of Object.entries(item)) {
        if (kind === 'metainfo') continue;
        if (['add', 'create', 'insert', 'flush', 'delete', 'destroy', 'replace'].includes(kind)) this.command(kind, body, `${path}.${kind}`);
        else if (isObject(body)) this.add(kind, body, `${path}.${kind}`);
        else this.report(`${path}.${kind}`, item, 'expected an object');
      }
    });
  }
}

function isBitmaskType(spec: TypeSpec, family: NftFamily): boolean {
  const types = typesOfSpec(spec, family);
  return types.length === 1 && types[0]?.kind === 'bitmask';
}

function isStringType(spec: TypeSpec, family: NftFamily): boolean {
  const types = typesOfSpec(spec, family);
  return types.length === 1 && types[0]?.kind === 'string';
}

/** `syn | ack` of flag constants is the list syn,ack, as the text parser reads it. */
function flagList(e: Expr): Expr {
  if (e.kind !== 'binop' || e.op !== '|') return e;
  const l = flagList(e.left);
  const r = flagList(e.right);
  const flat = (x: Expr): Expr[] | undefined => (x.kind === 'value' ? [x] : x.kind === 'list' && x.items.every((i) => i.kind === 'value') ? [...x.items] : undefined);
  const a = flat(l);
  const b = flat(r);
  return a && b ? { kind: 'list', items: [...a, ...b], ...(e.span ? { span: e.span } : {}) } : e;
}

/** String-typed values (interface names, helpers) are quoted in nft text; mark them so printing matches. */
function quoteExpr(e: Expr, family: NftFamily, stringy = false, bitmask = false): Expr {
  if (bitmask && e.kind === 'binop') return flagList(e);
  switch (e.kind) {
    case 'value': return stringy && !e.quoted ? { ...e, quoted: true } : e;
    case 'set': return { ...e, items: e.items.map((i) => quoteExpr(i, family, stringy, bitmask)) };
    case 'list': return { ...e, items: e.items.map((i) => quoteExpr(i, family, stringy, bitmask)) };
    case 'mapping': return { ...e, key: quoteExpr(e.key, family, stringy, bitmask) };
    case 'elem': return { ...e, value: quoteExpr(e.value, family, stringy, bitmask) };
    default: return e;
  }
}

function quoteStrings(s: Stmt, family: NftFamily): Stmt {
  if (s.kind === 'match') {
    const t = typeOfExpr(s.left.kind === 'binop' ? s.left.left : s.left, family);
    const left = s.left.kind === 'binop' && t.kind === 'bitmask' ? { ...s.left, right: flagList(s.left.right) } : s.left;
    // nft lists `==` only where it differs from the implicit comparison (bit masks).
    const op = s.op === '==' && t.kind !== 'bitmask' && s.left.kind !== 'binop' ? 'implicit' : s.op;
    return { ...s, op, left, right: quoteExpr(s.right, family, t.kind === 'string', t.kind === 'bitmask') };
  }
  if (s.kind === 'vmap') {
    const t = typeOfExpr(s.key.kind === 'binop' ? s.key.left : s.key, family);
    const key = s.key.kind === 'binop' && t.kind === 'bitmask' ? { ...s.key, right: flagList(s.key.right) } : s.key;
    return { ...s, key, data: quoteExpr(s.data, family, t.kind === 'string', t.kind === 'bitmask') };
  }
  return s;
}

export function parseNftJson(file: SourceFile): Parsed<NftSyntax> {
  const doc = readJson(file.text);
  const p = new JsonParser(file, doc.offsets);
  p.b.syntax.files.push(file.name);
  if (doc.error) {
    p.diagnostics.push(error('nftables/json-syntax', `invalid JSON: ${doc.error.message}`, spanAt(file, doc.error.offset, doc.error.offset + 1)));
    return { value: p.b.syntax, diagnostics: p.diagnostics };
  }
  p.parse(doc.value);
  return { value: p.b.syntax, diagnostics: p.diagnostics };
}
