/**
 * Replays the commands of each table block the way iptables-restore does (-A, -I n, -D, -R, -N,
 * -X, -F, -P, -E; a table block flushes the table first) and returns the chains the file leaves
 * behind. Then checks what the kernel would refuse at COMMIT: jumps to chains that do not exist,
 * jump loops, and extensions used in a table or chain where they are not allowed.
 */
import { type Diagnostic, type Parsed, error, warning } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { assertNever } from '../../model/assert-never.js';
import { findTarget } from './catalog.js';
import { LazyCommand } from './command.js';
import { BUILTIN_CHAINS, isTableName } from './tables.js';
import { checkPlacement } from './placement.js';
import { type RuleInstance, printRuleBody } from './print-rule.js';
import type { ChainLine, CommandLine, Counters, IpFamily, IptablesSyntax, TableBlock } from './syntax.js';

/** One rule of a chain: the line that added it and, for address lists, which -s/-d it stands for. */
export interface ResolvedRule {
  readonly command: CommandLine;
  /** Index in the line's -s list and -d list (0 when the line has a single address or none). */
  readonly si: number;
  readonly di: number;
  readonly counters?: Counters | undefined;
  /** The chain a jump/goto leads to after `-E` renamed it. */
  readonly jump?: string;
}

/**
 * The rule with its source and destination picked. A parsed line reads its rule again each time
 * (without keeping it), so that one pass over a large file does not hold every rule's syntax.
 */
export function ruleInstance(r: ResolvedRule): RuleInstance | undefined {
  const c = r.command;
  const rule = c instanceof LazyCommand ? c.readRule() : c.rule;
  if (rule === undefined) return undefined;
  const source = rule.source?.list[r.si];
  const destination = rule.destination?.list[r.di];
  const out: { -readonly [K in keyof RuleInstance]: RuleInstance[K] } = { rule };
  if (source) out.source = source;
  if (destination) out.destination = destination;
  return out;
}

/** The chain name a rule jumps to (after renames), if it jumps to a chain. */
export function jumpOf(r: ResolvedRule): string | undefined {
  return r.jump ?? r.command.summary?.jump?.name;
}

export interface ResolvedChain {
  readonly name: string;
  readonly builtin: boolean;
  /** Built-in chains: ACCEPT or DROP. */
  policy: 'ACCEPT' | 'DROP' | undefined;
  counters?: Counters;
  /** Where it was declared (`:NAME …`) or created (`-N`); undefined for undeclared built-in chains. */
  origin: ChainLine | CommandLine | undefined;
  rules: ResolvedRule[];
}

export interface ResolvedTable {
  readonly name: string;
  readonly block: TableBlock;
  readonly chains: ResolvedChain[];
}

const MAX_CHAIN_NAME = 28;

const CACHE = new WeakMap<IptablesSyntax, ResolvedTable[]>();

/** The tables a file leaves behind (computed once per syntax tree; callers must not modify it). */
export function resolvedTables(syntax: IptablesSyntax): ResolvedTable[] {
  let r = CACHE.get(syntax);
  if (r === undefined) r = resolveSyntax(syntax).value;
  return r;
}

/** Replays every table block and checks the result; the diagnostics are the parser's. */
export function resolveSyntax(syntax: IptablesSyntax): Parsed<ResolvedTable[]> {
  const r = resolveNow(syntax);
  // The parser resolves every tree it makes: converting it later finds the tables ready.
  CACHE.set(syntax, r.value);
  return r;
}

function resolveNow(syntax: IptablesSyntax): Parsed<ResolvedTable[]> {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, ResolvedTable>();
  const order: string[] = [];
  for (const item of syntax.items) {
    if (item.kind !== 'table' || !isTableName(item.name)) continue;
    const prev = byName.get(item.name);
    if (prev) {
      diagnostics.push(warning('iptables/table-repeated',
        `table '${item.name}' appears again: iptables-restore flushes it here, discarding the block on line ${prev.block.line}`, item.span));
    } else order.push(item.name);
    byName.set(item.name, resolveTable(item, syntax.family, diagnostics));
  }
  const tables = order.map((n) => byName.get(n) as ResolvedTable);
  for (const t of tables) checkTable(t, syntax.family, diagnostics);
  return { value: tables, diagnostics };
}

