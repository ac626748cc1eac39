/**
 * The fast reader for the lines iptables-save writes most: `-A CHAIN` (after a `[packets:bytes]`
 * prefix with `-c`), base options (`-s -d -i -o -p`, with `!`), then `-m NAME` with exactly
 * spelled options and `-j TARGET`. It reads the same rule the general reader (parse-rule.ts)
 * reads, without its token strings and getopt tables, and hands it to the shared checks
 * (checkRule, summarize) and conversion (convert-rule.ts).
 *
 * A rule tail (everything from the first `-m`/`-j` on) it has read and checked before is taken
 * from its memory (fast-memo.ts): then only the line's base options are read.
 *
 * It only accepts what it reads exactly as the general reader would and what raises no
 * diagnostic. Anything else (`-c packets bytes`, quotes with escapes, tabs, abbreviated or `=` options,
 * implicit protocol matches, address lists, `-f`, `-g`, errors, warnings) is declined, and the
 * general reader reads the line and reports it. fast-line.test.ts checks that both readers give
 * equal results on every line of the corpora and on generated lines.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { readAddressSpecAt } from './address-spec.js';
import { type LineSource, LazyCommand, countedLayout, plainLayout, readCounters, summarize } from './command.js';
import { EarlyConverter } from './convert-early.js';
import { type ExtensionParts, extensionParts, lineSpecific } from './convert-rule.js';
import { ExtReader } from './fast-ext.js';
import { type TailContext, TailMemo, hashRange } from './fast-memo.js';
import { BaseOptions, ScratchRule } from './fast-scratch.js';
import { LineTokens } from './fast-tokens.js';
import type { LineInput } from './line-cursor.js';
import { LineSpan } from './span.js';
import type { Counters } from './syntax.js';
import { parseIptProtocol } from './protocols.js';
import { checkRule, interfaceSeen } from './rule-checks.js';

const DASH = 45;
const BANG = 33;
const BRACKET = 91;
const LETTER_M = 109;
const LETTER_J = 106;

/**
 * Reads the `-A` lines of one table (one LineSource). The reader is reused from line to line;
 * what it keeps between lines is its memory of extension text.
 */
export class FastLineReader implements TailContext {
  private readonly tok = new LineTokens();
  private line = 0;
  chain = '';
  private readonly b = new BaseOptions();
  private readonly ext: ExtReader;
  private readonly scratchRule = new ScratchRule();
  private readonly checkInput: LineInput;
  private readonly scratch: Diagnostic[] = [];
  private readonly convert: EarlyConverter | undefined;
  private readonly tails = new TailMemo<ExtensionParts | undefined>();
  /** Where the line's tail starts (its first `-m` or `-j`, else the end) and its hash. */
  private tailAt = 0;
  private tailHash = 0;
  /** A `!` waiting for its option. */
  private invert = false;
  /** The line's `[packets:bytes]` prefix, and the index of its `-A` (1 after the prefix, else 0). */
  private counters: Counters | undefined;
  private first = 0;

  /**
   * `src` is where lines are read again from (LazyCommand); `counted`, the same for lines with a
   * `[packets:bytes]` prefix (read from their second word).
   */
  constructor(private readonly src: LineSource, private readonly counted: LineSource) {
    this.checkInput = { file: src.file, line: 0, text: '', tokens: [], start: 0, family: src.family, table: src.table };
    this.ext = new ExtReader(src.family, src.file);
    this.convert = src.hook instanceof EarlyConverter ? src.hook : undefined;
  }

  get protocol(): number {
    return this.b.protocol;
  }

  get protocolInvert(): boolean {
    return this.b.protocolInvert;
  }

