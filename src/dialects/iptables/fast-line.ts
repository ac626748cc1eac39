/**
 * The fast reader for the lines iptables-save writes most: `-A CHAIN`, base options (`-s -d -i -o
 * -p`, with `!`), then `-m NAME` with exactly spelled options and `-j TARGET`. It reads the same
 * rule the general reader (parse-rule.ts) reads, without its token strings and getopt tables, and
 * hands it to the shared checks (checkRule, summarize) and conversion (convert-rule.ts). A rule
 * tail (the extensions) it has read and checked before is taken from its memory (fast-memo.ts).
 *
 * It only accepts what it reads exactly as the general reader would and what raises no
 * diagnostic. Anything else (counters, quotes with escapes, tabs, abbreviated or `=` options,
 * implicit protocol matches, address lists, `-f`, `-g`, errors, warnings) is declined, and the
 * general reader reads the line and reports it. fast-line.test.ts checks that both readers give
 * equal results on every line of the corpora and on generated lines.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { readAddressSpecAt } from './address-spec.js';
import { STANDARD_TARGETS, findMatch, findTarget } from './catalog.js';
import { type LineSource, LazyCommand, plainLayout, summarize } from './command.js';
import { EarlyConverter } from './convert-early.js';
import { type ExtensionParts, extensionParts, startBase } from './convert-rule.js';
import type { ExtensionSpec } from './extension.js';
import { type TailContext, TailMemo, hashRange } from './fast-memo.js';
import { LineTokens } from './fast-tokens.js';
import { type OptionName, isBaseLongOption, optionNames } from './getopt.js';
import type { LineInput } from './line-cursor.js';
import { parseIptProtocol } from './protocols.js';
import { checkRule, interfaceSeen } from './rule-checks.js';
import { LineSpan } from './span.js';
import type {
  AddressOption, AddressSpec, ExtOption, InterfaceOption, MatchSyntax, ProtocolOption, RuleSummary, RuleSyntax, TargetSyntax,
} from './syntax.js';

const DASH = 45;
const BANG = 33;
const LETTER_M = 109;
const LETTER_J = 106;

const NO_OPTIONS: readonly ExtOption[] = [];

/**
 * The span of base options and extension options. Those spans serve only diagnostics, and a line
 * with any diagnostic is declined, so they are never shown; the spans that outlive the reading
 * (the `-m` module and `-j` target names, kept by summaries and opaque notes) are exact.
 */
const UNSHOWN: Span = new LineSpan('', 0, 0, 0);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const NO_MATCHES: readonly MatchSyntax[] = [];
const NO_ADDRESS: AddressSpec = { family: 'ipv4', value: 0n, mask: 0n, prefix: 0 };

/** The scratch base options of ruleSyntax: refilled for each line. */
class ScratchAddress implements AddressOption {
  invert = false;
  readonly list: AddressSpec[] = [NO_ADDRESS];
  readonly span = UNSHOWN;

  fill(invert: boolean, a: AddressSpec): this {
    this.invert = invert;
    this.list[0] = a;
    return this;
  }
}

class ScratchInterface implements InterfaceOption {
  invert = false;
  name = '';
  readonly span = UNSHOWN;

  fill(invert: boolean, name: string): this {
    this.invert = invert;
    this.name = name;
    return this;
  }
}

class ScratchProtocol implements ProtocolOption {
  invert = false;
  number = 0;
  readonly span = UNSHOWN;

  fill(invert: boolean, n: number): this {
    this.invert = invert;
    this.number = n;
    return this;
  }
}

/** An extension being read: its spec, where its name is, and its options so far. */
interface Loaded {
  readonly spec: ExtensionSpec;
  readonly given: string;
  readonly span: LineSpan;
  options: ExtOption[] | undefined;
}

/**
 * Reads the `-A` lines of one table (one LineSource). The reader is reused from line to line;
 * what it keeps between lines is its memory of rule tails.
 */
