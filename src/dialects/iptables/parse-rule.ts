/**
 * Reads the arguments of one command line (`-A INPUT -p tcp --dport 22 -j ACCEPT`) the way
 * iptables does: getopt_long over the base options and the options of each loaded extension,
 * `!` before an option inverts it, an unknown option after `-p tcp` loads the protocol's match.
 * Errors are collected, never thrown; the line is marked invalid and reading goes on.
 */
import { type Diagnostic, error, warning } from '../../diagnostics/diagnostic.js';
import { type Span, lineSpan } from '../../diagnostics/source.js';
import { LineSpan } from './span.js';
import { STANDARD_TARGETS, findMatch, findTarget, implicitMatch, implicitMatchName, matchOfOtherFamily } from './catalog.js';
import type { ExtensionSpec, OptionSpec } from './extension.js';
import { type BaseOption, baseShort, lookupDashed, lookupLong } from './getopt.js';
import { parseIptProtocol } from './protocols.js';
import { checkRule } from './rule-checks.js';
import type {
  AddressOption, AddressSpec, CommandLine, CommandOp, Counters, ExtOption, FlagOption, InterfaceOption,
  IpFamily, MatchSyntax, ProtocolOption, RuleSyntax, TargetSyntax,
} from './syntax.js';
import type { Token } from './tokenize.js';
import { readCidr } from './values.js';

export interface LineInput {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly tokens: readonly Token[];
  /** How many of `tokens` belong to the line (the array may be a longer reused buffer). */
  readonly count?: number;
  /** Index of the first argument (after a `[p:b]` prefix). */
  readonly start: number;
  readonly counters?: Counters;
  readonly family: IpFamily;
  readonly table: string;
}

interface ExtBuilder {
  readonly spec: ExtensionSpec;
  readonly name: string;
  readonly given: string;
  readonly implicit: boolean;
  readonly span: Span;
  readonly options: ExtOption[];
  invalid: boolean;
  goto: boolean;
}

const COMMANDS: Readonly<Partial<Record<string, CommandOp>>> = {
  append: 'append', insert: 'insert', delete: 'delete', replace: 'replace', 'new-chain': 'new-chain',
  'delete-chain': 'delete-chain', flush: 'flush', zero: 'zero', policy: 'policy', 'rename-chain': 'rename-chain',
};

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const RULE_COMMANDS: ReadonlySet<CommandOp> = new Set(['append', 'insert', 'delete', 'replace']);

/** Parses one command line into a CommandLine, pushing diagnostics into `out`. */
export function parseCommandLine(input: LineInput, out: Diagnostic[]): CommandLine | undefined {
  return new LineParser(input, out).run();
}

const NO_ARGS: readonly string[] = [];

const ADDRESS_CACHE: Record<IpFamily, Map<string, AddressSpec | string>> = { ipv4: new Map(), ipv6: new Map() };

/**
 * `addr[/mask]` → the network it stands for (host bits cleared), or an error message. Results are
 * shared between rules (they are immutable): rulesets repeat their addresses.
 */
function readAddressSpec(text: string, family: IpFamily): AddressSpec | string {
  const cache = ADDRESS_CACHE[family];
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const r = readCidr(text, family);
  let out: AddressSpec | string;
  if (!r.ok) out = r.message;
  else {
    const c = r.value;
    const value = c.value & c.mask;
    out = c.prefix === undefined ? { family, value, mask: c.mask } : { family, value, mask: c.mask, prefix: c.prefix };
  }
  if (cache.size >= 50_000) cache.clear();
  cache.set(text, out);
  return out;
}

function hasOption(options: readonly ExtOption[], name: string): boolean {
  for (const o of options) if (o.name === name) return true;
  return false;
}

/** An option argument; its span is made only when a message needs it. */
class Arg {
  constructor(readonly text: string, readonly tok: Token, private readonly p: LineParser) {}

