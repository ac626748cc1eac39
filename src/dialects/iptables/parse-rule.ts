/**
 * Reads the arguments of one command line (`-A INPUT -p tcp --dport 22 -j ACCEPT`) the way
 * iptables does: getopt_long over the base options and the options of each loaded extension,
 * `!` before an option inverts it, an unknown option after `-p tcp` loads the protocol's match.
 * Errors are collected, never thrown; the line is marked invalid and reading goes on.
 */
import { type Diagnostic, warning } from '../../diagnostics/diagnostic.js';
import { type Span, lineSpan } from '../../diagnostics/source.js';
import { assertNever } from '../../model/assert-never.js';
import { BaseOptionsParser } from './base-options.js';
import { STANDARD_TARGETS, findMatch, findTarget, implicitMatch, implicitMatchName, matchOfOtherFamily } from './catalog.js';
import { type ExtensionSpec, type OptionSpec, hasOption, optionValue } from './extension.js';
import { baseShort, lookupDashed, lookupLong } from './getopt.js';
import type { LineInput } from './line-cursor.js';
import { checkRule } from './rule-checks.js';
import type { CommandLine, CommandOp, ExtOption, MatchSyntax, RuleSyntax, TargetSyntax } from './syntax.js';
import type { Token } from './tokenize.js';

export type { LineInput } from './line-cursor.js';

interface ExtBuilder {
  readonly spec: ExtensionSpec;
  readonly name: string;
  readonly given: string;
  readonly implicit: boolean;
  readonly span: Span;
  /** Made at the first option (most extensions get one). */
  options: ExtOption[] | undefined;
  invalid: boolean;
  goto: boolean;
}

const RULE_COMMANDS: ReadonlySet<CommandOp> = new Set(['append', 'insert', 'delete', 'replace']);

let idle: LineParser | undefined;

/** Parses one command line into a CommandLine, pushing diagnostics into `out`. */
export function parseCommandLine(input: LineInput, out: Diagnostic[]): CommandLine | undefined {
  // One parser serves every line; a nested call (none today) would get a parser of its own.
  const p = idle ?? new LineParser(input, out);
  idle = undefined;
  try {
    return p.read(input, out);
  } finally {
    p.done();
    idle = p;
  }
}

const NO_ARGS: readonly string[] = [];
const NO_OPTIONS: readonly ExtOption[] = [];

class LineParser extends BaseOptionsParser {
  private protoTried = false;
  private readonly loaded: ExtBuilder[] = [];
  private target: ExtBuilder | undefined;
  private targetChain: { name: string; span: Span; goto: boolean } | undefined;

  /** Reads one line; `done` must follow (parseCommandLine calls it). */
  read(input: LineInput, out: Diagnostic[]): CommandLine | undefined {
    this.reset(input, out);
    return this.run();
  }

  /** Drops what the line left (its tokens, extensions and diagnostics list), ready for the next. */
  done(): void {
    this.release();
    this.protoTried = false;
    this.loaded.length = 0;
    this.target = undefined;
    this.targetChain = undefined;
  }

  private run(): CommandLine | undefined {
    while (this.i < this.n) {
      const t = this.toks[this.i] as Token;
      const text = t.text;
      if (text === '!') {
        if (this.invert) this.err('iptables/syntax', "multiple consecutive '!' are not allowed", this.span(t));
        this.invert = true;
        this.invertTok = t;
        this.i++;
        continue;
      }
      if (text.length > 2 && text.startsWith('--')) this.longOption(t);
      else if (text.length > 1 && text[0] === '-') this.shortOptions(t);
      else {
        this.i++;
        if (!this.skipping) this.err('iptables/syntax', `unexpected argument '${text}': expected an option`, this.span(t));
      }
    }
    if (this.invert && this.invertTok) {
      this.err('iptables/syntax', "nothing appropriate follows '!'", this.span(this.invertTok));
    }
    return this.finish();
  }
  // ── options ───────────────────────────────────────────────────────────

  private longOption(t: Token): void {
    const eq = t.text.indexOf('=');
    const attached = eq < 0 ? undefined : t.text.slice(eq + 1);
    let found = eq < 0 ? lookupDashed(t.text, this.loaded) : undefined;
    let name = '';
    if (found === undefined) {
      name = eq < 0 ? t.text.slice(2) : t.text.slice(2, eq);
      found = lookupLong(name, this.loaded);
    }
    switch (found.kind) {
      case 'base':
        this.i++;
        this.base(found.option, t, attached);
        return;
      case 'ext': {
        this.i++;
        this.extOption(this.loaded[found.index] as ExtBuilder, found.option, found.given, t, attached);
        return;
      }
      case 'ambiguous':
        this.i++;
        this.skipArgs();
        this.err('iptables/unknown-option', `option '--${name}' is ambiguous (${found.candidates.join(', ')})`, this.span(t));
        return;
      case 'unknown': {
        if (this.tryImplicit(t)) return; // retry the same token with the protocol's match loaded
        this.i++;
        this.invert = false;
        this.skipArgs();
        if (this.skipping) return;
        this.err('iptables/unknown-option', this.unknownOptionMessage(name), this.span(t));
        return;
      }
      default: assertNever(found);
    }
  }