interface ReplayCtx {
  readonly block: TableBlock;
  readonly chains: ResolvedChain[];
  readonly byName: Map<string, ResolvedChain>;
  readonly builtins: readonly string[];
  readonly out: Diagnostic[];
  readonly family: IpFamily;
}

/** Replays one table block on its own (what the table holds after its COMMIT). */
export function resolveTable(block: TableBlock, family: IpFamily, out: Diagnostic[]): ResolvedTable {
  const x: ReplayCtx = {
    block, chains: [], byName: new Map(), out, family,
    builtins: isTableName(block.name) ? BUILTIN_CHAINS[block.name] : [],
  };
  // Built-in chains always exist (iptables creates them with the table), policy ACCEPT.
  for (const n of x.builtins) builtin(x, n);
  for (const item of block.items) {
    if (item.kind === 'chain') declareChain(item, x);
    else if (item.kind === 'command' && item.valid) applyCommand(item, x);
  }
  return { name: block.name, block, chains: x.chains };
}

function builtin(x: ReplayCtx, n: string): ResolvedChain | undefined {
  const c = x.byName.get(n);
  if (c !== undefined) return c.builtin ? c : undefined;
  if (!x.builtins.includes(n)) return undefined;
  const made: ResolvedChain = { name: n, builtin: true, policy: 'ACCEPT', origin: undefined, rules: [] };
  x.chains.push(made);
  x.byName.set(n, made);
  return made;
}

function find(x: ReplayCtx, n: string): ResolvedChain | undefined {
  return x.byName.get(n) ?? builtin(x, n);
}

function chainOrErr(x: ReplayCtx, cmd: CommandLine): ResolvedChain | undefined {
  const n = cmd.chain ?? '';
  const c = find(x, n);
  if (!c) {
    x.out.push(error('iptables/unknown-chain',
      `chain '${n}' does not exist in table ${x.block.name}: declare it with ':${n} - [0:0]' or -N first`, cmd.chainSpan ?? cmd.opSpan));
  }
  return c;
}

function validName(x: ReplayCtx, n: string, span: Span): boolean {
  if (n.startsWith('-')) { x.out.push(error('iptables/invalid-chain-name', `chain name '${n}' may not start with '-'`, span)); return false; }
  if (n.length > MAX_CHAIN_NAME) { x.out.push(error('iptables/invalid-chain-name', `chain name '${n}' is too long: at most ${MAX_CHAIN_NAME} characters`, span)); return false; }
  return true;
}

function addChain(x: ReplayCtx, c: ResolvedChain): void {
  x.chains.push(c);
  x.byName.set(c.name, c);
}

function declareChain(item: ChainLine, x: ReplayCtx): void {
  const c = builtin(x, item.name);
  if (c) {
    c.origin ??= item;
    if (item.policy === 'ACCEPT' || item.policy === 'DROP') c.policy = item.policy;
    else if (item.policy !== '-') x.out.push(error('iptables/bad-policy', `bad policy '${item.policy}' for built-in chain ${item.name}: expected ACCEPT or DROP`, item.policySpan));
    if (item.counters) c.counters = item.counters;
    return;
  }
  if (!validName(x, item.name, item.nameSpan)) return;
  if (x.byName.has(item.name)) { x.out.push(warning('iptables/chain-redeclared', `chain '${item.name}' is declared twice`, item.nameSpan)); return; }
  if (item.policy !== '-') x.out.push(warning('iptables/user-chain-policy', `user-defined chain '${item.name}' cannot have a policy: '${item.policy}' is ignored (write '-')`, item.policySpan));
  const made: ResolvedChain = { name: item.name, builtin: false, policy: undefined, origin: item, rules: [] };
  if (item.counters) made.counters = item.counters;
  addChain(x, made);
}

/** The rules a line adds: one per source × destination (iptables' order: sources outermost). */
function instances(cmd: CommandLine, family: IpFamily): ResolvedRule[] {
  const s = cmd.summary;
  if (s?.onlyFamily !== undefined && s.onlyFamily !== family) return [];
  const counters = cmd.counters;
  const ns = s?.sources ?? 1;
  const nd = s?.destinations ?? 1;
  const out: ResolvedRule[] = [];
  for (let si = 0; si < ns; si++) {
    for (let di = 0; di < nd; di++) out.push(counters === undefined ? { command: cmd, si, di } : { command: cmd, si, di, counters });
  }
  return out;
}

