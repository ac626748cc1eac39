/**
 * A parsed command line that keeps only what the table-level checks need and reads its rule
 * again from the line text on first use. A 50,000-rule file then costs two small objects per line
 * instead of a few dozen, which is what makes parsing it faster than `iptables-restore --test`.
 * Reading the line again is deterministic: the same tokens give the same rule.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import type { Hook, Rule } from '../../model/ruleset.js';
import { findMatch, findTarget } from './catalog.js';
import type { RuleParts } from './convert-rule.js';
import type { Placement } from './extension.js';
import { BUILTIN_CHAINS, isTableName } from './tables.js';
import { HOOK_OF_CHAIN, wrongChain, wrongTable } from './placement.js';
import { type LineInput, parseCommandLine } from './parse-rule.js';
import { LineSpan } from './span.js';
import type { CommandLine, CommandOp, Counters, IpFamily, PlacementNeed, RuleSummary, RuleSyntax } from './syntax.js';
import { tokenizeLine } from './tokenize.js';

/** What is needed to read the line again (shared by the lines of a table). */
export interface LineSource {
  readonly file: string;
  readonly lead: number;
  readonly start: number;
  readonly family: IpFamily;
  readonly table: string;
  /** Told of each valid rule as it is read (see ParseOptions.onRule). */
  readonly hook?: RuleHook | undefined;
}

/** What is done with each valid rule as the parser reads it (convert-early.ts converts it). */
export interface RuleHook {
  rule(cmd: CommandLine, rule: RuleSyntax): void;
}

const NO_SPAN = -1;

const COUNTERS = /^\[(\d+):(\d+)\]$/;

/** `[packets:bytes]` (a rule's prefix, a chain's last word) as counters at `span`; undefined when malformed. */
export function readCounters(text: string, span: Span): Counters | undefined {
  const m = COUNTERS.exec(text);
  return m === null ? undefined : { packets: m[1] as string, bytes: m[2] as string, span };
}

/**
 * What a line is (its op, whether it is valid and takes a rule) and where its op, chain, rule
 * number and argument tokens are, with the rarely present number, argument and `[p:b]` counters.
 * Lines alike (`-A INPUT …`) share one object.
 */
export class Layout {
  constructor(
    readonly op: CommandOp, readonly valid: boolean, readonly takesRule: boolean,
    readonly opCol: number, readonly opLen: number, readonly chainCol: number, readonly chainLen: number,
    readonly indexCol: number, readonly indexLen: number, readonly argCol: number, readonly argLen: number,
    readonly index: number | undefined, readonly argument: string | undefined, readonly counters: Counters | undefined,
  ) {}
}

/** Shared layouts, by op, validity and rule-taking, then by the positions of op and chain. */
const LAYOUTS = new Map<string, Map<number, Layout>>();

/**
 * The layout of a line with only an op and a chain (no number, argument or counters); shared
 * when they lie in the first 255 columns.
 */
export function plainLayout(op: CommandOp, valid: boolean, takesRule: boolean, opCol: number, opLen: number, chainCol: number, chainLen: number): Layout {
  if (!(opCol > 0 && opCol < 256 && opLen < 256 && chainCol < 255 && chainLen < 256)) {
    return new Layout(op, valid, takesRule, opCol, opLen, chainCol, chainLen, NO_SPAN, 0, NO_SPAN, 0, undefined, undefined, undefined);
  }
  const kind = `${op}${valid ? '' : '!'}${takesRule ? '+' : ''}`;
  let byPlace = LAYOUTS.get(kind);
  if (byPlace === undefined) {
    byPlace = new Map();
    LAYOUTS.set(kind, byPlace);
  }
  const key = opCol + opLen * 0x100 + (chainCol + 1) * 0x10000 + chainLen * 0x1000000;
  let l = byPlace.get(key);
  if (l === undefined) {
    l = new Layout(op, valid, takesRule, opCol, opLen, chainCol, chainLen, NO_SPAN, 0, NO_SPAN, 0, undefined, undefined, undefined);
    if (byPlace.size >= 100_000) byPlace.clear();
    byPlace.set(key, l);
  }
  return l;
}

