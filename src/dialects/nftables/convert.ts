/**
 * The nftables syntax tree as fwdoctor's vendor-neutral model: tables of every family, base chains
 * with numeric priorities, rules as `and(…)` of matches with effects and an action, named sets
 * inlined (their names kept in the rule's origin), verdict maps as `dispatch` actions.
 */
import { type Diagnostic, type Parsed, warning } from '../../diagnostics/diagnostic.js';
import type { Family } from '../../model/address.js';
import { type Action, CONTINUE, goTo, jump } from '../../model/action.js';
import { type Match, ANY, NONE, and, family, not, opaque, protocol } from '../../model/match.js';
import type { Origin } from '../../model/origin.js';
import type { BaseChain, Chain, ChainType, Hook, Rule, Ruleset, Table } from '../../model/ruleset.js';
import { HOOKS } from '../../model/ruleset.js';
import type { SetResolver } from './convert-values.js';
import { convertMatch, flattenSet, keyMatch } from './convert-match.js';
import { type StmtResult, applyStmt, verdictAction } from './convert-stmt.js';
import { canonicalStmt } from './canonical.js';
import { resolvePriority } from './priority.js';
import { printStmt } from './print-expr.js';
import type { ChainSyntax, Expr, NftFamily, NftSyntax, RuleSyntax, SetSyntax, Stmt, TableSyntax } from './syntax.js';

interface TableCtx {
  readonly table: TableSyntax;
  readonly sets: SetResolver;
  /** Identical match statements of a table give identical (shared, immutable) matches. */
  readonly matchCache: Map<string, Match>;
  readonly extraChains: Chain[];
  anon: number;
  readonly diagnostics: Diagnostic[];
}

/** Sets the ruleset itself adds to or deletes from at run time: their contents are not fixed. */
function dynamicSets(t: TableSyntax): Set<string> {
  const out = new Set<string>();
  const visit = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      if (s.kind === 'dynset') out.add(s.set);
      if (s.kind === 'verdict' && s.chain) for (const r of s.chain) visit(r.stmts);
    }
  };
  for (const c of t.chains) for (const r of c.rules) visit(r.stmts);
  return out;
}

function setResolver(t: TableSyntax): SetResolver {
  const dynamic = dynamicSets(t);
  const byName = new Map<string, SetSyntax>(t.sets.map((s) => [s.name, s]));
  return (name) => {
    const s = byName.get(name);
    if (!s) return `set @${name} is not defined in table ${t.family} ${t.name}`;
    if (dynamic.has(name)) return `set @${name} is updated by the ruleset at run time; its members depend on earlier traffic`;
    return flattenSet(s.elements);
  };
}

function contextFamily(s: Stmt): Family | undefined {
  if (s.kind !== 'match') return undefined;
  const l = s.left.kind === 'binop' ? s.left.left : s.left;
  if (l.kind === 'payload' && l.inner === undefined) {
    if (l.protocol === 'ip' || l.protocol === 'icmp' || l.protocol === 'igmp') return 'ipv4';
    if (l.protocol === 'ip6' || l.protocol === 'icmpv6') return 'ipv6';
  }
  if (l.kind === 'meta' && (l.key === 'nfproto' || l.key === 'protocol') && s.right.kind === 'value' && (s.op === '==' || s.op === 'implicit')) {
    if (['ipv4', 'ip', '2', '0x0800'].includes(s.right.text)) return 'ipv4';
    if (['ipv6', 'ip6', '10', '0x86dd'].includes(s.right.text)) return 'ipv6';
  }
  return undefined;
}

function usedSets(stmts: readonly Stmt[]): string[] {
  const out = new Set<string>();
  const visit = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'setref': out.add(e.name); return;
      case 'set': case 'list': case 'concat': e.items.forEach(visit); return;
      case 'binop': visit(e.left); visit(e.right); return;
      case 'map': visit(e.key); visit(e.data); return;
      default: return;
    }
  };
  for (const s of stmts) {
    if (s.kind === 'match') { visit(s.left); visit(s.right); }
    if (s.kind === 'vmap') visit(s.data);
    if (s.kind === 'mangle') visit(s.value);
  }
  return [...out];
}