  get span(): Span {
    return this.p.span(this.tok);
  }
}

class LineParser {
  private readonly toks: readonly Token[];
  private readonly n: number;
  private i: number;
  private failed = false;
  private invert = false;
  private invertTok: Token | undefined;
  private protoTried = false;
  private skipping = false;
  private chainMissingReported = false;
  /** -L, -S or -C: the line does not change the ruleset. */
  private listing = false;

  private op: CommandOp | undefined;
  private opSpan: Span | undefined;
  private opName = '';
  private chain: string | undefined;
  private chainSpan: Span | undefined;
  private index: number | undefined;
  private indexSpan: Span | undefined;
  private argument: string | undefined;
  private argumentSpan: Span | undefined;
  private ruleOptionSpan: Span | undefined;

  private source: AddressOption | undefined;
  private destination: AddressOption | undefined;
  private inInterface: InterfaceOption | undefined;
  private outInterface: InterfaceOption | undefined;
  private protocol: ProtocolOption | undefined;
  private fragment: FlagOption | undefined;
  private ruleCounters: Counters | undefined;
  private onlyFamily: IpFamily | undefined;
  private readonly loaded: ExtBuilder[] = [];
  private readonly argCtx: { readonly family: IpFamily };
  private target: ExtBuilder | undefined;
  private targetChain: { name: string; span: Span; goto: boolean } | undefined;

  constructor(private readonly input: LineInput, private readonly out: Diagnostic[]) {
    this.toks = input.tokens;
    this.n = input.count ?? input.tokens.length;
    this.i = input.start;
    this.argCtx = { family: input.family };
  }

  span(t: Token): Span {
    return new LineSpan(this.input.file, this.input.line, t.col, t.len);
  }

  private err(code: string, message: string, span: Span): void {
    this.failed = true;
    this.out.push(error(code, message, span));
  }

  run(): CommandLine | undefined {
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
      }
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

  /** After an unknown option, its non-option arguments belong to it. */
  private skipArgs(): void {
    while (this.i < this.n) {
      const x = (this.toks[this.i] as Token).text;
      if (x === '!' || (x.length > 1 && x[0] === '-')) return;
      this.i++;
    }
  }