  private unknownOptionMessage(name: string): string {
    const mods = this.loaded.map((m) => m.name);
    const where = mods.length > 0 ? ` (loaded matches: ${mods.join(', ')})` : '';
    let hint = this.protocol === undefined && /^(s|d)ports?$|^icmp/.test(name)
      ? '; options like this need a protocol first (-p tcp, -p udp, -p icmp)' : '';
    const implicit = this.protocol === undefined ? undefined : implicitMatchName(this.protocol.number);
    if (implicit !== undefined && findMatch(implicit, this.input.family) === undefined && matchOfOtherFamily(implicit, this.input.family)) {
      hint = `; the ${implicit} match exists only in ${this.input.family === 'ipv4' ? 'ip6tables' : 'iptables'}`;
    }
    return `unknown option '--${name}'${where}${hint}`;
  }

  private tryImplicit(t: Token): boolean {
    if (this.protoTried || this.protocol === undefined) return false;
    this.protoTried = true;
    const spec = implicitMatch(this.protocol.number, this.input.family);
    if (spec === undefined) return false;
    this.loaded.push({
      spec, name: spec.name, given: spec.name, implicit: true, span: this.span(t), options: undefined, invalid: false, goto: false,
    });
    return true;
  }

  private shortOptions(t: Token): void {
    this.i++;
    const text = t.text;
    for (let k = 1; k < text.length; k++) {
      const c = text[k] as string;
      const opt = baseShort(c);
      if (opt === undefined) {
        this.err('iptables/unknown-option', `unknown option '-${c}'`, this.span(t));
        this.skipArgs();
        return;
      }
      if (opt.arg === 0) { this.base(opt, t, undefined); continue; }
      // An argument: the rest of the cluster, or the next word.
      const rest = text.slice(k + 1);
      this.base(opt, t, rest.length > 0 ? rest : undefined);
      return;
    }
  }
  // ── extensions ────────────────────────────────────────────────────────

  protected loadMatch(name: string, span: Span): void {
    const spec = findMatch(name, this.input.family);
    if (spec === undefined) {
      const other = matchOfOtherFamily(name, this.input.family);
      const msg = other
        ? `match module '${name}' exists only in ${this.input.family === 'ipv4' ? 'ip6tables' : 'iptables'}`
        : `unknown match module '${name}'`;
      this.err('iptables/unknown-match', msg, span);
      this.skipping = true;
      return;
    }
    this.loaded.push({ spec, name: spec.name, given: name, implicit: false, span, options: undefined, invalid: false, goto: false });
  }

  protected loadTarget(name: string, span: Span, goto: boolean, flag: Token): void {
    if (this.target || this.targetChain) {
      this.err('iptables/duplicate-option', 'multiple -j / -g flags are not allowed', this.span(flag));
      return;
    }
    if (name.length === 0) { this.err('iptables/invalid-value', 'empty target name', span); return; }
    const spec = goto ? undefined : findTarget(name, this.input.family);
    if (spec === undefined || STANDARD_TARGETS.has(name)) {
      this.targetChain = { name, span, goto };
      return;
    }
    this.target = { spec, name: spec.name, given: name, implicit: false, span, options: undefined, invalid: false, goto };
    // Target options join the option table like a match's (the latest loaded wins).
    this.loaded.push(this.target);
  }