/** The rule of a line with one source and destination. */
function single(cmd: CommandLine): ResolvedRule {
  if (cmd instanceof LazyCommand) return cmd;
  return cmd.counters === undefined ? { command: cmd, si: 0, di: 0 } : { command: cmd, si: 0, di: 0, counters: cmd.counters };
}

/** Where a command's problem is shown: its rule number, else its chain, else the command. */
function atOf(cmd: CommandLine): Span {
  return cmd.indexSpan ?? cmd.chainSpan ?? cmd.opSpan;
}

function applyCommand(cmd: CommandLine, x: ReplayCtx): void {
  if (cmd.op === 'append' && cmd.summary === undefined) {
    // The common case, kept free of allocations: a parsed line is its own resolved rule.
    const c = chainOrErr(x, cmd);
    if (c) c.rules.push(single(cmd));
    return;
  }
  const { out } = x;
  const at = (): Span => atOf(cmd);
  switch (cmd.op) {
    case 'append': {
      const c = chainOrErr(x, cmd);
      if (!c) return;
      if (cmd.summary === undefined) c.rules.push(single(cmd));
      else for (const r of instances(cmd, x.family)) c.rules.push(r);
      return;
    }
    case 'insert': {
      const c = chainOrErr(x, cmd);
      if (!c) return;
      const idx = cmd.index ?? 1;
      if (idx > c.rules.length + 1) { out.push(error('iptables/bad-index', `cannot insert at position ${idx}: chain ${c.name} has ${c.rules.length} rule(s)`, at())); return; }
      c.rules.splice(idx - 1, 0, ...instances(cmd, x.family));
      return;
    }
    case 'replace': {
      const c = chainOrErr(x, cmd);
      if (!c || cmd.index === undefined) return;
      const rs = instances(cmd, x.family);
      if (cmd.index > c.rules.length) { out.push(error('iptables/bad-index', `cannot replace rule ${cmd.index}: chain ${c.name} has ${c.rules.length} rule(s)`, at())); return; }
      if (rs.length !== 1) { out.push(error('iptables/invalid-value', '-R needs a rule with a single source and destination address', cmd.opSpan)); return; }
      c.rules.splice(cmd.index - 1, 1, rs[0] as ResolvedRule);
      return;
    }
    case 'delete': {
      const c = chainOrErr(x, cmd);
      if (!c) return;
      if (cmd.index !== undefined) {
        if (cmd.index > c.rules.length) out.push(error('iptables/bad-index', `cannot delete rule ${cmd.index}: chain ${c.name} has ${c.rules.length} rule(s)`, at()));
        else c.rules.splice(cmd.index - 1, 1);
        return;
      }
      for (const r of instances(cmd, x.family)) {
        const want = bodyOf(r, x.family);
        const k = c.rules.findIndex((e) => bodyOf(e, x.family) === want);
        if (k < 0) out.push(error('iptables/no-such-rule', `-D: no rule '${want}' in chain ${c.name} to delete`, cmd.opSpan));
        else c.rules.splice(k, 1);
      }
      return;
    }
    case 'new-chain': {
      const n = cmd.chain ?? '';
      const span = cmd.chainSpan ?? cmd.opSpan;
      if (!validName(x, n, span)) return;
      if (find(x, n)) { out.push(error('iptables/chain-exists', `chain '${n}' already exists in table ${x.block.name}`, span)); return; }
      if (findTarget(n, x.family)) out.push(warning('iptables/chain-shadowed', `chain '${n}' has the name of a target: '-j ${n}' will use the target, not the chain`, span));
      addChain(x, { name: n, builtin: false, policy: undefined, origin: cmd, rules: [] });
      return;
    }
    case 'delete-chain': deleteChains(cmd, x, at); return;
    case 'flush': {
      const targets = cmd.chain === undefined ? x.chains : [chainOrErr(x, cmd)];
      for (const c of targets) if (c) c.rules = [];
      return;
    }
    case 'zero':
      if (cmd.chain !== undefined) chainOrErr(x, cmd);
      return;
    case 'policy': {
      const c = chainOrErr(x, cmd);
      if (!c) return;
      const p = cmd.argument ?? '';
      if (!c.builtin) out.push(error('iptables/bad-policy', `cannot set a policy on user-defined chain ${c.name}`, cmd.chainSpan ?? at()));
      else if (p !== 'ACCEPT' && p !== 'DROP') out.push(error('iptables/bad-policy', `bad policy '${p}': expected ACCEPT or DROP`, cmd.argumentSpan ?? at()));
      else c.policy = p;
      return;
    }
    case 'rename-chain': renameChain(cmd, x, at); return;
    default: assertNever(cmd.op);
  }
}

