/**
 * Replays the commands of each table block the way iptables-restore does (-A, -I n, -D, -R, -N,
 * -X, -F, -P, -E; a table block flushes the table first) and returns the chains the file leaves
 * behind. Then checks what the kernel would refuse at COMMIT: jumps to chains that do not exist,
 * jump loops, and extensions used in a table or chain where they are not allowed.
 */
import { type Diagnostic, type Parsed, error, warning } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { findTarget } from './catalog.js';
import { BUILTIN_CHAINS, isTableName } from './parse.js';
import { checkPlacement } from './placement.js';
import { type RuleInstance, printRuleBody } from './print-rule.js';
import type { ChainLine, CommandLine, Counters, IptablesSyntax, RuleSyntax, TableBlock } from './syntax.js';

export interface ResolvedRule extends RuleInstance {
  /** The line that added the rule. */
  readonly command: CommandLine;
  readonly counters?: Counters;
  /** The chain a jump/goto leads to after `-E` renames (the target's name otherwise). */
  readonly jump?: string;
}

export interface ResolvedChain {
  readonly name: string;
  readonly builtin: boolean;
  /** Built-in chains: ACCEPT or DROP. */
  policy: 'ACCEPT' | 'DROP' | undefined;
  counters?: Counters;
  /** Where it was declared (`:NAME …`) or created (`-N`). */
  readonly origin: ChainLine | CommandLine | undefined;
  rules: ResolvedRule[];
}

export interface ResolvedTable {
  readonly name: string;
  readonly block: TableBlock;
  readonly chains: ResolvedChain[];
}

const MAX_CHAIN_NAME = 28;

const CACHE = new WeakMap<IptablesSyntax, Parsed<ResolvedTable[]>>();

/** The tables a file leaves behind (computed once per syntax tree; callers must not modify it). */
export function resolveSyntax(syntax: IptablesSyntax): Parsed<ResolvedTable[]> {
  let r = CACHE.get(syntax);
  if (r === undefined) {
    r = computeResolved(syntax);
    CACHE.set(syntax, r);
  }
  return r;
}

