/**
 * The ruleset as nft commands build it: `table … { }` blocks and `add/insert/delete …` commands
 * both edit this state, so the syntax tree is the ruleset the kernel would hold afterwards.
 * Handles are assigned per table in creation order, as the kernel does for a fresh load.
 */
import type { Span } from '../../diagnostics/source.js';
import type { Datatype } from './datatypes.js';
import { componentTypes } from './parse-expr.js';
import { datatype, INVALID } from './datatypes.js';
import type { ChainSyntax, NftFamily, NftSyntax, RuleSyntax, SetSyntax, TableSyntax, TypeSpec } from './syntax.js';

export interface BlockSnapshot {
  readonly counter: number;
  readonly chains: ReadonlySet<string>;
  readonly sets: ReadonlySet<string>;
  readonly rules: WeakSet<object>;
}

export class RulesetBuilder {
  readonly syntax: NftSyntax & { tables: TableSyntax[]; files: string[] } = { tables: [], files: [] };
  private readonly handles = new WeakMap<TableSyntax, number>();

  findTable(family: NftFamily, name: string): TableSyntax | undefined {
    return this.syntax.tables.find((t) => t.family === family && t.name === name);
  }

  /** The table, created when absent (`table ip t { }` and `add table` merge into an existing one). */
  ensureTable(family: NftFamily, name: string, span: Span): { table: TableSyntax; created: boolean } {
    const found = this.findTable(family, name);
    if (found) return { table: found, created: false };
    const table: TableSyntax = { family, name, flags: [], chains: [], sets: [], flowtables: [], objects: [], span };
    this.syntax.tables.push(table);
    this.handles.set(table, 0);
    return { table, created: true };
  }

  /** Items whose handle came from the input (`# handle N`), which renumbering keeps. */
  private readonly explicit = new WeakSet<object>();

  markExplicit(item: object): void {
    this.explicit.add(item);
  }

  /** State of a table before a `table … { }` block, to number what the block creates as nft does. */
  snapshot(table: TableSyntax): BlockSnapshot {
    return {
      counter: this.handles.get(table) ?? 0,
      chains: new Set(table.chains.map((c) => c.name)),
      sets: new Set(table.sets.map((x) => x.name)),
      rules: new WeakSet(table.chains.flatMap((c) => c.rules)),
    };
  }

  /**
   * Numbers what a block created the way the kernel sees it: nft sends the block's chains first,
   * then its sets and maps, then its rules, each taking the table's next handle.
   */
  renumberBlock(table: TableSyntax, before: BlockSnapshot): void {
    let n = before.counter;
    type Numbered = { handle?: number };
    const renumber = (item: Numbered): void => {
      if (!this.explicit.has(item)) item.handle = ++n;
    };
    // The block's chains, sets and rules were created by this parser and are not shared yet.
    for (const c of table.chains) if (!before.chains.has(c.name)) renumber(c as Numbered);
    for (const x of table.sets) if (!before.sets.has(x.name)) renumber(x as Numbered);
    for (const c of table.chains) for (const r of c.rules) if (!before.rules.has(r)) renumber(r as Numbered);
    this.handles.set(table, Math.max(n, this.handles.get(table) ?? 0));
  }

  nextHandle(table: TableSyntax): number {
    const n = (this.handles.get(table) ?? 0) + 1;
    this.handles.set(table, n);
    return n;
  }

  deleteTable(t: TableSyntax): void {
    this.syntax.tables.splice(this.syntax.tables.indexOf(t), 1);
  }

  flushRuleset(family?: NftFamily): void {
    const keep = this.syntax.tables.filter((t) => family !== undefined && t.family !== family);
    this.syntax.tables.splice(0, this.syntax.tables.length, ...keep);
  }

  ensureChain(table: TableSyntax, name: string, span: Span): { chain: ChainSyntax; created: boolean } {
    const found = table.chains.find((c) => c.name === name);
    if (found) return { chain: found, created: false };
    const chain: ChainSyntax = { name, flags: [], rules: [], span, handle: this.nextHandle(table) };
    table.chains.push(chain);
    return { chain, created: true };
  }

  replaceChain(table: TableSyntax, old: ChainSyntax, next: ChainSyntax): void {
    table.chains[table.chains.indexOf(old)] = next;
    if (this.explicit.has(old)) this.explicit.add(next);
  }

  addRule(table: TableSyntax, chain: ChainSyntax, rule: RuleSyntax, at?: number): RuleSyntax {
    if (rule.handle !== undefined) this.explicit.add(rule);
    const withHandle = rule.handle === undefined ? { ...rule, handle: this.nextHandle(table) } : rule;
    if (at === undefined || at >= chain.rules.length) chain.rules.push(withHandle);
    else chain.rules.splice(Math.max(0, at), 0, withHandle);
    return withHandle;
  }

  addSet(table: TableSyntax, set: SetSyntax): SetSyntax {
    const existing = table.sets.findIndex((s) => s.name === set.name);
    if (existing >= 0) {
      const old = table.sets[existing] as SetSyntax;
      const merged = { ...old, elements: [...old.elements, ...set.elements] };
      table.sets[existing] = merged;
      return merged;
    }
    const withHandle = { ...set, handle: set.handle ?? this.nextHandle(table) };
    if (set.handle !== undefined) this.explicit.add(withHandle);
    table.sets.push(withHandle);
    return withHandle;
  }
}

/** Datatypes named by a set declaration (`type ipv4_addr . inet_service`, or `typeof ip saddr`). */
export function typesOfSpec(spec: TypeSpec | undefined, family: NftFamily): Datatype[] {
  if (!spec) return [];
  if (spec.kind === 'types') return spec.names.map((n) => datatype(n) ?? INVALID);
  return spec.exprs.flatMap((e) => componentTypes(e, family));
}

export function setKeyTypes(set: SetSyntax, family: NftFamily): Datatype[] {
  return typesOfSpec(set.keyType, family);
}

export function setDataTypes(set: SetSyntax, family: NftFamily): Datatype[] | 'verdict' | undefined {
  if (!set.dataType) return undefined;
  if (set.dataType.kind === 'types' && set.dataType.names.length === 1 && set.dataType.names[0] === 'verdict') return 'verdict';
  return typesOfSpec(set.dataType, family);
}
