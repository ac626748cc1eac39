/** One resolved iptables rule → model predicates, effects and action. */
import { addressDomain, type AddressSet } from '../../model/address.js';
import { ACCEPT, type Action, CONTINUE, DROP, type Effect, RETURN, goTo, jump } from '../../model/action.js';
import { assertNever } from '../../model/assert-never.js';
import { fromIntervals } from '../../model/interval-set.js';
import { type Match, ANY, NONE, addr, iface, opaque } from '../../model/match.js';
import type { Rule } from '../../model/ruleset.js';
import { SharedNetwork } from './address-spec.js';
import { findMatch, findTarget } from './catalog.js';
import { LazyCommand } from './command.js';
import { addressRange, hostMask, negateShared, numEq } from './shared.js';
import type { ConvertContext } from './extension.js';
import { formatAddressSpec, printExtension } from './print-rule.js';
import type { RuleInstance } from './print-rule.js';
import { type ResolvedRule, ruleInstance } from './resolve.js';
import type { AddressSpec, IpFamily, MatchSyntax, RuleSyntax, TargetSyntax } from './syntax.js';
import { familyBits, familyMax } from './values.js';

export interface RuleParts {
  readonly match: Match;
  readonly effects: readonly Effect[];
  /** The action; for a jump or goto to a chain it is decided when the table's chains are known. */
  readonly action: Action | undefined;
  readonly jump?: { readonly name: string; readonly goto: boolean };
  readonly comment?: string;
  /** Names of match modules / targets that became opaque, for the summary diagnostics. */
  readonly opaque: readonly { readonly name: string; readonly reason: string; readonly span: MatchSyntax['span'] }[];
  /** ipsets the rule names (`-m set --match-set NAME`), with where. */
  readonly ipsets: readonly { readonly name: string; readonly span: MatchSyntax['span'] }[];
}

const NONE_YET: readonly never[] = [];

/** What converting a rule's own predicates and target needs to know. */
export interface PartScope {
  readonly family: IpFamily;
  readonly table: string;
  readonly chain: string;
  readonly ipsets?: ConvertContext['ipsets'];
}

/**
 * A convert context whose canonical text is printed only if an extension asks for it. One object
 * serves every extension, pointed at it by `at` (conversions do not nest, and none keeps it).
 */
class ExtContext implements ConvertContext {
  family: IpFamily = 'ipv4';
  table = '';
  chain = '';
  protocol = 0;
  ipsets: ConvertContext['ipsets'] = undefined;
  private kind: '-m' | '-j' = '-m';
  private ext: MatchSyntax | TargetSyntax | undefined;
  private spec: Parameters<typeof printExtension>[0] = undefined;
  private printed: string | undefined;

  at(scope: PartScope, protocol: number, kind: '-m' | '-j', ext: MatchSyntax | TargetSyntax, spec: Parameters<typeof printExtension>[0]): this {
    this.family = scope.family;
    this.table = scope.table;
    this.chain = scope.chain;
    this.ipsets = scope.ipsets;
    this.protocol = protocol;
    this.kind = kind;
    this.ext = ext;
    this.spec = spec;
    this.printed = undefined;
    return this;
  }

  get text(): string {
    this.printed ??= extText(this.kind, this.ext as MatchSyntax | TargetSyntax, this.family, this.spec);
    return this.printed;
  }

  /** Forgets the extension (the context outlives it). */
  done(): void {
    this.ext = undefined;
    this.spec = undefined;
    this.ipsets = undefined;
  }
}

const EXT = new ExtContext();

export interface RuleScope extends PartScope {
  /** User-defined chains of the table (jump targets). */
  readonly userChains: ReadonlySet<string>;
}

/** More free bits than this in a non-contiguous netmask and the address set stays opaque. */
const MAX_HOLE_BITS = 12;

/** `addr/mask` as a set of intervals: exact for any mask with at most MAX_HOLE_BITS holes. */
export function maskedAddresses(a: AddressSpec): AddressSet | undefined {
  const bits = familyBits(a.family);
  const all = familyMax(a.family);
  // The value is already the network address (the parser cleared the host bits).
  if (a.prefix !== undefined) return addressRange(a.family, a.value, a.value | hostMask(a.family, a.prefix));
  let low = 0; // trailing zero bits of the mask: contiguous host part
  while (low < bits && ((a.mask >> BigInt(low)) & 1n) === 0n) low++;
  const holes: number[] = [];
  for (let b = low; b < bits; b++) if (((a.mask >> BigInt(b)) & 1n) === 0n) holes.push(b);
  if (holes.length > MAX_HOLE_BITS) return undefined;
  const span = (1n << BigInt(low)) - 1n;
  const base = a.value & a.mask & (all ^ span);
  const ivs: [bigint, bigint][] = [];
  for (let k = 0; k < 1 << holes.length; k++) {
    let v = base;
    holes.forEach((b, i) => { if ((k >> i) & 1) v |= 1n << BigInt(b); });
    ivs.push([v, v | span]);
  }
  return { family: a.family, set: fromIntervals(addressDomain[a.family], ivs) };
}