function bodyOf(r: ResolvedRule, family: IpFamily): string {
  const inst = ruleInstance(r);
  return inst === undefined ? '' : printRuleBody(inst, family);
}

function deleteChains(cmd: CommandLine, x: ReplayCtx, at: () => Span): void {
  const targets = cmd.chain === undefined ? x.chains.filter((c) => !c.builtin) : [chainOrErr(x, cmd)];
  for (const c of targets) {
    if (!c) continue;
    if (c.builtin) { x.out.push(error('iptables/invalid-value', `cannot delete built-in chain ${c.name}`, at())); continue; }
    const refs = x.chains.some((o) => !targets.includes(o) && o.rules.some((r) => jumpOf(r) === c.name));
    if (c.rules.length > 0 && cmd.chain !== undefined) { x.out.push(error('iptables/chain-not-empty', `cannot delete chain ${c.name}: it still has ${c.rules.length} rule(s) (flush it with -F first)`, at())); continue; }
    if (refs) { x.out.push(error('iptables/chain-in-use', `cannot delete chain ${c.name}: other rules jump to it`, at())); continue; }
    x.chains.splice(x.chains.indexOf(c), 1);
    x.byName.delete(c.name);
  }
}

function renameChain(cmd: CommandLine, x: ReplayCtx, at: () => Span): void {
  const c = chainOrErr(x, cmd);
  const n = cmd.argument ?? '';
  const span = cmd.argumentSpan ?? at();
  if (!c) return;
  if (c.builtin) { x.out.push(error('iptables/invalid-value', `cannot rename built-in chain ${c.name}`, at())); return; }
  if (!validName(x, n, span)) return;
  if (find(x, n)) { x.out.push(error('iptables/chain-exists', `chain '${n}' already exists in table ${x.block.name}`, span)); return; }
  const old = c.name;
  const renamed: ResolvedChain = { ...c, name: n };
  x.chains.splice(x.chains.indexOf(c), 1, renamed);
  x.byName.delete(old);
  x.byName.set(n, renamed);
  // (A rule may be its line, a class instance: its fields are copied by name.)
  for (const o of x.chains) {
    o.rules = o.rules.map((r) => (jumpOf(r) !== old ? r
      : r.counters === undefined ? { command: r.command, si: r.si, di: r.di, jump: n }
        : { command: r.command, si: r.si, di: r.di, counters: r.counters, jump: n }));
  }
}

interface Edge {
  readonly to: string;
  readonly rule: ResolvedRule;
}

/** Jump targets must exist; no loops; extensions only where the kernel allows them. */
function checkTable(t: ResolvedTable, family: IpFamily, out: Diagnostic[]): void {
  const chains = new Map(t.chains.map((c) => [c.name, c]));
  const edges = new Map<string, Edge[]>();
  for (const c of t.chains) {
    const list: Edge[] = [];
    for (const r of c.rules) {
      const j = r.command.summary?.jump;
      if (j === undefined) continue;
      const to = r.jump ?? j.name;
      const dest = chains.get(to);
      if (dest === undefined) {
        out.push(error('iptables/unknown-chain', `unknown chain or target '${to}': table ${t.name} has no such chain and there is no target extension of that name`, j.span));
      } else if (dest.builtin) {
        out.push(error('iptables/unknown-chain', `cannot jump to built-in chain ${to}: only user-defined chains can be targets`, j.span));
      } else list.push({ to, rule: r });
    }
    edges.set(c.name, list);
  }
  // Loop detection (each loop is reported once, at the jump that closes it).
  const state = new Map<string, 1 | 2>();
  const visit = (name: string): void => {
    state.set(name, 1);
    for (const e of edges.get(name) ?? []) {
      const s = state.get(e.to);
      if (s === 1) {
        out.push(error('iptables/chain-loop', `jumping to ${e.to} from ${name} makes a loop: the kernel refuses chains that reach themselves`, e.rule.command.summary?.jump?.span ?? e.rule.command.opSpan));
      } else if (s === undefined) visit(e.to);
    }
    state.set(name, 2);
  };
  for (const c of t.chains) if (!state.has(c.name)) visit(c.name);
  checkPlacement(t, edges, family, out);
}
