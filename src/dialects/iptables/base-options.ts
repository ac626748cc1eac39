/**
 * The base options of a command line: the command (-A, -I n, -D, -R, -N, -X, -F, -Z, -P, -E),
 * addresses, interfaces, protocol, fragments, counters and the switches iptables-restore ignores.
 * Matches and targets (-m, -j, -g) are loaded by the subclass.
 */
import { type Diagnostic, warning } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source.js';
import { readAddressSpec } from './address-spec.js';
import type { BaseOption } from './getopt.js';
import { LineCursor } from './line-cursor.js';
import { parseIptProtocol } from './protocols.js';
import type {
  AddressOption, AddressSpec, CommandOp, Counters, FlagOption, InterfaceOption, IpFamily, ProtocolOption,
} from './syntax.js';
import type { Token } from './tokenize.js';

/** The base options that are commands (a Map: looked up for every option of every line). */
const COMMANDS: ReadonlyMap<string, CommandOp> = new Map<string, CommandOp>([
  ['append', 'append'], ['insert', 'insert'], ['delete', 'delete'], ['replace', 'replace'], ['new-chain', 'new-chain'],
  ['delete-chain', 'delete-chain'], ['flush', 'flush'], ['zero', 'zero'], ['policy', 'policy'], ['rename-chain', 'rename-chain'],
]);

export abstract class BaseOptionsParser extends LineCursor {
  protected chainMissingReported = false;
  /** -L, -S or -C: the line does not change the ruleset. */
  protected listing = false;

  protected op: CommandOp | undefined;
  protected opSpan: Span | undefined;
  protected opName = '';
  protected chain: string | undefined;
  protected chainSpan: Span | undefined;
  protected index: number | undefined;
  protected indexSpan: Span | undefined;
  protected argument: string | undefined;
  protected argumentSpan: Span | undefined;
  /** The first rule option, for the error when a command takes none. */
  protected ruleOptionSpan: Span | undefined;

  protected source: AddressOption | undefined;
  protected destination: AddressOption | undefined;
  protected inInterface: InterfaceOption | undefined;
  protected outInterface: InterfaceOption | undefined;
  protected protocol: ProtocolOption | undefined;
  protected fragment: FlagOption | undefined;
  protected ruleCounters: Counters | undefined;
  protected onlyFamily: IpFamily | undefined;

  protected override reset(input: ConstructorParameters<typeof LineCursor>[0], out: Diagnostic[]): void {
    super.reset(input, out);
    this.clearLine();
  }

  protected override release(): void {
    super.release();
    this.clearLine();
  }

  private clearLine(): void {
    this.chainMissingReported = false;
    this.listing = false;
    this.op = undefined;
    this.opSpan = undefined;
    this.opName = '';
    this.chain = undefined;
    this.chainSpan = undefined;
    this.index = undefined;
    this.indexSpan = undefined;
    this.argument = undefined;
    this.argumentSpan = undefined;
    this.ruleOptionSpan = undefined;
    this.source = undefined;
    this.destination = undefined;
    this.inInterface = undefined;
    this.outInterface = undefined;
    this.protocol = undefined;
    this.fragment = undefined;
    this.ruleCounters = undefined;
    this.onlyFamily = undefined;
  }

  protected abstract loadMatch(name: string, span: Span): void;
  /** `flag` is the -j / -g token. */
  protected abstract loadTarget(name: string, span: Span, goto: boolean, flag: Token): void;

  protected base(o: BaseOption, t: Token, attached: string | undefined): void {
    const flagName = o.flag;
    const command = COMMANDS.get(o.id);
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
        this.loadTarget(arg.text, arg.span, o.id === 'goto', t);
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

  protected command(op: CommandOp, flagName: string, o: BaseOption, t: Token, attached: string | undefined): void {
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

  protected addresses(text: string, span: Span, invert: boolean, flagName: string): AddressOption | undefined {
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

  protected addressError(part: string, message: string, span: Span, flagName: string): void {
    const looksLikeName = /^[A-Za-z][A-Za-z0-9.-]*$/.test(part.split('/')[0] ?? '');
    this.err(looksLikeName ? 'iptables/host-name' : 'iptables/invalid-value', looksLikeName
      ? `${flagName} '${part}': host names are not resolved (iptables resolves them when loading); write the address`
      : `${flagName}: ${message}`, span);
  }

  protected iface(name: string, span: Span, invert: boolean): InterfaceOption | undefined {
    if (name.length === 0) { this.err('iptables/invalid-value', 'empty interface name', span); return undefined; }
    if (name.length > 15) { this.err('iptables/invalid-value', `interface name '${name}' is too long: at most 15 characters`, span); return undefined; }
    if (/[ /]/.test(name)) this.out.push(warning('iptables/weird-interface', `interface name '${name}' contains '/' or ' ', which the kernel does not allow`, span));
    return { invert, name, span };
  }

  protected setCounters(text: string, span: Span, t: Token): void {
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
}