const ADDR_MATCHES = { src: new WeakMap<AddressSpec, Match>(), dst: new WeakMap<AddressSpec, Match>() };

function addressMatch(field: 'src' | 'dst', invert: boolean, a: AddressSpec | undefined, flag: string): Match {
  if (a === undefined) return ANY;
  // The parser shares address objects, so the predicate can be shared too: kept on the common
  // IPv4 networks themselves (no lookup), by object for the others.
  const shared = a instanceof SharedNetwork;
  let m = shared ? a.predicate(field) : ADDR_MATCHES[field].get(a);
  if (m === undefined) {
    const set = maskedAddresses(a);
    m = set === undefined
      ? opaque(`address with a netmask of more than ${MAX_HOLE_BITS} holes`, `${flag} ${formatAddressSpec(a)}`)
      : addr(field, set);
    if (shared) a.remember(field, m);
    else ADDR_MATCHES[field].set(a, m);
  }
  return negateShared(invert, m);
}

const IFACES = { in: new Map<string, Match>(), out: new Map<string, Match>() };

function ifaceMatch(dir: 'in' | 'out', name: string | undefined, invert: boolean): Match {
  // `-i +` matches every interface (iptables-save leaves it out).
  if (name === undefined || (name === '+' && !invert)) return ANY;
  // One predicate per interface name and direction, shared by the rules that name it.
  const cache = IFACES[dir];
  let m = cache.get(name);
  if (m === undefined) {
    const wildcard = name.endsWith('+');
    m = iface(dir, wildcard ? name.slice(0, -1) : name, wildcard);
    if (cache.size >= 100_000) cache.clear();
    cache.set(name, m);
  }
  return negateShared(invert, m);
}

function extText(kind: '-m' | '-j', ext: MatchSyntax | TargetSyntax, family: IpFamily, spec: Parameters<typeof printExtension>[0]): string {
  const body = printExtension(spec, ext, family);
  return body === '' ? `${kind} ${ext.name}` : `${kind} ${ext.name} ${body}`;
}

/**
 * The conjunction of a rule's predicates, built as `andOf` builds it (flattened, `any` dropped,
 * `none` absorbing) but into a scratch array copied once at its final size: this runs per rule.
 * (Extension conversions never convert a rule, so the one shared builder is never re-entered.)
 */
class AndBuilder {
  /** Scratch space, never shrunk: items[0, n) are the conjunction so far. */
  private readonly items: Match[] = [];
  private n = 0;
  private none = false;

  /** Empties the builder (after a conversion that threw, say). */
  start(): void {
    this.n = 0;
    this.none = false;
  }

  add(m: Match): void {
    switch (m.kind) {
      case 'any': return;
      case 'none': this.none = true; return;
      case 'and': for (const x of m.items) this.items[this.n++] = x; return;
      default: this.items[this.n++] = m;
    }
  }

  /** Whether one of the items so far is `none`. */
  get hasNone(): boolean {
    return this.none;
  }

  /** The items so far (a copy); the builder is empty again afterwards. */
  takeItems(): readonly Match[] {
    const out = this.n === 0 ? NO_ITEMS : this.items.slice(0, this.n);
    this.start();
    return out;
  }

  /** The conjunction; the builder is empty again afterwards. */
  take(): Match {
    const n = this.n;
    const none = this.none;
    this.start();
    if (none) return NONE;
    if (n <= 1) return n === 0 ? ANY : (this.items[0] as Match);
    return { kind: 'and', items: this.items.slice(0, n) };
  }
}

const AND = new AndBuilder();
const NO_ITEMS: readonly Match[] = [];

/** The predicates, effects and (non-jump) action of one rule instance; no table-wide facts needed. */
export function convertParts(r: RuleInstance, scope: PartScope): RuleParts {
  return convertPartsOf(r.rule, r.source, r.destination, scope);
}

/** convertParts of a rule syntax whose -s and -d lists are picked (`source`, `destination`). */
export function convertPartsOf(rule: RuleSyntax, source: AddressSpec | undefined, destination: AddressSpec | undefined, scope: PartScope): RuleParts {
  const proto = rule.protocol?.number ?? 0;
  const ext = extensionParts(rule.matches, rule.target, scope, proto);
  startBase(
    source, rule.source?.invert ?? false, destination, rule.destination?.invert ?? false,
    rule.inInterface?.name, rule.inInterface?.invert ?? false, rule.outInterface?.name, rule.outInterface?.invert ?? false,
    rule.protocol === undefined ? 0 : proto, rule.protocol?.invert ?? false,
  );
  if (rule.fragment) AND.add(negateShared(rule.fragment.invert, FRAGMENT));
  return assemble(ext);
}

