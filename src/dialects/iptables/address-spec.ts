/**
 * `addr[/mask]` of `-s` / `-d` → the network it stands for (host bits cleared), or an error message.
 * Results are shared (they are immutable): rulesets name the same networks again and again, and
 * one object per network keeps the syntax and the model of a large file small.
 *
 * The common form, a dotted quad with an optional prefix length, is read from character codes into
 * a 32-bit number and looked up by that number (per prefix length); the bigint is made once per
 * distinct network. Every other form goes through readCidr, shared by its text.
 */
import type { Match } from '../../model/match.js';
import type { AddressSpec, IpFamily } from './syntax.js';
import { maskOf, readCidr, scanCidr4 } from './values.js';

const MAX_ENTRIES = 100_000;

const BY_TEXT: Record<IpFamily, Map<string, AddressSpec>> = { ipv4: new Map(), ipv6: new Map() };

/**
 * An IPv4 network read from the common form: one object per distinct network. Besides the
 * AddressSpec members it keeps the converter's predicates for it (`-s` and `-d`, made once), in
 * private fields that equality checks and JSON do not see.
 */
export class SharedNetwork implements AddressSpec {
  readonly family: IpFamily = 'ipv4';
  #src: Match | undefined = undefined;
  #dst: Match | undefined = undefined;

  constructor(readonly value: bigint, readonly mask: bigint, readonly prefix: number) {}

  /** The predicate remembered for `field`, if any. */
  predicate(field: 'src' | 'dst'): Match | undefined {
    return field === 'src' ? this.#src : this.#dst;
  }

  remember(field: 'src' | 'dst', m: Match): void {
    if (field === 'src') this.#src = m;
    else this.#dst = m;
  }
}

/** IPv4 networks by prefix length, keyed by the network address as a signed 32-bit number. */
const V4: Map<number, SharedNetwork>[] = Array.from({ length: 33 }, () => new Map<number, SharedNetwork>());

export function readAddressSpec(text: string, family: IpFamily): AddressSpec | string {
  if (family === 'ipv4') {
    const hit = quadSpec(text);
    if (hit !== undefined) return hit;
  }
  const cache = BY_TEXT[family];
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const a = readNow(text, family);
  if (typeof a !== 'string') {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(text, a);
  }
  return a;
}

/** readAddressSpec of line[start, end), without cutting the common form out of the line. */
export function readAddressSpecAt(line: string, start: number, end: number, family: IpFamily): AddressSpec | string {
  if (family === 'ipv4') {
    const hit = quadSpec(line, start, end);
    if (hit !== undefined) return hit;
  }
  return readAddressSpec(line.slice(start, end), family);
}

/** The shared network of the common form (see scanCidr4), undefined for anything else. */
function quadSpec(text: string, start = 0, end = text.length): SharedNetwork | undefined {
  const s = scanCidr4(text, start, end);
  if (s < 0) return undefined;
  const len = s % 64;
  const v = (s - len) / 64;
  const net = len === 0 ? 0 : len === 32 ? v : (v & (0xffffffff << (32 - len))) >>> 0;
  const cache = V4[len] as Map<number, SharedNetwork>;
  const key = net | 0;
  let spec = cache.get(key);
  if (spec === undefined) {
    spec = new SharedNetwork(BigInt(net), maskOf('ipv4', len), len);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, spec);
  }
  return spec;
}

function readNow(text: string, family: IpFamily): AddressSpec | string {
  const r = readCidr(text, family);
  if (!r.ok) return r.message;
  const c = r.value;
  const value = c.prefix === (family === 'ipv4' ? 32 : 128) ? c.value : c.value & c.mask;
  return c.prefix === undefined ? { family, value, mask: c.mask } : { family, value, mask: c.mask, prefix: c.prefix };
}