export class FastLineReader implements TailContext {
  private readonly tok = new LineTokens();
  private line = 0;
  chain = '';
  private readonly checkInput: LineInput;
  private readonly scratch: Diagnostic[] = [];
  private readonly argCtx: { readonly family: LineSource['family'] };
  private readonly convert: EarlyConverter | undefined;
  private readonly memo = new TailMemo();
  /** Where the line's tail starts (its first `-m` or `-j`, else the end) and its hash. */
  private tailAt = 0;
  private tailHash = 0;

  // The base options of the line being read.
  private source: AddressSpec | undefined;
  private sourceInvert = false;
  private destination: AddressSpec | undefined;
  private destinationInvert = false;
  private inName: string | undefined;
  private inInvert = false;
  private outName: string | undefined;
  private outInvert = false;
  /** -1 when there is no `-p`. */
  protocol = -1;
  protocolInvert = false;
  /** A `!` waiting for its option. */
  private invert = false;

  // The rule syntax handed to the checks, one per reader (see ruleSyntax).
  private readonly scratchRule: Mutable<RuleSyntax> = {
    source: undefined, destination: undefined, inInterface: undefined, outInterface: undefined, protocol: undefined,
    fragment: undefined, matches: NO_MATCHES, target: undefined, counters: undefined, onlyFamily: undefined,
  };
  private readonly scratchSource = new ScratchAddress();
  private readonly scratchDestination = new ScratchAddress();
  private readonly scratchIn = new ScratchInterface();
  private readonly scratchOut = new ScratchInterface();
  private readonly scratchProtocol = new ScratchProtocol();