  /**
   * The line as the tree keeps it, its rule already converted (or handed to the source's hook);
   * undefined when the fast reader declines the line.
   */
  read(raw: string, line: number): LazyCommand | undefined {
    if (!this.start(raw, line)) return undefined;
    const t = this.tok;
    const n = t.count;
    // Base options up to the first -m or -j: the tail from there on may be known.
    let i = this.first + 2;
    while (i < n) {
      const at = this.pastBang(i);
      const c = at < 0 ? 0 : t.dashLetter(at);
      if (c === LETTER_M || c === LETTER_J) {
        if (at !== i) return undefined; // `! -m` and `! -j` are errors
        break;
      }
      if (at < 0 || at + 1 >= n || !this.base(c, at + 1, this.takeBang())) return undefined;
      i = at + 2;
    }
    this.tailAt = i < n ? t.start(i) : raw.length;
    this.tailHash = hashRange(raw, this.tailAt, raw.length);
    const known = this.tails.find(raw, this.tailAt, raw.length, this.tailHash, this);
    if (known !== undefined) {
      const cmd = this.command(undefined);
      this.finish(cmd, known.value);
      return cmd;
    }
    return this.readTail(i);
  }

  /** Splits the line and reads its `[packets:bytes]` prefix, if any, and `-A CHAIN`; false to decline. */
  private start(raw: string, line: number): boolean {
    const t = this.tok;
    if (!t.split(raw)) return false;
    this.counters = undefined;
    this.first = 0;
    if (raw.charCodeAt(0) === BRACKET) {
      // As the general reader reads it (parse.ts): anything but [digits:digits] is an error there.
      this.counters = readCounters(t.text(0), new LineSpan(this.src.file, line, t.start(0) + 1, t.end(0) - t.start(0)));
      if (this.counters === undefined) return false;
      this.first = 1;
    }
    const k = this.first;
    if (t.count < k + 2 || !t.is(k, '-A') || t.isQuoted(k + 1)) return false;
    const c0 = raw.charCodeAt(t.start(k + 1));
    if (c0 === DASH || c0 === BANG) return false;
    this.line = line;
    this.invert = false;
    this.chain = this.chainText();
    this.b.reset();
    return true;
  }

  /**
   * The option at token i, past a `!` (noted for it); -1 when a `!` has nothing after it or
   * follows another one (errors).
   */
  private pastBang(i: number): number {
    if (!this.tok.isBang(i)) return i;
    if (this.invert || i + 1 >= this.tok.count) return -1;
    this.invert = true;
    return i + 1;
  }

  /** Whether a `!` preceded the option at hand (and forgets it). */
  private takeBang(): boolean {
    const inv = this.invert;
    this.invert = false;
    return inv;
  }