  private tryImplicit(t: Token): boolean {
    if (this.protoTried || this.protocol === undefined) return false;
    this.protoTried = true;
    const spec = implicitMatch(this.protocol.number, this.input.family);
    if (spec === undefined) return false;
    this.loaded.push({
      spec, name: spec.name, given: spec.name, implicit: true, span: this.span(t), options: [], invalid: false, goto: false,
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

  /** The required argument of an option: attached (`--x=v`, `-pv`) or the next word. */
  private takeArg(t: Token, attached: string | undefined, what: string): Arg | undefined {
    if (attached !== undefined) return new Arg(attached, t, this);
    const next = this.i < this.n ? this.toks[this.i] : undefined;
    if (next === undefined) {
      this.err('iptables/missing-argument', `${what} requires an argument`, this.span(t));
      return undefined;
    }
    this.i++;
    return new Arg(next.text, next, this);
  }

  /** An optional positional word (`-I chain [n]`, `-F [chain]`): present unless it looks like an option. */
  private peekWord(): Token | undefined {
    const next = this.i < this.n ? this.toks[this.i] : undefined;
    if (next === undefined || next.text.startsWith('-') || next.text.startsWith('!')) return undefined;
    return next;
  }

  private takeInvert(what: string, t: Token, invertible: boolean): boolean {
    const inv = this.invert;
    this.invert = false;
    if (inv && !invertible) this.err('iptables/cannot-invert', `'!' is not allowed before ${what}`, this.span(this.invertTok ?? t));
    return inv && invertible;
  }

  private base(o: BaseOption, t: Token, attached: string | undefined): void {
    const flagName = o.flag;
    const command = COMMANDS[o.id];
    if (command !== undefined) { this.command(command, flagName, o, t, attached); return; }
    this.skipping = false;
    switch (o.id) {
      case 'source': case 'destination': {
        const inv = this.takeInvert(flagName, t, true);
        const arg = this.takeArg(t, attached, flagName);
        if (arg === undefined) return;
        this.ruleOptionSpan ??= this.span(t);
        const opt = this.addresses(arg.text, arg.span, inv, flagName);
        if (o.id === 'source') {
          if (this.source) this.err('iptables/duplicate-option', 'multiple -s flags are not allowed', this.span(t));
          else if (opt) this.source = opt;
        } else if (this.destination) this.err('iptables/duplicate-option', 'multiple -d flags are not allowed', this.span(t));
        else if (opt) this.destination = opt;
        return;
      }
      case 'in-interface': case 'out-interface': {
        const inv = this.takeInvert(flagName, t, true);
        const arg = this.takeArg(t, attached, flagName);
        if (arg === undefined) return;
        this.ruleOptionSpan ??= this.span(t);
        const iface = this.iface(arg.text, arg.span, inv);
        const prev = o.id === 'in-interface' ? this.inInterface : this.outInterface;
        if (prev) this.err('iptables/duplicate-option', `multiple ${flagName} flags are not allowed`, this.span(t));
        else if (iface && o.id === 'in-interface') this.inInterface = iface;
        else if (iface) this.outInterface = iface;
        return;
      }
      case 'protocol': {
        const inv = this.takeInvert(flagName, t, true);
        const arg = this.takeArg(t, attached, flagName);
        if (arg === undefined) return;
        this.ruleOptionSpan ??= this.span(t);
        const n = parseIptProtocol(arg.text);
        if (this.protocol) { this.err('iptables/duplicate-option', 'multiple -p flags are not allowed', this.span(t)); return; }
        if (n === undefined) { this.err('iptables/invalid-value', `unknown protocol '${arg.text}': expected a name from /etc/protocols or a number in 0-255`, arg.span); return; }
        if (n === 0 && inv) { this.err('iptables/invalid-value', `'! -p ${arg.text}' would never match: every packet has a protocol`, arg.span); return; }
        this.protocol = { invert: inv, number: n, span: arg.span };
        return;
      }
      case 'fragment': {
        const inv = this.takeInvert(flagName, t, true);
        this.ruleOptionSpan ??= this.span(t);
        if (this.input.family === 'ipv6') { this.err('iptables/invalid-option', "'-f' is not supported in IPv6 (ip6tables uses -m frag)", this.span(t)); return; }
        if (this.fragment) { this.err('iptables/duplicate-option', 'multiple -f flags are not allowed', this.span(t)); return; }
        this.fragment = { invert: inv, span: this.span(t) };
        return;
      }
      case 'match': {
        this.takeInvert(flagName, t, false);
        const arg = this.takeArg(t, attached, flagName);
        if (arg === undefined) return;
        this.ruleOptionSpan ??= this.span(t);
        this.loadMatch(arg.text, arg.span);
        return;
      }
      case 'jump': case 'goto': {
        this.takeInvert(flagName, t, false);
        const arg = this.takeArg(t, attached, flagName);
        if (arg === undefined) return;
        this.ruleOptionSpan ??= this.span(t);
        this.loadTarget(arg.text, arg.span, o.id === 'goto', this.span(t));
        return;
      }
      case 'set-counters': {
        this.takeInvert(flagName, t, false);
        const arg = this.takeArg(t, attached, flagName);
        if (arg === undefined) return;
        this.setCounters(arg.text, arg.span, t);
        return;
      }
      case 'ipv4': case 'ipv6':
        this.takeInvert(flagName, t, false);
        this.onlyFamily = o.id === 'ipv4' ? 'ipv4' : 'ipv6';
        return;
      case 'table':
        this.takeInvert(flagName, t, false);
        this.takeArg(t, attached, flagName);
        this.err('iptables/invalid-option', "'-t' cannot be used in a restore file: the table is given by the '*table' line", this.span(t));
        return;
      case 'verbose': case 'numeric': case 'exact': case 'line-numbers':
        this.takeInvert(flagName, t, false);
        return;
      case 'wait': case 'wait-interval': case 'modprobe':
        this.takeInvert(flagName, t, false);
        if (o.arg === 1) this.takeArg(t, attached, flagName);
        else if (attached === undefined && this.peekWord()) this.i++;
        return;
      case 'list': case 'list-rules': case 'check':
        // iptables-restore runs them and prints nothing into the ruleset: the line changes nothing.
        this.takeInvert(flagName, t, false);
        if (attached === undefined && this.peekWord()) this.i++;
        this.listing = true;
        return;
      default:
        this.takeInvert(flagName, t, false);
        this.err('iptables/invalid-option', `'${flagName}' cannot be used in a restore file`, this.span(t));
    }
  }

  private command(op: CommandOp, flagName: string, o: BaseOption, t: Token, attached: string | undefined): void {
    this.takeInvert(flagName, t, false);
    if (this.op !== undefined) {
      this.err('iptables/syntax', `cannot use ${flagName} together with ${this.opName}: one command per line`, this.span(t));
      if (attached === undefined) this.skipArgs();
      return;
    }
    this.op = op;
    this.opName = flagName;
    this.opSpan = this.span(t);
    if (o.arg === 1) {
      const arg = this.takeArg(t, attached, flagName);
      if (arg === undefined) { this.chainMissingReported = true; return; }
      this.chain = arg.text;
      this.chainSpan = arg.span;
    } else if (attached !== undefined) {
      this.chain = attached;
      this.chainSpan = this.span(t);
    } else {
      const w = this.peekWord();
      if (w) { this.i++; this.chain = w.text; this.chainSpan = this.span(w); }
    }
    const wantsNumber = op === 'insert' || op === 'delete' || op === 'replace' || (op === 'zero' && this.chain !== undefined);
    if (wantsNumber) {
      const w = this.peekWord();
      if (w) {
        this.i++;
        const n = /^\d+$/.test(w.text) ? Number(w.text) : NaN;
        if (!(n >= 1)) this.err('iptables/invalid-value', `invalid rule number '${w.text}': expected 1 or more`, this.span(w));
        else { this.index = n; this.indexSpan = this.span(w); }
      } else if (op === 'replace') {
        this.err('iptables/missing-argument', '-R requires a chain and a rule number', this.span(t));
      }
    }
    if (op === 'policy' || op === 'rename-chain') {
      const w = this.peekWord();
      if (w) { this.i++; this.argument = w.text; this.argumentSpan = this.span(w); }
      else this.err('iptables/missing-argument', op === 'policy' ? '-P requires a chain and a policy' : '-E requires the old and the new chain name', this.span(t));
    }
  }

  private addresses(text: string, span: Span, invert: boolean, flagName: string): AddressOption | undefined {
    const family = this.input.family;
    if (text.indexOf(',') < 0) {
      const one = readAddressSpec(text, family);
      if (typeof one === 'string') { this.addressError(text, one, span, flagName); return undefined; }
      return { invert, list: [one], span };
    }
    const parts = text.split(',');
    const list: AddressSpec[] = [];
    for (const part of parts) {
      const a = readAddressSpec(part, family);
      if (typeof a === 'string') { this.addressError(part, a, span, flagName); return undefined; }
      list.push(a);
    }
    return { invert, list, span };
  }

  private addressError(part: string, message: string, span: Span, flagName: string): void {
    const looksLikeName = /^[A-Za-z][A-Za-z0-9.-]*$/.test(part.split('/')[0] ?? '');
    this.err(looksLikeName ? 'iptables/host-name' : 'iptables/invalid-value', looksLikeName
      ? `${flagName} '${part}': host names are not resolved (iptables resolves them when loading); write the address`
      : `${flagName}: ${message}`, span);
  }



  private iface(name: string, span: Span, invert: boolean): InterfaceOption | undefined {
    if (name.length === 0) { this.err('iptables/invalid-value', 'empty interface name', span); return undefined; }
    if (name.length > 15) { this.err('iptables/invalid-value', `interface name '${name}' is too long: at most 15 characters`, span); return undefined; }
    if (/[ /]/.test(name)) this.out.push(warning('iptables/weird-interface', `interface name '${name}' contains '/' or ' ', which the kernel does not allow`, span));
    return { invert, name, span };
  }

  private setCounters(text: string, span: Span, t: Token): void {
    let packets: string | undefined;
    let bytes: string | undefined;
    const comma = text.indexOf(',');
    if (comma >= 0) { packets = text.slice(0, comma); bytes = text.slice(comma + 1); }
    else {
      packets = text;
      const w = this.peekWord();
      if (w) { this.i++; bytes = w.text; }
    }
    if (!/^\d+$/.test(packets) || bytes === undefined || !/^\d+$/.test(bytes)) {
      this.err('iptables/invalid-value', `-c expects packet and byte counters ('-c 10 800' or '-c 10,800'), got '${text}'`, span);
      return;
    }
    this.ruleCounters = { packets, bytes, span: this.span(t) };
  }

  // ── extensions ────────────────────────────────────────────────────────

  private loadMatch(name: string, span: Span): void {
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
    this.loaded.push({ spec, name: spec.name, given: name, implicit: false, span, options: [], invalid: false, goto: false });
  }

  private loadTarget(name: string, span: Span, goto: boolean, flagSpan: Span): void {
    if (this.target || this.targetChain) {
      this.err('iptables/duplicate-option', 'multiple -j / -g flags are not allowed', flagSpan);
      return;
    }
    if (name.length === 0) { this.err('iptables/invalid-value', 'empty target name', span); return; }
    const spec = goto ? undefined : findTarget(name, this.input.family);
    if (spec === undefined || STANDARD_TARGETS.has(name)) {
      this.targetChain = { name, span, goto };
      return;
    }
    this.target = { spec, name: spec.name, given: name, implicit: false, span, options: [], invalid: false, goto };
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
    if (spec.multi !== true && hasOption(ext.options, spec.name)) {
      ext.invalid = true;
      this.err('iptables/duplicate-option', `${ext.name}: option --${spec.name} may be given only once`, optSpan);
      return;
    }
    let value: unknown;
    if (spec.parse) {
      const r = spec.parse(args, this.argCtx);
      if (r.ok) value = r.value;
      else {
        ext.invalid = true;
        const at = r.arg === 1 ? tok1 : tok0;
        const looksLikeOption = at !== undefined && at.text.length > 1 && at.text.startsWith('-') && !/^-\d/.test(at.text);
        const hint = looksLikeOption ? ` (is the value of --${spec.name} missing?)` : '';
        this.err('iptables/invalid-value', `${ext.name} --${spec.name}: ${r.message}${hint}`, at ? this.span(at) : optSpan);
      }
    } else value = args.length === 0 ? true : args.length === 1 ? args[0] : args;
    ext.options.push({ name: spec.name, given, invert: inv, args, value, span: optSpan });
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
      matches[k++] = { name: m.name, given: m.given, implicit: m.implicit, span: m.span, options: m.options, invalid: m.invalid };
    }
    let target: TargetSyntax | undefined;
    if (this.target) {
      const x = this.target;
      target = { name: x.name, type: 'extension', goto: false, span: x.span, options: x.options, invalid: x.invalid };
    } else if (this.targetChain) {
      const c = this.targetChain;
      target = { name: c.name, type: STANDARD_TARGETS.has(c.name) && !c.goto ? 'standard' : 'chain', goto: c.goto, span: c.span, options: [], invalid: false };
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
