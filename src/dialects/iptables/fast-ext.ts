/**
 * The extensions of a line as the fast reader (fast-line.ts) reads them: `-m NAME` and
 * `-j TARGET` with exactly spelled options, found as getopt finds them (the most recently loaded
 * extension first), into the MatchSyntax and TargetSyntax the general reader makes. Anything
 * else declines the line (a method returns false or -1).
 */
import type { Span } from '../../diagnostics/source.js';
import { STANDARD_TARGETS, findMatch, findTarget } from './catalog.js';
import { type ExtensionSpec, hasOption, optionValue } from './extension.js';
import type { LineTokens } from './fast-tokens.js';
import { type OptionName, isBaseLongOption, optionNames } from './getopt.js';
import { LineSpan } from './span.js';
import type { ExtOption, IpFamily, MatchSyntax, TargetSyntax } from './syntax.js';

const NO_OPTIONS: readonly ExtOption[] = [];

/**
 * The span of base options and extension options read by the fast reader. Those spans serve only
 * diagnostics, and a line with any diagnostic is declined, so they are never shown; the spans that
 * outlive the reading (the `-m` module and `-j` target names, kept by summaries and opaque notes)
 * are exact.
 */
export const UNSHOWN: Span = new LineSpan('', 0, 0, 0);

/** An extension being read: its spec, where its name is, and its options so far. */
interface Loaded {
  readonly spec: ExtensionSpec;
  readonly given: string;
  readonly span: LineSpan;
  options: ExtOption[] | undefined;
}

export class ExtReader {
  private readonly loaded: Loaded[] = [];
  private target: Loaded | undefined;
  private targetChain: { name: string; span: LineSpan } | undefined;
  private readonly argCtx: { readonly family: IpFamily };

  constructor(private readonly family: IpFamily, private readonly file: string) {
    this.argCtx = { family };
  }

  /** Forgets the last line's extensions. */
  begin(): void {
    this.loaded.length = 0;
    this.target = undefined;
    this.targetChain = undefined;
  }

  get hasTarget(): boolean {
    return this.target !== undefined || this.targetChain !== undefined;
  }

  /** `-m NAME` at token i of line `line`. */
  loadMatch(t: LineTokens, i: number, line: number): boolean {
    const name = t.text(i + 1);
    const spec = findMatch(name, this.family);
    if (spec === undefined) return false;
    this.loaded.push({ spec, given: name, span: this.span(t, i + 1, line), options: undefined });
    return true;
  }

  /** `-j TARGET` at token i of line `line`. */
  loadTarget(t: LineTokens, i: number, line: number): boolean {
    const name = t.text(i + 1);
    if (this.hasTarget || name.length === 0) return false;
    const span = this.span(t, i + 1, line);
    const spec = findTarget(name, this.family);
    if (spec === undefined || STANDARD_TARGETS.has(name)) this.targetChain = { name, span };
    else {
      this.target = { spec, given: name, span, options: undefined };
      this.loaded.push(this.target);
    }
    return true;
  }

  /** The extension option at token i with its arguments; returns the next token index, or -1. */
  option(t: LineTokens, i: number, invert: boolean): number {
    const s = t.start(i) + 2;
    const len = t.end(i) - s;
    const loaded = this.loaded;
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
    if (spec.multi !== true && ext.options !== undefined && hasOption(ext.options, spec.name)) return -1;
    const r = optionValue(spec, args, this.argCtx);
    if (!r.ok) return -1;
    const o: ExtOption = { name: spec.name, given: found.name, invert, args, value: r.value, span: UNSHOWN };
    if (ext.options === undefined) ext.options = [o];
    else ext.options.push(o);
    return next;
  }

  /** The match modules (in load order) and the target read, as the general reader has them. */
  syntax(): { readonly matches: MatchSyntax[]; readonly target: TargetSyntax | undefined } {
    const loaded = this.loaded;
    const target = this.target;
    const matches: MatchSyntax[] = new Array<MatchSyntax>(loaded.length - (target === undefined ? 0 : 1));
    let k = 0;
    for (const m of loaded) {
      if (m === target) continue;
      matches[k++] = { name: m.spec.name, given: m.given, implicit: false, span: m.span, options: m.options ?? NO_OPTIONS, invalid: false };
    }
    let ts: TargetSyntax | undefined;
    if (target !== undefined) {
      ts = { name: target.spec.name, type: 'extension', goto: false, span: target.span, options: target.options ?? NO_OPTIONS, invalid: false };
    } else if (this.targetChain !== undefined) {
      const c = this.targetChain;
      ts = { name: c.name, type: STANDARD_TARGETS.has(c.name) ? 'standard' : 'chain', goto: false, span: c.span, options: NO_OPTIONS, invalid: false };
    }
    this.begin();
    return { matches, target: ts };
  }

  private span(t: LineTokens, i: number, line: number): LineSpan {
    return new LineSpan(this.file, line, t.start(i) + 1, t.end(i) - t.start(i));
  }
}
