/**
 * nft commands in a script: `add|create|insert|replace|delete|destroy|flush|list|reset|rename` of
 * tables, chains, rules, sets, maps, elements, flowtables and objects.
 */
import { describeToken, type Token, tokenSpan } from './lexer.js';
import { CT_OBJECT_TYPES, OBJECT_TYPES, parseChainBody, parseSetBody, parseTableBody } from './parse-blocks.js';
import { setDataTypes, setKeyTypes } from './builder.js';
import type { TextParser } from './parse-text.js';
import { printExpr } from './print-expr.js';
import type { ChainSyntax, Expr, TableSyntax } from './syntax.js';

const VERBS = new Set(['add', 'create', 'insert', 'replace', 'delete', 'destroy', 'flush', 'list', 'reset', 'rename']);

function tableRef(p: TextParser): { table: TableSyntax | undefined; nameTok: Token; family: TableSyntax['family'] } {
  const family = p.parseFamily();
  const nameTok = p.ts.expectName('a table name');
  return { table: p.b.findTable(family, nameTok.text), nameTok, family };
}

function requireTable(p: TextParser): { table: TableSyntax; nameTok: Token } {
  const { table, nameTok, family } = tableRef(p);
  if (!table) p.ts.fail(`table '${family} ${nameTok.text}' does not exist: expected a table created earlier`, nameTok, 'nftables/undefined-table');
  return { table, nameTok };
}

function requireChain(p: TextParser, table: TableSyntax): ChainSyntax {
  const nameTok = p.ts.expectName('a chain name');
  const chain = table.chains.find((c) => c.name === nameTok.text);
  if (!chain) p.ts.fail(`chain '${nameTok.text}' does not exist in table '${table.family} ${table.name}'`, nameTok, 'nftables/undefined-chain');
  return chain;
}

function skipRest(p: TextParser): void {
  while (!p.ts.atEnd()) {
    if (p.ts.at('{')) {
      let depth = 0;
      do {
        const t = p.ts.next();
        if (t.text === '{') depth++;
        if (t.text === '}') depth--;
        if (t.kind === 'eof') return;
      } while (depth > 0);
    } else p.ts.next();
  }
}

function number(p: TextParser, what: string): number {
  const t = p.ts.peek();
  if (t.kind !== 'word' || !/^\d+$/.test(t.text)) p.ts.fail(`expected ${what}, got ${describeToken(t)}`, t);
  p.ts.next();
  return Number(t.text);
}

function parseRuleCommand(p: TextParser, verb: string): void {
  const { ts, b } = p;
  const { table } = requireTable(p);
  const chain = requireChain(p, table);
  p.sp.env.family = table.family;
  let at: number | undefined = verb === 'insert' ? 0 : undefined;
  let replaceIndex: number | undefined;
  const posTok = ts.peek();
  if (ts.at('position') || ts.at('handle') || ts.at('index')) {
    const kind = ts.next().text;
    const n = number(p, `a rule ${kind === 'index' ? 'index' : 'handle'}`);
    const idx = kind === 'index' ? n : chain.rules.findIndex((r) => r.handle === n);
    if (idx < 0 || idx >= chain.rules.length + (kind === 'index' ? 1 : 0)) {
      ts.fail(`no rule with ${kind === 'index' ? 'index' : 'handle'} ${n} in chain '${chain.name}'`, posTok, 'nftables/undefined-rule', ts.previous());
    }
    if (verb === 'replace') replaceIndex = idx;
    else at = verb === 'insert' ? idx : idx + 1;
  } else if (verb === 'replace') {
    ts.fail("expected 'handle N' after the chain name of 'replace rule'", ts.peek());
  }
  if (ts.atEnd()) ts.fail('expected the rule statements', ts.peek());
  const rule = p.sp.parseRuleBody(ts.peek());
  if (replaceIndex !== undefined) {
    const old = chain.rules[replaceIndex];
    chain.rules[replaceIndex] = { ...rule, ...(old?.handle !== undefined ? { handle: old.handle } : {}) };
  } else {
    b.addRule(table, chain, rule, at);
  }
}

function deleteRule(p: TextParser): void {
  const { table } = requireTable(p);
  const chain = requireChain(p, table);
  p.ts.expect('handle');
  const n = number(p, 'a rule handle');
  const idx = chain.rules.findIndex((r) => r.handle === n);
  if (idx < 0) p.ts.fail(`no rule with handle ${n} in chain '${chain.name}'`, p.ts.previous(), 'nftables/undefined-rule');
  chain.rules.splice(idx, 1);
}

function elementKey(e: Expr): string {
  const base = e.kind === 'mapping' ? e.key : e;
  return printExpr(base.kind === 'elem' ? base.value : base);
}

function elementCommand(p: TextParser, verb: string): void {
  const { table } = requireTable(p);
  const nameTok = p.ts.expectName('a set name');
  const set = table.sets.find((s) => s.name === nameTok.text);
  if (!set) p.ts.fail(`set '${nameTok.text}' does not exist in table '${table.family} ${table.name}'`, nameTok, 'nftables/undefined-set');
  p.sp.env.family = table.family;
  const block = p.sp.parseSetBlock(setKeyTypes(set, table.family), setDataTypes(set, table.family));
  if (block.kind !== 'set') return;
  if (verb === 'delete' || verb === 'destroy') {
    const drop = new Set(block.items.map(elementKey));
    set.elements.splice(0, set.elements.length, ...set.elements.filter((e) => !drop.has(elementKey(e))));
  } else {
    set.elements.push(...block.items);
  }
}