  private extOption(ext: ExtBuilder, spec: OptionSpec, given: string, t: Token, attached: string | undefined): void {
    const inv = this.takeInvert(t.text, t, spec.invert === true);
    // Arrays are made at their final size: this runs for every option of a large file.
    let args: readonly string[] = NO_ARGS;
    let tok0: Token | undefined;
    let tok1: Token | undefined;
    if (spec.args === 'optional') {
      const w = attached === undefined ? this.peekWord() : undefined;
      if (attached !== undefined) { args = [attached]; tok0 = t; }
      else if (w) { this.i++; args = [w.text]; tok0 = w; }
    } else if (spec.args !== 0) {
      const a = this.takeArg(t, attached, t.text);
      if (a === undefined) { ext.invalid = true; return; }
      tok0 = a.tok;
      if (spec.args === 2) {
        const w = this.peekWord();
        if (w === undefined) {
          ext.invalid = true;
          this.err('iptables/missing-argument', `--${given} requires two arguments`, this.span(t));
          return;
        }
        this.i++;
        tok1 = w;
        args = [a.text, w.text];
      } else args = [a.text];
    }
    const optSpan = this.span(t);
    if (spec.multi !== true && ext.options !== undefined && hasOption(ext.options, spec.name)) {
      ext.invalid = true;
      this.err('iptables/duplicate-option', `${ext.name}: option --${spec.name} may be given only once`, optSpan);
      return;
    }
    let value: unknown;
    const r = optionValue(spec, args, this.argCtx);
    if (r.ok) value = r.value;
    else {
      ext.invalid = true;
      const at = r.arg === 1 ? tok1 : tok0;
      const looksLikeOption = at !== undefined && at.text.length > 1 && at.text.startsWith('-') && !/^-\d/.test(at.text);
      const hint = looksLikeOption ? ` (is the value of --${spec.name} missing?)` : '';
      this.err('iptables/invalid-value', `${ext.name} --${spec.name}: ${r.message}${hint}`, at ? this.span(at) : optSpan);
    }
    const o: ExtOption = { name: spec.name, given, invert: inv, args, value, span: optSpan };
    if (ext.options === undefined) ext.options = [o];
    else ext.options.push(o);
  }
  // ── result ────────────────────────────────────────────────────────────

  private finish(): CommandLine | undefined {
    const { input } = this;
    if ((this.op === undefined || this.opSpan === undefined) && this.listing) {
      const first = input.start < this.n ? this.toks[input.start] : undefined;
      if (first) this.out.push(warning('iptables/no-effect', `'${first.text}' lists or checks rules; in a restore file it changes nothing`, this.span(first)));
      return undefined;
    }
    if (this.op === undefined || this.opSpan === undefined) {
      const first = input.start < this.n ? this.toks[input.start] : undefined;
      const span = first ? this.span(first) : lineSpan(input.file, input.line, 1, input.text.length);
      this.err('iptables/syntax', 'no command on this line: expected -A, -I, -D, -R, -N, -X, -F, -Z, -P or -E', span);
      return undefined;
    }
    const matches: MatchSyntax[] = new Array<MatchSyntax>(this.loaded.length - (this.target ? 1 : 0));
    let k = 0;
    for (const m of this.loaded) {
      if (m === this.target) continue;
      matches[k++] = { name: m.name, given: m.given, implicit: m.implicit, span: m.span, options: m.options ?? NO_OPTIONS, invalid: m.invalid };
    }
    let target: TargetSyntax | undefined;
    if (this.target) {
      const x = this.target;
      target = { name: x.name, type: 'extension', goto: false, span: x.span, options: x.options ?? NO_OPTIONS, invalid: x.invalid };
    } else if (this.targetChain) {
      const c = this.targetChain;
      target = { name: c.name, type: STANDARD_TARGETS.has(c.name) && !c.goto ? 'standard' : 'chain', goto: c.goto, span: c.span, options: NO_OPTIONS, invalid: false };
    }
    // One literal with every member: a single allocation with a stable shape.
    const rule: RuleSyntax = {
      source: this.source, destination: this.destination, inInterface: this.inInterface,
      outInterface: this.outInterface, protocol: this.protocol, fragment: this.fragment, matches, target,
      counters: this.ruleCounters, onlyFamily: this.onlyFamily,
    };
    const takesRule = RULE_COMMANDS.has(this.op) && !(this.op === 'delete' && this.index !== undefined);
    if (!takesRule && this.ruleOptionSpan) {
      this.err('iptables/invalid-option', `${this.opName} does not take a rule specification`, this.ruleOptionSpan);
    }
    if (this.chain === undefined && !this.chainMissingReported && this.op !== 'flush' && this.op !== 'delete-chain' && this.op !== 'zero') {
      this.err('iptables/missing-argument', `${this.opName} requires a chain name`, this.opSpan);
    }
    if (takesRule && !this.failed && checkRule(rule, this.chain ?? '', input, this.out)) this.failed = true;
    const cmd: CommandLine = {
      kind: 'command', line: input.line, text: input.text, op: this.op, opSpan: this.opSpan, chain: this.chain,
      chainSpan: this.chainSpan, index: this.index, indexSpan: this.indexSpan, argument: this.argument,
      argumentSpan: this.argumentSpan, rule: takesRule ? rule : undefined, counters: input.counters, valid: !this.failed,
    };
    return cmd;
  }
}