/**
 * Starts a rule's conjunction with its base predicates (-s, -d, -i, -o, -p; 0 for no -p), in the
 * order every rule has them. `assemble` adds the extensions' and finishes it.
 */
export function startBase(
  source: AddressSpec | undefined, sourceInvert: boolean, destination: AddressSpec | undefined, destinationInvert: boolean,
  inName: string | undefined, inInvert: boolean, outName: string | undefined, outInvert: boolean,
  protocol: number, protocolInvert: boolean,
): void {
  AND.start();
  AND.add(addressMatch('src', sourceInvert, source, '-s'));
  AND.add(addressMatch('dst', destinationInvert, destination, '-d'));
  AND.add(ifaceMatch('in', inName, inInvert));
  AND.add(ifaceMatch('out', outName, outInvert));
  if (protocol !== 0) AND.add(negateShared(protocolInvert, numEq('protocol', protocol)));
}

/**
 * What a rule's match modules and target convert to. It depends only on them, the protocol, and
 * the scope (family, table, chain), so rules that share all of these can share it.
 */
export interface ExtensionParts {
  /** The modules' predicates, flattened as the conjunction takes them (`any` left out). */
  readonly items: readonly Match[];
  /** One of them is `none`: the rule never matches. */
  readonly none: boolean;
  readonly effects: readonly Effect[];
  readonly action: Action | undefined;
  readonly jump?: { readonly name: string; readonly goto: boolean };
  readonly comment?: string;
  readonly opaque: RuleParts['opaque'];
  readonly ipsets: RuleParts['ipsets'];
}

export function extensionParts(matches: readonly MatchSyntax[], t: TargetSyntax | undefined, scope: PartScope, proto: number): ExtensionParts {
  let opaqueUses: { name: string; reason: string; span: MatchSyntax['span'] }[] | undefined;
  let comment: string | undefined;
  let ipsets: { name: string; span: MatchSyntax['span'] }[] | undefined;
  AND.start();
  for (const m of matches) {
    const spec = findMatch(m.name, scope.family);
    if (spec === undefined || m.invalid) {
      AND.add(opaque(`-m ${m.name} could not be read (see the errors for this line)`, extText('-m', m, scope.family, spec)));
      continue;
    }
    if (m.name === 'set') {
      const setName = (m.options.find((o) => o.name === 'match-set')?.value as { name?: string } | undefined)?.name;
      if (setName !== undefined) (ipsets ??= []).push({ name: setName, span: m.span });
    }
    const c = spec.toMatch(m, EXT.at(scope, proto, '-m', m, spec));
    EXT.done();
    if (c.kind !== 'num' && c.kind !== 'any') collectOpaque(c, m, (opaqueUses ??= []));
    AND.add(c);
    if (m.name === 'comment') {
      for (const o of m.options) if (typeof o.value === 'string') comment = comment === undefined ? o.value : `${comment}; ${o.value}`;
    }
  }
  const none = AND.hasNone;
  const items = AND.takeItems();
  const { action, effects } = convertTarget(t, scope, proto);
  // (An unknown chain is an error of its own; only real targets are summarised.)
  if (action?.kind === 'opaque' && t?.type === 'extension' && !t.invalid) {
    (opaqueUses ??= []).push({ name: `-j ${t.name}`, reason: action.reason, span: t.span });
  }
  const out: { -readonly [K in keyof ExtensionParts]: ExtensionParts[K] } = {
    items, none, effects, action, opaque: opaqueUses ?? NONE_YET, ipsets: ipsets ?? NONE_YET,
  };
  if (t?.type === 'chain') out.jump = { name: t.name, goto: t.goto };
  if (comment !== undefined) out.comment = comment;
  return out;
}

/** Do these parts name something of their own line (an opaque module or an ipset, with its span)? */
export function lineSpecific(p: Pick<ExtensionParts, 'opaque' | 'ipsets'>): boolean {
  return p.opaque.length > 0 || p.ipsets.length > 0;
}

/**
 * Do these parts need the rest of the table (a jump to decide) or the line (see lineSpecific)
 * before they make a model rule?
 */
export function unfinished(p: Pick<ExtensionParts, 'action' | 'jump' | 'opaque' | 'ipsets'>): boolean {
  return p.action === undefined || p.jump !== undefined || lineSpecific(p);
}

/** The conjunction `startBase` began, finished with the extensions' predicates. */
export function assembleMatch(ext: ExtensionParts): Match {
  if (ext.none) AND.add(NONE);
  for (const m of ext.items) AND.add(m);
  return AND.take();
}