  constructor(private readonly src: LineSource) {
    this.checkInput = { file: src.file, line: 0, text: '', tokens: [], start: 0, family: src.family, table: src.table };
    this.argCtx = { family: src.family };
    this.convert = src.hook instanceof EarlyConverter ? src.hook : undefined;
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
    let i = 2;
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
    const known = this.memo.find(raw, this.tailAt, raw.length, this.tailHash, this);
    if (known === undefined) return this.readTail(i);
    const cmd = this.command(undefined);
    this.finish(cmd, known.ext);
    return cmd;
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

  /** Splits the line and reads `-A CHAIN`; false to decline. */
  private start(raw: string, line: number): boolean {
    const t = this.tok;
    if (!t.split(raw) || t.count < 2 || !t.is(0, '-A') || t.isQuoted(1)) return false;
    const c0 = raw.charCodeAt(t.start(1));
    if (c0 === DASH || c0 === BANG) return false;
    this.line = line;
    this.invert = false;
    this.chain = this.chainText();
    this.source = undefined;
    this.sourceInvert = false;
    this.destination = undefined;
    this.destinationInvert = false;
    this.inName = undefined;
    this.inInvert = false;
    this.outName = undefined;
    this.outInvert = false;
    this.protocol = -1;
    this.protocolInvert = false;
    return true;
  }

  /** `-s -d -i -o -p` (option letter `c`) with the argument at token `a`; false to decline. */
  private base(c: number, a: number, invert: boolean): boolean {
    const t = this.tok;
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
          if (this.source !== undefined) return false;
          this.source = spec;
          this.sourceInvert = invert;
        } else {
          if (this.destination !== undefined) return false;
          this.destination = spec;
          this.destinationInvert = invert;
        }
        return true;
      }
      case 105: // -i
      case 111: { // -o
        const name = t.text(a);
        if (name.length === 0 || name.length > 15 || name.indexOf(' ') >= 0 || name.indexOf('/') >= 0) return false;
        if (c === 105) {
          if (this.inName !== undefined || !interfaceSeen('in', this.chain)) return false;
          this.inName = name;
          this.inInvert = invert;
        } else {
          if (this.outName !== undefined || !interfaceSeen('out', this.chain)) return false;
          this.outName = name;
          this.outInvert = invert;
        }
        return true;
      }
      case 112: { // -p
        if (this.protocol >= 0) return false;
        const num = parseIptProtocol(t.text(a));
        if (num === undefined || (num === 0 && invert)) return false;
        this.protocol = num;
        this.protocolInvert = invert;
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Reads the rest of the line from token i (match modules, their options, the target, and any
   * base option after them), checks the rule and notes its tail for later lines.
   */
  private readTail(i: number): LazyCommand | undefined {
    const t = this.tok;
    const n = t.count;
    const loaded: Loaded[] = [];
    let target: Loaded | undefined;
    let targetChain: { name: string; span: LineSpan } | undefined;
    // Can the tail be remembered: is it only extensions?
    let shareable = true;
    while (i < n) {
      i = this.pastBang(i);
      if (i < 0) return undefined;
      const c = t.dashLetter(i);
      if (c !== 0) {
        const invert = this.takeBang();
        if (i + 1 >= n) return undefined;
        if (c === LETTER_M) {
          if (invert) return undefined;
          const name = t.text(i + 1);
          const spec = findMatch(name, this.src.family);
          if (spec === undefined) return undefined;
          loaded.push({ spec, given: name, span: this.span(i + 1), options: undefined });
        } else if (c === LETTER_J) {
          const name = t.text(i + 1);
          if (invert || target !== undefined || targetChain !== undefined || name.length === 0) return undefined;
          const span = this.span(i + 1);
          const spec = findTarget(name, this.src.family);
          if (spec === undefined || STANDARD_TARGETS.has(name)) targetChain = { name, span };
          else {
            target = { spec, given: name, span, options: undefined };
            loaded.push(target);
          }
        } else {
          // A base option among the extensions: the tail is not only extensions.
          if (!this.base(c, i + 1, invert)) return undefined;
          shareable = false;
        }
        i += 2;
        continue;
      }
      // `--name` of a loaded extension, spelled out, without `=value`.
      if (!t.isLong(i)) return undefined;
      const next = this.extOption(loaded, i, this.takeBang());
      if (next < 0) return undefined;
      i = next;
    }

    const matches: MatchSyntax[] = new Array<MatchSyntax>(loaded.length - (target === undefined ? 0 : 1));
    let k = 0;
    for (const m of loaded) {
      if (m === target) continue;
      matches[k++] = { name: m.spec.name, given: m.given, implicit: false, span: m.span, options: m.options ?? NO_OPTIONS, invalid: false };
    }
    let ts: TargetSyntax | undefined;
    if (target !== undefined) {
      ts = { name: target.spec.name, type: 'extension', goto: false, span: target.span, options: target.options ?? NO_OPTIONS, invalid: false };
    } else if (targetChain !== undefined) {
      const type = STANDARD_TARGETS.has(targetChain.name) ? 'standard' : 'chain';
      ts = { name: targetChain.name, type, goto: false, span: targetChain.span, options: NO_OPTIONS, invalid: false };
    }
    const rule = this.ruleSyntax(matches, ts);
    const out = this.scratch;
    out.length = 0;
    if (checkRule(rule, this.chain, this.checkInput, out) || out.length > 0) {
      this.clearRule();
      return undefined;
    }
    const summary = summarize(rule, this.src.family, this.src.table, this.chain, out);
    this.clearRule();
    if (out.length > 0) return undefined;
    const cmd = this.command(summary);
    const protocol = this.protocol < 0 ? 0 : this.protocol;
    const ext = this.convert === undefined ? undefined : extensionParts(matches, ts, this.convert.scopeOf(this.chain), protocol);
    if (shareable && summary === undefined && (ext === undefined || (ext.opaque.length === 0 && ext.ipsets.length === 0))) {
      this.memo.note(t.raw, this.tailAt, t.raw.length, this.tailHash, this, ext);
    }
    this.finish(cmd, ext);
    return cmd;
  }

  /**
   * The rule syntax of the line: its base options (spans unshown) with these extensions. It is
   * one object per reader, filled again for each line: the checks and the conversion it is
   * handed to keep nothing of it.
   */
  private ruleSyntax(matches: readonly MatchSyntax[], target: TargetSyntax | undefined): RuleSyntax {
    const r = this.scratchRule;
    r.source = this.source === undefined ? undefined : this.scratchSource.fill(this.sourceInvert, this.source);
    r.destination = this.destination === undefined ? undefined : this.scratchDestination.fill(this.destinationInvert, this.destination);
    r.inInterface = this.inName === undefined ? undefined : this.scratchIn.fill(this.inInvert, this.inName);
    r.outInterface = this.outName === undefined ? undefined : this.scratchOut.fill(this.outInvert, this.outName);
    r.protocol = this.protocol < 0 ? undefined : this.scratchProtocol.fill(this.protocolInvert, this.protocol);
    r.matches = matches;
    r.target = target;
    return r;
  }

  /** Drops the references the scratch rule holds (the reader outlives the line). */
  private clearRule(): void {
    const r = this.scratchRule;
    r.matches = NO_MATCHES;
    r.target = undefined;
    this.scratchSource.fill(false, NO_ADDRESS);
    this.scratchDestination.fill(false, NO_ADDRESS);
  }

  private command(summary: RuleSummary | undefined): LazyCommand {
    const t = this.tok;
    const layout = plainLayout('append', true, true, 1, 2, t.start(1) + 1, t.end(1) - t.start(1));
    return new LazyCommand(this.src, this.line, t.raw, this.chain, summary, layout);
  }

  /**
   * Converts the rule of `cmd` from its base options and its extensions' parts, or hands it to a
   * hook other than the converter (none today), read again by the general reader: its syntax
   * then has every span.
   */
  private finish(cmd: LazyCommand, ext: ExtensionParts | undefined): void {
    if (this.convert !== undefined && ext !== undefined) {
      startBase(
        this.source, this.sourceInvert, this.destination, this.destinationInvert, this.inName, this.inInvert,
        this.outName, this.outInvert, this.protocol < 0 ? 0 : this.protocol, this.protocolInvert,
      );
      this.convert.appendedParts(cmd, this.chain, ext);
      return;
    }
    const hook = this.src.hook;
    if (hook === undefined) return;
    const syntax = cmd.readRule();
    if (syntax !== undefined) hook.rule(cmd, syntax);
  }

  /**
   * Reads the extension option at token i (found as getopt finds an exact name: in the most
   * recently loaded extension first) with its arguments; returns the next token index, or -1.
   */
  private extOption(loaded: Loaded[], i: number, invert: boolean): number {
    const t = this.tok;
    const s = t.start(i) + 2;
    const len = t.end(i) - s;
    let ext: Loaded | undefined;
    let found: OptionName | undefined;
    for (let e = loaded.length - 1; e >= 0 && found === undefined; e--) {
      const l = loaded[e] as Loaded;
      for (const o of optionNames(l.spec)) {
        if (o.name.length === len && t.raw.startsWith(o.name, s)) { found = o; ext = l; break; }
      }
    }
    // Base options come first in getopt's table: such a name is never an extension's.
    if (found === undefined || ext === undefined || isBaseLongOption(found.name)) return -1;
    const spec = found.option;
    if (invert && spec.invert !== true) return -1;
    const n = t.count;
    let args: readonly string[];
    let next = i + 1;
    if (spec.args === 0) args = [];
    else if (spec.args === 1) {
      if (next >= n) return -1;
      args = [t.text(next)];
      next++;
    } else if (spec.args === 2) {
      // The second argument is the next word unless it looks like an option.
      if (next + 1 >= n || t.looksLikeOption(next + 1)) return -1;
      args = [t.text(next), t.text(next + 1)];
      next += 2;
    } else return -1;
    if (spec.multi !== true && ext.options !== undefined) {
      for (const o of ext.options) if (o.name === spec.name) return -1;
    }
    let value: unknown;
    if (spec.parse) {
      const r = spec.parse(args, this.argCtx);
      if (!r.ok) return -1;
      value = r.value;
    } else value = args.length === 0 ? true : args.length === 1 ? args[0] : args;
    const o: ExtOption = { name: spec.name, given: found.name, invert, args, value, span: UNSHOWN };
    if (ext.options === undefined) ext.options = [o];
    else ext.options.push(o);
    return next;
  }

  /** The chain name of token 1, the previous line's string when it is the same chain. */
  private chainText(): string {
    const t = this.tok;
    const s = t.start(1);
    const e = t.end(1);
    const last = this.chain;
    if (last.length === e - s && t.raw.startsWith(last, s)) return last;
    return t.raw.slice(s, e);
  }

  private span(i: number): LineSpan {
    const t = this.tok;
    return new LineSpan(this.src.file, this.line, t.start(i) + 1, t.end(i) - t.start(i));
  }
}