/** The layout of a line with an op, a chain and a `[packets:bytes]` prefix (one per line). */
export function countedLayout(
  op: CommandOp, valid: boolean, takesRule: boolean, opCol: number, opLen: number, chainCol: number, chainLen: number, counters: Counters,
): Layout {
  return new Layout(op, valid, takesRule, opCol, opLen, chainCol, chainLen, NO_SPAN, 0, NO_SPAN, 0, undefined, undefined, counters);
}

/** The layout of a parsed line (shared when it has only an op and a chain, in the first 255 columns). */
function layoutOf(eager: CommandLine, counters: Counters | undefined): Layout {
  const opCol = colOf(eager.opSpan);
  const opLen = lenOf(eager.opSpan);
  const chainCol = colOf(eager.chainSpan);
  const chainLen = lenOf(eager.chainSpan);
  const takesRule = eager.rule !== undefined;
  const plain = eager.indexSpan === undefined && eager.argumentSpan === undefined && eager.index === undefined
    && eager.argument === undefined && counters === undefined;
  if (plain) return plainLayout(eager.op, eager.valid, takesRule, opCol, opLen, chainCol, chainLen);
  return new Layout(
    eager.op, eager.valid, takesRule, opCol, opLen, chainCol, chainLen, colOf(eager.indexSpan), lenOf(eager.indexSpan),
    colOf(eager.argumentSpan), lenOf(eager.argumentSpan), eager.index, eager.argument, counters,
  );
}

/**
 * A command line as the tree keeps it: a few fields, a shared layout, the rule read again from
 * the text when asked for. One object per line of files with tens of thousands.
 *
 * A line that adds one rule (one source and destination) is also that rule as resolve.ts lists
 * it in its chain (a ResolvedRule: itself, source and destination 0).
 */
export class LazyCommand implements CommandLine {
  private cached: RuleSyntax | undefined | null = null;
  /**
   * What the rule hook made of the rule while it was read (see convert-early.ts): the finished
   * model rule, or its parts when the table's chains are needed to finish it. Taken once.
   */
  early: RuleParts | Rule | undefined = undefined;

  constructor(
    private readonly src: LineSource,
    readonly line: number,
    readonly text: string,
    readonly chain: string | undefined,
    readonly summary: RuleSummary | undefined,
    private readonly layout: Layout,
  ) {}

  get kind(): 'command' {
    return 'command';
  }

  get op(): CommandOp {
    return this.layout.op;
  }

  get valid(): boolean {
    return this.layout.valid;
  }

  /** As a ResolvedRule: the line itself, with its only source and destination. */
  get command(): CommandLine {
    return this;
  }

  get si(): number {
    return 0;
  }

  get di(): number {
    return 0;
  }

  /** The name of the file the line is in. */
  get file(): string {
    return this.src.file;
  }

  get index(): number | undefined {
    return this.layout.index;
  }

  get argument(): string | undefined {
    return this.layout.argument;
  }

  get counters(): Counters | undefined {
    return this.layout.counters;
  }

  private spanAt(col: number, len: number): Span | undefined {
    return col === NO_SPAN ? undefined : new LineSpan(this.src.file, this.line, col, len);
  }

  get opSpan(): Span {
    return this.spanAt(this.layout.opCol, this.layout.opLen) as Span;
  }

  get chainSpan(): Span | undefined {
    return this.spanAt(this.layout.chainCol, this.layout.chainLen);
  }

  get indexSpan(): Span | undefined {
    return this.spanAt(this.layout.indexCol, this.layout.indexLen);
  }

  get argumentSpan(): Span | undefined {
    return this.spanAt(this.layout.argCol, this.layout.argLen);
  }

  get rule(): RuleSyntax | undefined {
    if (this.cached === null) this.cached = this.readRule();
    return this.cached;
  }

  /** The rule, read from the line without keeping it (for one pass over a large file). */
  readRule(): RuleSyntax | undefined {
    if (this.cached !== null) return this.cached;
    return this.layout.takesRule ? reread(this.src, this.line, this.text)?.rule : undefined;
  }
}

function reread(src: LineSource, line: number, text: string): CommandLine | undefined {
  const { tokens } = tokenizeLine(text, src.lead);
  const ignored: Diagnostic[] = [];
  // The rule does not depend on the `[p:b]` prefix, which is a property of the line.
  return parseCommandLine(lineInput(src, line, text, tokens, tokens.length, undefined), ignored);
}

