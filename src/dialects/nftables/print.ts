/**
 * A syntax tree as an nft ruleset file (`nft -f` input, in the layout of `nft list ruleset`),
 * with `# handle N` comments so that handles survive a round trip.
 */
import { printElement, printExpr, printRuleBody, printStmt } from './print-expr.js';
import type { ChainSyntax, FlowtableSyntax, ObjectSyntax, Priority, SetSyntax, TableSyntax, TypeSpec, NftSyntax } from './syntax.js';

function quote(s: string): string {
  return `"${s}"`;
}

export function printPriority(p: Priority): string {
  if (p.kind === 'number') return String(p.value);
  return p.offset === 0 ? p.name : p.offset > 0 ? `${p.name} + ${p.offset}` : `${p.name} - ${-p.offset}`;
}

function printTypeSpec(t: TypeSpec): string {
  return t.kind === 'types' ? t.names.join(' . ') : t.exprs.map(printExpr).join(' . ');
}

function handleComment(h: number | undefined): string {
  return h === undefined ? '' : ` # handle ${h}`;
}

function printSet(s: SetSyntax): string[] {
  const kw = s.keyType.kind === 'typeof' ? 'typeof' : 'type';
  const data = s.dataType ? ` : ${s.dataInterval ? 'interval ' : ''}${printTypeSpec(s.dataType)}` : '';
  const lines = [`\t${s.map ? 'map' : 'set'} ${s.name} {${handleComment(s.handle)}`, `\t\t${kw} ${printTypeSpec(s.keyType)}${data}`];
  if (s.flags.length > 0) lines.push(`\t\tflags ${s.flags.join(',')}`);
  if (s.timeout !== undefined) lines.push(`\t\ttimeout ${s.timeout}`);
  if (s.gcInterval !== undefined) lines.push(`\t\tgc-interval ${s.gcInterval}`);
  if (s.size !== undefined) lines.push(`\t\tsize ${s.size}`);
  if (s.policy !== undefined) lines.push(`\t\tpolicy ${s.policy}`);
  if (s.autoMerge) lines.push('\t\tauto-merge');
  if (s.stmts.length > 0) lines.push(`\t\t${s.stmts.map(printStmt).join(' ')}`);
  if (s.comment !== undefined) lines.push(`\t\tcomment ${quote(s.comment)}`);
  if (s.elements.length > 0) lines.push(`\t\telements = { ${s.elements.map(printElement).join(',\n\t\t\t     ')} }`);
  lines.push('\t}');
  return lines;
}

function printFlowtable(f: FlowtableSyntax): string[] {
  const lines = [`\tflowtable ${f.name} {`, `\t\thook ${f.hook}${f.priority ? ` priority ${printPriority(f.priority)}` : ''}`];
  if (f.devices.length > 0) lines.push(`\t\tdevices = { ${f.devices.map(quote).join(', ')} }`);
  if (f.flags.length > 0) lines.push(`\t\tflags ${f.flags.join(',')}`);
  if (f.counter) lines.push('\t\tcounter');
  lines.push('\t}');
  return lines;
}

function printObject(o: ObjectSyntax): string[] {
  return [`\t${o.type} ${o.name} {`, ...o.body.map(([k, v]) => `\t\t${k}${k && v ? ' ' : ''}${v}`), '\t}'];
}

export function printChainHeader(c: ChainSyntax): string[] {
  const lines: string[] = [];
  if (c.base) {
    const b = c.base;
    const dev = b.devices.length === 1 ? ` device ${quote(b.devices[0] as string)}` : b.devices.length > 1 ? ` devices = { ${b.devices.map(quote).join(', ')} }` : '';
    const prio = b.priority ? ` priority ${printPriority(b.priority)}` : '';
    lines.push(`\t\ttype ${b.type} hook ${b.hook}${dev}${prio}; policy ${c.policy ?? 'accept'};`);
  } else if (c.policy !== undefined) {
    lines.push(`\t\tpolicy ${c.policy};`);
  }
  if (c.comment !== undefined) lines.push(`\t\tcomment ${quote(c.comment)}`);
  if (c.flags.length > 0) lines.push(`\t\tflags ${c.flags.join(',')}`);
  return lines;
}

function printChain(c: ChainSyntax): string[] {
  return [
    `\tchain ${c.name} {${handleComment(c.handle)}`,
    ...printChainHeader(c),
    ...c.rules.map((r) => `\t\t${printRuleBody(r)}${handleComment(r.handle)}`),
    '\t}',
  ];
}

export function printTable(t: TableSyntax): string {
  const blocks: string[][] = [];
  const head: string[] = [];
  if (t.flags.length > 0) head.push(`\tflags ${t.flags.join(',')}`);
  if (t.comment !== undefined) head.push(`\tcomment ${quote(t.comment)}`);
  if (head.length > 0) blocks.push(head);
  for (const s of t.sets) blocks.push(printSet(s));
  for (const f of t.flowtables) blocks.push(printFlowtable(f));
  for (const o of t.objects) blocks.push(printObject(o));
  for (const c of t.chains) blocks.push(printChain(c));
  return [`table ${t.family} ${t.name} {${handleComment(t.handle)}`, blocks.map((b) => b.join('\n')).join('\n\n'), '}'].filter((l) => l !== '').join('\n');
}

/** The whole ruleset as a file `nft -f` loads (preceded by `flush ruleset` when `flush` is set). */
export function printRuleset(s: NftSyntax, opts: { flush?: boolean } = {}): string {
  const out = s.tables.map(printTable).join('\n');
  return `${opts.flush ? 'flush ruleset\n' : ''}${out}${out ? '\n' : ''}`;
}