function dispatchAction(s: Extract<Stmt, { kind: 'vmap' }>, ctx: TableCtx, text: string): Action {
  const env = { family: ctx.table.family, sets: ctx.sets, text };
  let items: readonly Expr[];
  if (s.data.kind === 'setref') {
    const r = ctx.sets(s.data.name);
    if (typeof r === 'string') return { kind: 'opaque', name: 'vmap', reason: r, terminal: true };
    items = r;
  } else if (s.data.kind === 'set') items = flattenSet(s.data.items);
  else return { kind: 'opaque', name: 'vmap', reason: 'verdict map data is not a set', terminal: true };
  const cases: { match: Match; action: Action }[] = [];
  const last: { match: Match; action: Action }[] = [];
  for (const it of items) {
    if (it.kind !== 'mapping') continue;
    const key = it.key.kind === 'elem' ? it.key.value : it.key;
    const action = verdictAction(it.value);
    if (!action) continue;
    const c = { match: keyMatch(s.key, key, env), action };
    (key.kind === 'wildcard' ? last : cases).push(c);
  }
  // Keys of a verdict map are disjoint, so their order does not matter: sort them so that the kernel's
  // listing order (hash order for `nft -j`) does not change the model.
  const key = (c: { match: Match }): string => JSON.stringify(c.match, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString().padStart(40, '0') : v));
  cases.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { kind: 'dispatch', cases: [...cases, ...last] };
}

/**
 * Drops repeated conjuncts (`ip protocol tcp tcp dport 22` repeats nft's own dependency) and family
 * tests a table of family ip or ip6 decides by itself.
 */
function simplify(m: Match, tf: NftFamily): Match {
  const fixed = (x: Match): Match => {
    if (x.kind === 'family' && (tf === 'ip' || tf === 'ip6')) return (x.family === 'ipv4') === (tf === 'ip') ? ANY : NONE;
    if (x.kind === 'not') return x.item.kind === 'family' ? not(fixed(x.item)) : x;
    return x;
  };
  const items = (m.kind === 'and' ? m.items : [m]).map(fixed);
  const seen = new Set<string>();
  const out: Match[] = [];
  for (const i of items) {
    const key = leafKey(i);
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    out.push(i);
  }
  return and(...out);
}

/** An identity for the small predicates nft repeats as dependencies (family, protocol); undefined for others. */
function leafKey(m: Match): string | undefined {
  switch (m.kind) {
    case 'family': return `family ${m.family}`;
    case 'num': return m.set.intervals.length <= 4 ? `num ${m.field} ${m.set.intervals.map(([a, b]) => `${a}-${b}`).join(',')}` : undefined;
    case 'bits': return `bits ${m.field} ${m.mask} ${m.value}`;
    case 'iface': return `iface ${m.dir} ${m.name} ${m.wildcard}`;
    case 'ctstate': return `ctstate ${m.states.join(',')}`;
    default: return undefined;
  }
}

function origin(file: string, r: RuleSyntax, native: Record<string, string | number>): Origin {
  return { dialect: 'nftables', file: r.span.file || file, line: r.span.start.line, column: r.span.start.column, text: r.text, native };
}