  /** `-s -d -i -o -p` (option letter `c`) with the argument at token `a`; false to decline. */
  private base(c: number, a: number, invert: boolean): boolean {
    const t = this.tok;
    const b = this.b;
    switch (c) {
      case 115: // -s
      case 100: { // -d
        if (t.isQuoted(a)) return false;
        const as = t.start(a);
        const ae = t.end(a);
        const comma = t.raw.indexOf(',', as);
        if (comma >= 0 && comma < ae) return false;
        const spec = readAddressSpecAt(t.raw, as, ae, this.src.family);
        if (typeof spec === 'string') return false;
        if (c === 115) {
          if (b.source !== undefined) return false;
          b.source = spec;
          b.sourceInvert = invert;
        } else {
          if (b.destination !== undefined) return false;
          b.destination = spec;
          b.destinationInvert = invert;
        }
        return true;
      }
      case 105: // -i
      case 111: { // -o
        const name = t.text(a);
        if (name.length === 0 || name.length > 15 || name.indexOf(' ') >= 0 || name.indexOf('/') >= 0) return false;
        if (c === 105) {
          if (b.inName !== undefined || !interfaceSeen('in', this.chain)) return false;
          b.inName = name;
          b.inInvert = invert;
        } else {
          if (b.outName !== undefined || !interfaceSeen('out', this.chain)) return false;
          b.outName = name;
          b.outInvert = invert;
        }
        return true;
      }
      case 112: { // -p
        if (b.protocol >= 0) return false;
        const num = parseIptProtocol(t.text(a));
        if (num === undefined || (num === 0 && invert)) return false;
        b.protocol = num;
        b.protocolInvert = invert;
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Reads the rest of the line from token i (match modules, their options, the target, and any
   * base option among them), checks the rule and notes its tail for later lines.
   */
  private readTail(i: number): LazyCommand | undefined {
    const t = this.tok;
    const n = t.count;
    // A tail with a base option among its extensions is not only extensions: it serves no other line.
    let onlyExtensions = true;
    const x = this.ext;
    x.begin();
    while (i < n) {
      i = this.pastBang(i);
      if (i < 0) return undefined;
      const c = t.dashLetter(i);
      if (c === LETTER_M || c === LETTER_J) {
        if (this.takeBang() || i + 1 >= n) return undefined;
        if (!(c === LETTER_J ? x.loadTarget(t, i, this.line) : x.loadMatch(t, i, this.line))) return undefined;
        i += 2;
      } else if (c !== 0) {
        if (i + 1 >= n || !this.base(c, i + 1, this.takeBang())) return undefined;
        onlyExtensions = false;
        i += 2;
      } else {
        // `--name` of a loaded extension, spelled out, without `=value`.
        if (!t.isLong(i)) return undefined;
        i = x.option(t, i, this.takeBang());
        if (i < 0) return undefined;
      }
    }
    const { matches, target } = x.syntax();
    const rule = this.scratchRule.fill(this.b, matches, target);
    const out = this.scratch;
    out.length = 0;
    const failed = checkRule(rule, this.chain, this.checkInput, out) || out.length > 0;
    const summary = failed ? undefined : summarize(rule, this.src.family, this.src.table, this.chain, out);
    this.scratchRule.clear();
    if (failed || out.length > 0) return undefined;
    const cmd = this.command(summary);
    const protocol = this.b.protocol < 0 ? 0 : this.b.protocol;
    const ext = this.convert === undefined ? undefined : extensionParts(matches, target, this.convert.scopeOf(this.chain), protocol);
    // A tail of extensions only, that needs nothing line-specific, serves later lines.
    if (summary === undefined && onlyExtensions && (ext === undefined || !lineSpecific(ext))) {
      this.tails.note(t.raw, this.tailAt, t.raw.length, this.tailHash, this, ext);
    }
    this.finish(cmd, ext);
    return cmd;
  }

  private command(summary: LazyCommand['summary']): LazyCommand {
    const t = this.tok;
    const k = this.first;
    const opCol = t.start(k) + 1;
    const chainCol = t.start(k + 1) + 1;
    const chainLen = t.end(k + 1) - t.start(k + 1);
    if (this.counters === undefined) {
      return new LazyCommand(this.src, this.line, t.raw, this.chain, summary, plainLayout('append', true, true, opCol, 2, chainCol, chainLen));
    }
    const layout = countedLayout('append', true, true, opCol, 2, chainCol, chainLen, this.counters);
    return new LazyCommand(this.counted, this.line, t.raw, this.chain, summary, layout);
  }

  /**
   * Converts the rule of `cmd` from its base options and its extensions' parts, or hands it to a
   * hook other than the converter (none today), read again by the general reader: its syntax
   * then has every span.
   */
  private finish(cmd: LazyCommand, ext: ExtensionParts | undefined): void {
    if (this.convert !== undefined && ext !== undefined) {
      this.b.startConjunction();
      this.convert.appendedParts(cmd, this.chain, ext);
      return;
    }
    const hook = this.src.hook;
    if (hook === undefined) return;
    const syntax = cmd.readRule();
    if (syntax !== undefined) hook.rule(cmd, syntax);
  }

  /** The chain name of token 1, the previous line's string when it is the same chain. */
  private chainText(): string {
    const t = this.tok;
    const s = t.start(this.first + 1);
    const e = t.end(this.first + 1);
    const last = this.chain;
    if (last.length === e - s && t.raw.startsWith(last, s)) return last;
    return t.raw.slice(s, e);
  }
}