/** Runs one command line starting at `first`. */
export function runCommand(p: TextParser, first: Token): void {
  const { ts, b } = p;
  if (first.kind === 'word' && first.text === 'chain' && !VERBS.has(first.text)) {
    // `nft chain inet t c '{ policy drop; }'` is `add chain`.
    ts.splice(ts.pos, 0, [{ ...first, text: 'add' }]);
    runCommand(p, ts.peek());
    return;
  }
  if (first.kind !== 'word' || !VERBS.has(first.text)) {
    ts.fail(`unknown command ${describeToken(first)}: expected table, define, include, add, insert, delete, flush …`, first, 'nftables/unknown-keyword');
  }
  const verb = ts.next().text;
  const obj = ts.peek();
  if (verb === 'list' || verb === 'reset') { skipRest(p); return; }
  if (verb === 'flush' && obj.text === 'ruleset') {
    ts.next();
    const t = ts.peek();
    if (t.kind === 'word' && ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'].includes(t.text)) b.flushRuleset(ts.next().text as TableSyntax['family']);
    else b.flushRuleset();
    return;
  }
  ts.next();
  switch (obj.text) {
    case 'table': {
      if (verb === 'delete' || verb === 'destroy' || verb === 'flush') {
        const { table, nameTok, family } = tableRef(p);
        if (!table) {
          if (verb !== 'destroy') ts.fail(`table '${family} ${nameTok.text}' does not exist`, nameTok, 'nftables/undefined-table');
          return;
        }
        if (verb === 'flush') for (const c of table.chains) c.rules.splice(0);
        else b.deleteTable(table);
        return;
      }
      const family = p.parseFamily();
      const nameTok = ts.expectName('a table name');
      const { table, created } = b.ensureTable(family, nameTok.text, tokenSpan(nameTok));
      if (!created && verb === 'create') ts.fail(`table '${family} ${nameTok.text}' already exists`, nameTok, 'nftables/exists');
      if (ts.at('{')) parseTableBody(p, table);
      return;
    }
    case 'chain': {
      const { table } = requireTable(p);
      if (verb === 'delete' || verb === 'destroy' || verb === 'flush') {
        const chain = requireChain(p, table);
        if (verb === 'flush') chain.rules.splice(0);
        else table.chains.splice(table.chains.indexOf(chain), 1);
        return;
      }
      if (verb === 'rename') {
        const chain = requireChain(p, table);
        const to = ts.expectName('a new chain name');
        table.chains[table.chains.indexOf(chain)] = { ...chain, name: to.text };
        return;
      }
      const nameTok = ts.expectName('a chain name');
      const { chain, created } = b.ensureChain(table, nameTok.text, tokenSpan(nameTok));
      if (!created && verb === 'create') ts.fail(`chain '${nameTok.text}' already exists`, nameTok, 'nftables/exists');
      p.sp.env.family = table.family;
      if (ts.at('{')) parseChainBody(p, table, chain);
      return;
    }
    case 'rule':
      if (verb === 'delete' || verb === 'destroy') { deleteRule(p); return; }
      parseRuleCommand(p, verb);
      return;
    case 'set': case 'map': {
      const { table } = requireTable(p);
      const nameTok = ts.expectName(`a ${obj.text} name`);
      const existing = table.sets.find((s) => s.name === nameTok.text);
      if (verb === 'delete' || verb === 'destroy' || verb === 'flush') {
        if (!existing) {
          if (verb !== 'destroy') ts.fail(`${obj.text} '${nameTok.text}' does not exist`, nameTok, 'nftables/undefined-set');
          return;
        }
        if (verb === 'flush') existing.elements.splice(0);
        else table.sets.splice(table.sets.indexOf(existing), 1);
        return;
      }
      if (existing && verb === 'create') ts.fail(`${obj.text} '${nameTok.text}' already exists`, nameTok, 'nftables/exists');
      p.sp.env.family = table.family;
      b.addSet(table, parseSetBody(p, nameTok, obj.text === 'map', table.family));
      return;
    }
    case 'element': elementCommand(p, verb); return;
    case 'flowtable': case 'ct': case 'counter': case 'quota': case 'limit': case 'secmark': case 'synproxy': case 'tunnel': {
      if (obj.text === 'ct' && !CT_OBJECT_TYPES.includes(ts.peek().text)) ts.fail(`expected helper, timeout or expectation after 'ct', got ${describeToken(ts.peek())}`, ts.peek(), 'nftables/unknown-keyword');
      if (obj.text === 'ct') ts.next();
      requireTable(p);
      skipRest(p);
      return;
    }
    default:
      if (OBJECT_TYPES.includes(obj.text)) { skipRest(p); return; }
      ts.fail(`unknown object ${describeToken(obj)} after '${verb}': expected table, chain, rule, set, map, element, flowtable …`, obj, 'nftables/unknown-keyword');
  }
}