function convertRule(r: RuleSyntax, chainName: string, index: number, ctx: TableCtx): Rule {
  const t = ctx.table;
  const res: StmtResult = { effects: [], matches: [], action: CONTINUE };
  const matches: Match[] = [];
  let context: Family | undefined = t.family === 'ip' ? 'ipv4' : t.family === 'ip6' ? 'ipv6' : undefined;
  const opaqueMatch = (reason: string, text: string): Match => opaque(reason, text);
  for (const s of r.stmts) {
    context = contextFamily(s) ?? context;
    if (s.kind === 'match') {
      const key = `${context ?? ''}|${s.op}|${printStmt(s)}`;
      let m = ctx.matchCache.get(key);
      if (m === undefined) {
        const text = printStmt(canonicalStmt(s));
        m = convertMatch(s.left, s.op, s.right, { family: t.family, sets: ctx.sets, text, ...(context ? { context } : {}) });
        ctx.matchCache.set(key, m);
      }
      if (res.matches.length > 0) matches.push(...res.matches.splice(0));
      matches.push(m);
    } else if (s.kind === 'vmap') {
      res.action = dispatchAction(s, ctx, printStmt(canonicalStmt(s)));
    } else if (s.kind === 'verdict' && s.chain) {
      const name = `__chain${ctx.anon++}`;
      const rules = s.chain.map((rr, i) => convertRule(rr, name, i + 1, ctx));
      ctx.extraChains.push({ name, rules, origin: { dialect: 'nftables', file: r.span.file, line: r.span.start.line, column: r.span.start.column, text: `${s.verdict} { … } (anonymous chain)`, native: { family: t.family, table: t.name, chain: name } } });
      res.action = s.verdict === 'goto' ? goTo(name) : jump(name);
    } else {
      applyStmt(s, res, t.family, context, opaqueMatch);
    }
  }
  const sets = usedSets(r.stmts);
  const native: Record<string, string | number> = {
    family: t.family, table: t.name, chain: chainName, index,
    ...(r.handle !== undefined ? { handle: r.handle } : {}),
    ...(sets.length > 0 ? { sets: sets.join(',') } : {}),
  };
  if (res.action.kind === 'reject' && t.family !== 'ip' && t.family !== 'ip6') {
    const w = res.action.with;
    if (w.kind === 'icmp') matches.unshift(family('ipv4'));
    if (w.kind === 'icmpv6') matches.unshift(family('ipv6'));
  }
  if (res.action.kind === 'reject' && res.action.with.kind === 'tcp-reset') matches.unshift(protocol(6));
  return {
    match: simplify(and(...matches, ...res.matches), t.family),
    effects: res.effects,
    action: res.action,
    ...(r.comment !== undefined ? { comment: r.comment } : {}),
    origin: origin(t.span.file, r, native),
  };
}

function baseChain(c: ChainSyntax, t: TableSyntax, ds: Diagnostic[]): BaseChain | undefined {
  const b = c.base;
  if (!b) return undefined;
  if (!(HOOKS as readonly string[]).includes(b.hook)) {
    ds.push(warning('nftables/unmodelled-hook', `hook '${b.hook}' of chain ${c.name} is not one fwdoctor simulates; the chain is kept as a regular chain`, c.span));
    return undefined;
  }
  const type: ChainType = b.type === 'nat' || b.type === 'route' ? b.type : 'filter';
  const priority = b.priority ? resolvePriority(b.priority, t.family) : 0;
  return {
    hook: b.hook as Hook, priority: priority ?? 0, type, policy: c.policy === 'drop' ? 'drop' : 'accept',
    ...(b.devices.length > 0 ? { device: b.devices.join(',') } : {}),
  };
}

function chainText(c: ChainSyntax): string {
  if (!c.base) return `chain ${c.name}`;
  const p = c.base.priority;
  const prio = p === undefined ? '' : p.kind === 'number' ? ` priority ${p.value}` : ` priority ${p.name}${p.offset === 0 ? '' : p.offset > 0 ? ` + ${p.offset}` : ` - ${-p.offset}`}`;
  return `chain ${c.name} { type ${c.base.type} hook ${c.base.hook}${prio}; policy ${c.policy ?? 'accept'}; }`;
}

function convertTable(t: TableSyntax, ds: Diagnostic[]): Table {
  const ctx: TableCtx = { table: t, sets: setResolver(t), matchCache: new Map(), extraChains: [], anon: 0, diagnostics: ds };
  const chains: Chain[] = t.chains.map((c) => {
    const base = baseChain(c, t, ds);
    return {
      name: c.name,
      ...(base ? { base } : {}),
      rules: c.rules.map((r, i) => convertRule(r, c.name, i + 1, ctx)),
      origin: {
        dialect: 'nftables', file: c.span.file, line: c.span.start.line, column: c.span.start.column, text: chainText(c),
        native: { family: t.family, table: t.name, chain: c.name, ...(c.handle !== undefined ? { handle: c.handle } : {}) },
      },
    };
  });
  return {
    family: t.family, name: t.name, source: 'nftables', chains: [...chains, ...ctx.extraChains],
    origin: { dialect: 'nftables', file: t.span.file, line: t.span.start.line, column: t.span.start.column, text: `table ${t.family} ${t.name}`, native: { family: t.family, table: t.name } },
  };
}

/** The model of a parsed ruleset; diagnostics are warnings about what the model leaves out. */
export function convertNftSyntax(syntax: NftSyntax): Parsed<Ruleset> {
  const ds: Diagnostic[] = [];
  const tables = syntax.tables.map((t) => convertTable(t, ds));
  return { value: { tables }, diagnostics: ds };
}
