/**
 * A parsed command line that keeps only what the table-level checks need and reads its rule
 * again from the line text on first use. A 50,000-rule file then costs two small objects per line
 * instead of a few dozen, which is what makes parsing it faster than `iptables-restore --test`.
 * Reading the line again is deterministic: the same tokens give the same rule.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
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
  /** Called with each valid rule as it is read (see ParseOptions.onRule). */
  readonly onRule?: ((cmd: CommandLine, rule: RuleSyntax) => void) | undefined;
}

const NO_SPAN = -1;

export class LazyCommand implements CommandLine {
  readonly kind = 'command' as const;
  private cached: RuleSyntax | undefined | null = null;
  /** What the onRule hook made of the rule while it was read (see convert-rule.ts); taken once. */
  early: RuleParts | undefined = undefined;
  private readonly opCol: number;
  private readonly opLen: number;
  private readonly chainCol: number;
  private readonly chainLen: number;
  private readonly indexCol: number;
  private readonly indexLen: number;
  private readonly argCol: number;
  private readonly argLen: number;

  constructor(
    private readonly src: LineSource,
    readonly line: number,
    readonly text: string,
    readonly op: CommandOp,
    readonly valid: boolean,
    readonly chain: string | undefined,
    readonly index: number | undefined,
    readonly argument: string | undefined,
    readonly counters: Counters | undefined,
    readonly summary: RuleSummary | undefined,
    private readonly takesRule: boolean,
    /** The line as first read: where its op, chain, index and argument tokens are. */
    spans: CommandLine,
  ) {
    this.opCol = colOf(spans.opSpan);
    this.opLen = lenOf(spans.opSpan);
    this.chainCol = colOf(spans.chainSpan);
    this.chainLen = lenOf(spans.chainSpan);
    this.indexCol = colOf(spans.indexSpan);
    this.indexLen = lenOf(spans.indexSpan);
    this.argCol = colOf(spans.argumentSpan);
    this.argLen = lenOf(spans.argumentSpan);
  }

  private spanAt(col: number, len: number): Span | undefined {
    return col === NO_SPAN ? undefined : new LineSpan(this.src.file, this.line, col, len);
  }

  get opSpan(): Span {
    return this.spanAt(this.opCol, this.opLen) as Span;
  }

  get chainSpan(): Span | undefined {
    return this.spanAt(this.chainCol, this.chainLen);
  }

  get indexSpan(): Span | undefined {
    return this.spanAt(this.indexCol, this.indexLen);
  }

  get argumentSpan(): Span | undefined {
    return this.spanAt(this.argCol, this.argLen);
  }

  get rule(): RuleSyntax | undefined {
    if (this.cached === null) this.cached = this.readRule();
    return this.cached;
  }

  /** The rule, read from the line without keeping it (for one pass over a large file). */
  readRule(): RuleSyntax | undefined {
    if (this.cached !== null) return this.cached;
    return this.takesRule ? reread(this.src, this.line, this.text)?.rule : undefined;
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
  const need = (what: string, p: Placement | undefined, span: Span): void => {
    if (p === undefined) return;
    if (p.tables !== undefined && !p.tables.includes(table)) {
      out.push(wrongTable(what, p.tables, table, span));
      return;
    }
    if (p.hooks === undefined) return;
    if (hook !== undefined) {
      if (!p.hooks.includes(hook)) out.push(wrongChain(what, p.hooks, chain ?? '', [hook], span));
      return;
    }
    (placements ??= []).push({ what, hooks: p.hooks, span });
  };
  for (const m of rule.matches) {
    const spec = findMatch(m.name, family);
    if (spec?.placement) need(`match '${m.name}'`, spec.placement(m), m.span);
  }
  if (t?.type === 'extension') {
    const spec = findTarget(t.name, family);
    if (spec?.placement) need(`target ${t.name}`, spec.placement(t), t.span);
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
  const cmd = new LazyCommand(
    // `[p:b] -A …` and `-A … -c p b` both set the rule's counters.
    src, line, text, eager.op, eager.valid, eager.chain, eager.index, eager.argument, eager.counters ?? eager.rule?.counters, summary,
    eager.rule !== undefined, eager,
  );
  if (src.onRule !== undefined && eager.rule !== undefined && eager.valid) src.onRule(cmd, eager.rule);
  return cmd;
}