function lineInput(src: LineSource, line: number, text: string, tokens: LineInput['tokens'], count: number, counters: Counters | undefined): LineInput {
  const input: LineInput = { file: src.file, line, text, tokens, count, start: src.start, family: src.family, table: src.table };
  return counters === undefined ? input : { ...input, counters };
}

/**
 * The facts about a rule that resolve.ts checks across the table; undefined when there are none.
 * Placement is checked here when it can be: the table always, the hook when the rule is in a
 * built-in chain. Only rules of user-defined chains keep their hook needs for later.
 */
export function summarize(rule: RuleSyntax, family: IpFamily, table: string, chain: string | undefined, out: Diagnostic[]): RuleSummary | undefined {
  const sources = rule.source?.list.length ?? 1;
  const destinations = rule.destination?.list.length ?? 1;
  const t = rule.target;
  const jump = t !== undefined && t.type === 'chain' ? { name: t.name, goto: t.goto, span: t.span } : undefined;
  const hook = chain !== undefined && isTableName(table) && BUILTIN_CHAINS[table].includes(chain) ? HOOK_OF_CHAIN[chain] : undefined;
  let placements: PlacementNeed[] | undefined;
  for (const m of rule.matches) {
    const spec = findMatch(m.name, family);
    if (spec?.placement) placements = need('match', m.name, spec.placement(m), m.span, table, chain, hook, out, placements);
  }
  if (t?.type === 'extension') {
    const spec = findTarget(t.name, family);
    if (spec?.placement) placements = need('target', t.name, spec.placement(t), t.span, table, chain, hook, out, placements);
  }
  if (jump === undefined && placements === undefined && sources === 1 && destinations === 1 && rule.onlyFamily === undefined) {
    return undefined;
  }
  const s: { -readonly [K in keyof RuleSummary]: RuleSummary[K] } = { sources, destinations };
  if (jump) s.jump = jump;
  if (placements) s.placements = placements;
  if (rule.onlyFamily) s.onlyFamily = rule.onlyFamily;
  return s;
}

/**
 * Checks a placement now when it can be; returns the needs left for later (in `placements`).
 * Messages name the extension as `match 'owner'` or `target DNAT`.
 */
function need(
  kind: 'match' | 'target', name: string, p: Placement | undefined, span: Span, table: string, chain: string | undefined,
  hook: Hook | undefined, out: Diagnostic[], placements: PlacementNeed[] | undefined,
): PlacementNeed[] | undefined {
  if (p === undefined) return placements;
  if ((p.tables === undefined || p.tables.includes(table)) && (p.hooks === undefined || (hook !== undefined && p.hooks.includes(hook)))) {
    return placements; // allowed here: nothing to say, nothing to keep
  }
  const what = kind === 'match' ? `match '${name}'` : `target ${name}`;
  if (p.tables !== undefined && !p.tables.includes(table)) {
    out.push(wrongTable(what, p.tables, table, span));
    return placements;
  }
  if (p.hooks === undefined) return placements;
  if (hook !== undefined) {
    if (!p.hooks.includes(hook)) out.push(wrongChain(what, p.hooks, chain ?? '', [hook], span));
    return placements;
  }
  const list = placements ?? [];
  list.push({ what, hooks: p.hooks, span });
  return list;
}

function colOf(s: Span | undefined): number {
  return s === undefined ? NO_SPAN : s instanceof LineSpan ? s.column : s.start.column;
}

function lenOf(s: Span | undefined): number {
  return s === undefined ? 0 : s instanceof LineSpan ? s.length : s.end.column - s.start.column;
}

/** Parses a command line and keeps it in the compact, re-readable form. */
export function readCommand(
  src: LineSource, line: number, text: string, tokens: LineInput['tokens'], count: number, counters: Counters | undefined,
  out: Diagnostic[],
): LazyCommand | undefined {
  const eager = parseCommandLine(lineInput(src, line, text, tokens, count, counters), out);
  if (eager === undefined) return undefined;
  const summary = eager.rule === undefined ? undefined : summarize(eager.rule, src.family, src.table, eager.chain, out);
  // `[p:b] -A …` and `-A … -c p b` both set the rule's counters.
  const layout = layoutOf(eager, eager.counters ?? eager.rule?.counters);
  const cmd = new LazyCommand(src, line, text, eager.chain, summary, layout);
  if (src.hook !== undefined && eager.rule !== undefined && eager.valid) src.hook.rule(cmd, eager.rule);
  return cmd;
}
