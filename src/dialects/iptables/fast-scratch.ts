/**
 * The base options of the line the fast reader (fast-line.ts) is reading, and the rule syntax it
 * hands to the shared checks: one object each per reader, filled again for every line (the
 * checks keep nothing of the syntax they are given).
 */
import { startBase } from './convert-rule.js';
import { UNSHOWN } from './fast-ext.js';
import type {
  AddressOption, AddressSpec, InterfaceOption, MatchSyntax, ProtocolOption, RuleSyntax, TargetSyntax,
} from './syntax.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const NO_MATCHES: readonly MatchSyntax[] = [];
const NO_ADDRESS: AddressSpec = { family: 'ipv4', value: 0n, mask: 0n, prefix: 0 };

/** `-s -d -i -o -p` of one line, with their `!`. */
export class BaseOptions {
  source: AddressSpec | undefined;
  sourceInvert = false;
  destination: AddressSpec | undefined;
  destinationInvert = false;
  inName: string | undefined;
  inInvert = false;
  outName: string | undefined;
  outInvert = false;
  /** -1 when there is no `-p`. */
  protocol = -1;
  protocolInvert = false;

  reset(): void {
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
  }

  /** Starts the rule's conjunction with these predicates (convert-rule.ts). */
  startConjunction(): void {
    startBase(
      this.source, this.sourceInvert, this.destination, this.destinationInvert, this.inName, this.inInvert,
      this.outName, this.outInvert, this.protocol < 0 ? 0 : this.protocol, this.protocolInvert,
    );
  }
}

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

/** A rule syntax filled from the base options and extensions of each line in turn. */
export class ScratchRule {
  private readonly rule: Mutable<RuleSyntax> = {
    source: undefined, destination: undefined, inInterface: undefined, outInterface: undefined, protocol: undefined,
    fragment: undefined, matches: NO_MATCHES, target: undefined, counters: undefined, onlyFamily: undefined,
  };
  private readonly source = new ScratchAddress();
  private readonly destination = new ScratchAddress();
  private readonly in = new ScratchInterface();
  private readonly out = new ScratchInterface();
  private readonly protocol = new ScratchProtocol();

  fill(b: BaseOptions, matches: readonly MatchSyntax[], target: TargetSyntax | undefined): RuleSyntax {
    const r = this.rule;
    r.source = b.source === undefined ? undefined : this.source.fill(b.sourceInvert, b.source);
    r.destination = b.destination === undefined ? undefined : this.destination.fill(b.destinationInvert, b.destination);
    r.inInterface = b.inName === undefined ? undefined : this.in.fill(b.inInvert, b.inName);
    r.outInterface = b.outName === undefined ? undefined : this.out.fill(b.outInvert, b.outName);
    r.protocol = b.protocol < 0 ? undefined : this.protocol.fill(b.protocolInvert, b.protocol);
    r.matches = matches;
    r.target = target;
    return r;
  }

  /** Drops the references to the last line's rule (the reader outlives it). */
  clear(): void {
    this.rule.matches = NO_MATCHES;
    this.rule.target = undefined;
    this.source.fill(false, NO_ADDRESS);
    this.destination.fill(false, NO_ADDRESS);
  }
}