/** Finishes the conjunction `startBase` began with the extensions' parts. */
export function assemble(ext: ExtensionParts): RuleParts {
  const match = assembleMatch(ext);
  if (ext.jump === undefined && ext.comment === undefined) {
    return { match, effects: ext.effects, action: ext.action, opaque: ext.opaque, ipsets: ext.ipsets };
  }
  const out: { -readonly [K in keyof RuleParts]: RuleParts[K] } = {
    match, effects: ext.effects, action: ext.action, opaque: ext.opaque, ipsets: ext.ipsets,
  };
  if (ext.jump !== undefined) out.jump = ext.jump;
  if (ext.comment !== undefined) out.comment = ext.comment;
  return out;
}

const FRAGMENT: Match = { kind: 'fragment' };

/** The parts of a rule finished early (nothing opaque, no ipset, no jump). */
function partsOfRule(r: Rule): RuleParts {
  return r.comment === undefined
    ? { match: r.match, effects: r.effects, action: r.action, opaque: NONE_YET, ipsets: NONE_YET }
    : { match: r.match, effects: r.effects, action: r.action, comment: r.comment, opaque: NONE_YET, ipsets: NONE_YET };
}

/** A resolved rule → its parts (remembered or computed now) and its final action. */
export function convertRule(resolved: ResolvedRule, scope: RuleScope): RuleParts & { readonly action: Action } {
  const single = (resolved.command.summary?.sources ?? 1) === 1 && (resolved.command.summary?.destinations ?? 1) === 1;
  const cmd = resolved.command;
  const early = single && cmd instanceof LazyCommand ? cmd.early : undefined;
  if (early !== undefined) (cmd as LazyCommand).early = undefined; // used once: do not keep it with the syntax
  let parts = early === undefined || !('origin' in early) ? early : partsOfRule(early);
  // Remembered parts were made without ipsets: redo rules that name one when the sets are known.
  if (parts !== undefined && scope.ipsets !== undefined && parts.ipsets.length > 0) parts = undefined;
  if (parts === undefined) {
    const r = ruleInstance(resolved);
    if (r === undefined) {
      return { match: opaque('the rule could not be read', resolved.command.text), effects: [], action: CONTINUE, opaque: [], ipsets: [] };
    }
    parts = convertParts(r, scope);
  }
  if (parts.action !== undefined && parts.jump === undefined) return parts as RuleParts & { readonly action: Action };
  const j = parts.jump;
  if (j === undefined) return { ...parts, action: CONTINUE };
  const name = resolved.jump ?? j.name;
  const action: Action = scope.userChains.has(name)
    ? (j.goto ? goTo(name) : jump(name))
    : { kind: 'opaque', name, reason: `jump to '${name}', which is not a chain of table ${scope.table}`, terminal: true };
  return { ...parts, action };
}

function collectOpaque(m: Match, ext: MatchSyntax, out: { name: string; reason: string; span: MatchSyntax['span'] }[]): void {
  switch (m.kind) {
    case 'opaque': out.push({ name: `-m ${ext.name}`, reason: m.reason, span: ext.span }); return;
    case 'and': case 'or': for (const x of m.items) collectOpaque(x, ext, out); return;
    case 'not': collectOpaque(m.item, ext, out); return;
    default:
  }
}

const NO_EFFECTS: readonly Effect[] = [];
const VERDICTS: Readonly<Record<string, { readonly action: Action; readonly effects: readonly Effect[] }>> = {
  ACCEPT: { action: ACCEPT, effects: NO_EFFECTS },
  DROP: { action: DROP, effects: NO_EFFECTS },
  RETURN: { action: RETURN, effects: NO_EFFECTS },
  QUEUE: { action: { kind: 'queue', text: '-j QUEUE', bypass: false }, effects: NO_EFFECTS },
};
const NO_TARGET = { action: CONTINUE, effects: NO_EFFECTS };
const CHAIN_TARGET = { action: undefined, effects: NO_EFFECTS };

function convertTarget(t: TargetSyntax | undefined, scope: PartScope, proto: number): { readonly action: Action | undefined; readonly effects: readonly Effect[] } {
  if (t === undefined) return NO_TARGET;
  switch (t.type) {
    case 'standard': return VERDICTS[t.name] ?? NO_TARGET;
    case 'chain': return CHAIN_TARGET;
    case 'extension': {
      const spec = findTarget(t.name, scope.family);
      if (spec === undefined || t.invalid) {
        return { action: { kind: 'opaque', name: t.name, reason: `-j ${t.name} could not be read (see the errors for this line)`, terminal: true }, effects: NO_EFFECTS };
      }
      const out = spec.toAction(t, EXT.at(scope, proto, '-j', t, spec));
      EXT.done();
      return out;
    }
    default: return assertNever(t.type);
  }
}