function computeResolved(syntax: IptablesSyntax): Parsed<ResolvedTable[]> {
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
  for (const t of tables) checkTable(t, syntax, diagnostics);
  return { value: tables, diagnostics };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const NONE: readonly undefined[] = [undefined];

/** One resolved rule per source × destination address (iptables' order: sources outermost). */
function expand(cmd: CommandLine, rule: RuleSyntax, counters: Counters | undefined, out: ResolvedRule[]): void {
  const srcs = rule.source?.list ?? NONE;
  const dsts = rule.destination?.list ?? NONE;
  for (const s of srcs) {
    for (const d of dsts) {
      const r: Writable<ResolvedRule> = { rule, command: cmd };
      if (s) r.source = s;
      if (d) r.destination = d;
      if (counters) r.counters = counters;
      out.push(r);
    }
  }
}

/** Replays one table block on its own (what the table holds after its COMMIT). */
export function resolveTable(block: TableBlock, family: IptablesSyntax['family'], out: Diagnostic[]): ResolvedTable {
  const builtins: readonly string[] = isTableName(block.name) ? BUILTIN_CHAINS[block.name] : [];
  const chains: ResolvedChain[] = [];
  const find = (n: string): ResolvedChain | undefined => chains.find((c) => c.name === n);
  const builtin = (n: string): ResolvedChain | undefined => {
    if (!builtins.includes(n)) return undefined;
    let c = find(n);
    if (!c) { c = { name: n, builtin: true, policy: 'ACCEPT', origin: undefined, rules: [] }; chains.push(c); }
    return c;
  };
  const chainOrErr = (cmd: CommandLine): ResolvedChain | undefined => {
    const n = cmd.chain ?? '';
    const c = builtin(n) ?? find(n);
    if (!c) out.push(error('iptables/unknown-chain', `chain '${n}' does not exist in table ${block.name}: declare it with ':${n} - [0:0]' or -N first`, cmd.chainSpan ?? cmd.opSpan));
    return c;
  };
  const validName = (n: string, span: Span): boolean => {
    if (n.startsWith('-')) { out.push(error('iptables/invalid-chain-name', `chain name '${n}' may not start with '-'`, span)); return false; }
    if (n.length > MAX_CHAIN_NAME) { out.push(error('iptables/invalid-chain-name', `chain name '${n}' is too long: at most ${MAX_CHAIN_NAME} characters`, span)); return false; }
    return true;
  };
  const instances = (cmd: CommandLine): ResolvedRule[] => {
    const out: ResolvedRule[] = [];
    const rule = cmd.rule;
    if (rule === undefined || (rule.onlyFamily !== undefined && rule.onlyFamily !== family)) return out;
    expand(cmd, rule, cmd.counters ?? rule.counters, out);
    return out;
  };

  for (const item of block.items) {
    if (item.kind === 'chain') {
      const c = builtin(item.name);
      if (c) {
        if (item.policy === 'ACCEPT' || item.policy === 'DROP') c.policy = item.policy;
        else if (item.policy !== '-') out.push(error('iptables/bad-policy', `bad policy '${item.policy}' for built-in chain ${item.name}: expected ACCEPT or DROP`, item.policySpan));
        if (item.counters) c.counters = item.counters;
        continue;
      }
      if (!validName(item.name, item.nameSpan)) continue;
      if (find(item.name)) { out.push(warning('iptables/chain-redeclared', `chain '${item.name}' is declared twice`, item.nameSpan)); continue; }
      if (item.policy !== '-') out.push(warning('iptables/user-chain-policy', `user-defined chain '${item.name}' cannot have a policy: '${item.policy}' is ignored (write '-')`, item.policySpan));
      chains.push({ name: item.name, builtin: false, policy: undefined, origin: item, rules: [], ...(item.counters && { counters: item.counters }) });
      continue;
    }
    if (item.kind !== 'command' || !item.valid) continue;
    applyCommand(item, { block, chains, find, builtin, chainOrErr, validName, instances, out, family });
  }
  return { name: block.name, block, chains };
}

interface ReplayCtx {
  readonly block: TableBlock;
  readonly chains: ResolvedChain[];
  readonly find: (n: string) => ResolvedChain | undefined;
  readonly builtin: (n: string) => ResolvedChain | undefined;
  readonly chainOrErr: (cmd: CommandLine) => ResolvedChain | undefined;
  readonly validName: (n: string, span: Span) => boolean;
  readonly instances: (cmd: CommandLine) => ResolvedRule[];
  readonly out: Diagnostic[];
  readonly family: IptablesSyntax['family'];
}

function applyCommand(cmd: CommandLine, x: ReplayCtx): void {
  const { out } = x;
  const at = cmd.indexSpan ?? cmd.chainSpan ?? cmd.opSpan;
  switch (cmd.op) {
    case 'append': {
      const c = x.chainOrErr(cmd);
      if (c) for (const r of x.instances(cmd)) c.rules.push(r);
      return;
    }
    case 'insert': {
      const c = x.chainOrErr(cmd);
      if (!c) return;
      const idx = cmd.index ?? 1;
      if (idx > c.rules.length + 1) { out.push(error('iptables/bad-index', `cannot insert at position ${idx}: chain ${c.name} has ${c.rules.length} rule(s)`, at)); return; }
      c.rules.splice(idx - 1, 0, ...x.instances(cmd));
      return;
    }
    case 'replace': {
      const c = x.chainOrErr(cmd);
      if (!c || cmd.index === undefined) return;
      const rs = x.instances(cmd);
      if (cmd.index > c.rules.length) { out.push(error('iptables/bad-index', `cannot replace rule ${cmd.index}: chain ${c.name} has ${c.rules.length} rule(s)`, at)); return; }
      if (rs.length !== 1) { out.push(error('iptables/invalid-value', '-R needs a rule with a single source and destination address', cmd.opSpan)); return; }
      c.rules.splice(cmd.index - 1, 1, rs[0] as ResolvedRule);
      return;
    }
    case 'delete': {
      const c = x.chainOrErr(cmd);
      if (!c) return;
      if (cmd.index !== undefined) {
        if (cmd.index > c.rules.length) out.push(error('iptables/bad-index', `cannot delete rule ${cmd.index}: chain ${c.name} has ${c.rules.length} rule(s)`, at));
        else c.rules.splice(cmd.index - 1, 1);
        return;
      }
      for (const r of x.instances(cmd)) {
        const want = printRuleBody(r, x.family);
        const k = c.rules.findIndex((e) => printRuleBody(e, x.family) === want);
        if (k < 0) out.push(error('iptables/no-such-rule', `-D: no rule '${want}' in chain ${c.name} to delete`, cmd.opSpan));
        else c.rules.splice(k, 1);
      }
      return;
    }
    case 'new-chain': {
      const n = cmd.chain ?? '';
      const span = cmd.chainSpan ?? cmd.opSpan;
      if (!x.validName(n, span)) return;
      if (x.builtin(n) || x.find(n)) { out.push(error('iptables/chain-exists', `chain '${n}' already exists in table ${x.block.name}`, span)); return; }
      if (findTarget(n, x.family)) out.push(warning('iptables/chain-shadowed', `chain '${n}' has the name of a target: '-j ${n}' will use the target, not the chain`, span));
      x.chains.push({ name: n, builtin: false, policy: undefined, origin: cmd, rules: [] });
      return;
    }
    case 'delete-chain': {
      const targets = cmd.chain === undefined ? x.chains.filter((c) => !c.builtin) : [x.chainOrErr(cmd)];
      for (const c of targets) {
        if (!c) continue;
        if (c.builtin) { out.push(error('iptables/invalid-value', `cannot delete built-in chain ${c.name}`, at)); continue; }
        const refs = x.chains.some((o) => !targets.includes(o) && o.rules.some((r) => (r.jump ?? r.rule.target?.name) === c.name && r.rule.target?.type === 'chain'));
        if (c.rules.length > 0 && cmd.chain !== undefined) { out.push(error('iptables/chain-not-empty', `cannot delete chain ${c.name}: it still has ${c.rules.length} rule(s) (flush it with -F first)`, at)); continue; }
        if (refs) { out.push(error('iptables/chain-in-use', `cannot delete chain ${c.name}: other rules jump to it`, at)); continue; }
        x.chains.splice(x.chains.indexOf(c), 1);
      }
      return;
    }
    case 'flush': {
      const targets = cmd.chain === undefined ? x.chains : [x.chainOrErr(cmd)];
      for (const c of targets) if (c) c.rules = [];
      return;
    }
    case 'zero':
      if (cmd.chain !== undefined) x.chainOrErr(cmd);
      return;
    case 'policy': {
      const c = x.chainOrErr(cmd);
      if (!c) return;
      const p = cmd.argument ?? '';
      if (!c.builtin) out.push(error('iptables/bad-policy', `cannot set a policy on user-defined chain ${c.name}`, cmd.chainSpan ?? at));
      else if (p !== 'ACCEPT' && p !== 'DROP') out.push(error('iptables/bad-policy', `bad policy '${p}': expected ACCEPT or DROP`, cmd.argumentSpan ?? at));
      else c.policy = p;
      return;
    }
    case 'rename-chain': {
      const c = x.chainOrErr(cmd);
      const n = cmd.argument ?? '';
      const span = cmd.argumentSpan ?? at;
      if (!c) return;
      if (c.builtin) { out.push(error('iptables/invalid-value', `cannot rename built-in chain ${c.name}`, at)); return; }
      if (!x.validName(n, span)) return;
      if (x.builtin(n) || x.find(n)) { out.push(error('iptables/chain-exists', `chain '${n}' already exists in table ${x.block.name}`, span)); return; }
      const old = c.name;
      const renamed: ResolvedChain = { ...c, name: n };
      x.chains.splice(x.chains.indexOf(c), 1, renamed);
      for (const o of x.chains) {
        o.rules = o.rules.map((r) => (r.rule.target?.type === 'chain' && (r.jump ?? r.rule.target.name) === old ? { ...r, jump: n } : r));
      }
    }
  }
}

/** Jump targets must exist; no loops; extensions only where the kernel allows them. */
function checkTable(t: ResolvedTable, syntax: IptablesSyntax, out: Diagnostic[]): void {
  const chains = new Map(t.chains.map((c) => [c.name, c]));
  const edges = new Map<string, { to: string; rule: ResolvedRule }[]>();
  for (const c of t.chains) {
    const list: { to: string; rule: ResolvedRule }[] = [];
    for (const r of c.rules) {
      const tg = r.rule.target;
      if (tg?.type !== 'chain') continue;
      const to = r.jump ?? tg.name;
      const dest = chains.get(to);
      if (dest === undefined) {
        out.push(error('iptables/unknown-chain', `unknown chain or target '${to}': table ${t.name} has no such chain and there is no target extension of that name`, tg.span));
      } else if (dest.builtin) {
        out.push(error('iptables/unknown-chain', `cannot jump to built-in chain ${to}: only user-defined chains can be targets`, tg.span));
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
        out.push(error('iptables/chain-loop', `jumping to ${e.to} from ${name} makes a loop: the kernel refuses chains that reach themselves`, e.rule.rule.target?.span ?? e.rule.command.opSpan));
      } else if (s === undefined) visit(e.to);
    }
    state.set(name, 2);
  };
  for (const c of t.chains) if (!state.has(c.name)) visit(c.name);
  checkPlacement(t, edges, syntax.family, out);
}
