/**
 * The header space: every packet field the model has, laid out as BDD variables (most significant
 * bit first, each field contiguous), and the domain of well-formed packets. Order, top to bottom:
 * family, protocol, ctstate, fragment, interfaces, TCP flags and options, ICMP, length, ttl, tos,
 * marks, ports, then the addresses (source before destination; destination first was measured on
 * the TUM ruleset and is no faster: its many `-i X -s prefix` rules then cost a path under every
 * destination subtree). IPv4 and IPv6 addresses are separate fields, so an IPv4 prefix costs 32
 * variables, not 128.
 */
import type { CtState } from '../../model/match.js';
import type { Ruleset } from '../../model/ruleset.js';
import { Bdd, FALSE, TRUE } from './bdd.js';
import { type IfaceClasses, buildIfaceClasses, ifacePredicates } from './iface-classes.js';

export const FIELD_NAMES = [
  'family', 'protocol', 'ctstate', 'fragment', 'iif', 'oif', 'tcpFlags', 'tcpOpts', 'icmpType', 'icmpCode',
  'length', 'ttl', 'tos', 'mark', 'connmark', 'sport', 'dport', 'src4', 'dst4', 'src6', 'dst6',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export interface Field {
  readonly name: FieldName;
  /** First (most significant) variable. */
  readonly start: number;
  readonly width: number;
}

/** The conntrack states a packet can be in, with their codes in the `ctstate` field. */
export const STATES: readonly CtState[] = ['new', 'established', 'related', 'invalid', 'untracked'];

/** Protocols whose packets carry ports (the simulator's `hasPorts`). */
export const PORTED = [6, 17, 33, 132, 136] as const;

function bitsFor(n: number): number {
  let w = 0;
  while (1 << w < n) w++;
  return w;
}

function collectTcpOptions(rulesets: readonly Ruleset[]): number[] {
  const out = new Set<number>();
  const visit = (m: import('../../model/match.js').Match): void => {
    if (m.kind === 'tcpOption') out.add(m.option);
    else if (m.kind === 'and' || m.kind === 'or') m.items.forEach(visit);
    else if (m.kind === 'not') visit(m.item);
  };
  for (const rs of rulesets) for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) visit(r.match);
  return [...out].sort((a, b) => a - b);
}

export class Layout {
  readonly fields: Readonly<Record<FieldName, Field>>;
  readonly nvars: number;
  readonly iif: IfaceClasses;
  readonly oif: IfaceClasses;
  /** TCP option kinds tested by some rule, one variable each (present / absent). */
  readonly tcpOptions: readonly number[];

  constructor(rulesets: readonly Ruleset[]) {
    const preds = ifacePredicates(rulesets);
    this.iif = buildIfaceClasses(preds.in);
    this.oif = buildIfaceClasses(preds.out);
    this.tcpOptions = collectTcpOptions(rulesets);
    const widths: Record<FieldName, number> = {
      family: 1, protocol: 8, ctstate: 3, fragment: 1,
      iif: bitsFor(this.iif.names.length), oif: bitsFor(this.oif.names.length),
      tcpFlags: 8, tcpOpts: this.tcpOptions.length, icmpType: 8, icmpCode: 8,
      length: 16, ttl: 8, tos: 8, mark: 32, connmark: 32, sport: 16, dport: 16,
      src4: 32, dst4: 32, src6: 128, dst6: 128,
    };
    let next = 0;
    const fields = {} as Record<FieldName, Field>;
    for (const name of FIELD_NAMES) {
      fields[name] = { name, start: next, width: widths[name] };
      next += widths[name];
    }
    this.fields = fields;
    this.nvars = next;
  }
}

/** The BDD encodings of field predicates over one layout. */
export class Encoder {
  private readonly ranges = new Map<string, number>();

  constructor(readonly bdd: Bdd, readonly layout: Layout) {}

  field(name: FieldName): Field {
    return this.layout.fields[name];
  }

  /** field = value */
  eq(name: FieldName, value: number | bigint): number {
    const f = this.field(name);
    const v = BigInt(value);
    let node = TRUE;
    for (let i = f.width - 1; i >= 0; i--) {
      const bit = (v >> BigInt(f.width - 1 - i)) & 1n;
      node = bit === 1n ? this.bdd.mk(f.start + i, FALSE, node) : this.bdd.mk(f.start + i, node, FALSE);
    }
    return node;
  }

  /** lo ≤ field ≤ hi (clamped to the field's width); memoised (rules repeat addresses and ports). */
  range(name: FieldName, lo: number | bigint, hi: number | bigint): number {
    const key = `${name}/${lo}/${hi}`;
    let r = this.ranges.get(key);
    if (r === undefined) this.ranges.set(key, (r = this.buildRange(name, lo, hi)));
    return r;
  }

  private buildRange(name: FieldName, lo: number | bigint, hi: number | bigint): number {
    const f = this.field(name);
    if (f.width <= 32) {
      const max = f.width === 32 ? 0xffffffff : (1 << f.width) - 1;
      const a = Math.max(0, Number(lo));
      const b = Math.min(max, Number(hi));
      if (a > b) return FALSE;
      if (a === 0 && b === max) return TRUE;
      const { bdd } = this;
      const size = b - a + 1;
      if ((size & (size - 1)) === 0 && size <= 2 ** 30 && a % size === 0) {
        // A prefix (an aligned block): the path fixing its leading bits.
        let node = TRUE;
        for (let i = f.width - 1 - Math.log2(size); i >= 0; i--) {
          const bit = Math.floor(a / 2 ** (f.width - 1 - i)) % 2;
          node = bit === 1 ? bdd.mk(f.start + i, FALSE, node) : bdd.mk(f.start + i, node, FALSE);
        }
        return node;
      }
      let geq = TRUE;
      let leq = TRUE;
      for (let i = f.width - 1; i >= 0; i--) {
        const shift = f.width - 1 - i;
        const va = f.start + i;
        geq = ((a >>> shift) & 1) === 1 ? bdd.mk(va, FALSE, geq) : bdd.mk(va, geq, TRUE);
        leq = ((b >>> shift) & 1) === 1 ? bdd.mk(va, TRUE, leq) : bdd.mk(va, leq, FALSE);
      }
      return bdd.and(geq, leq);
    }
    return this.bigRange(f, lo, hi);
  }

  private bigRange(f: Field, lo: number | bigint, hi: number | bigint): number {
    const max = (1n << BigInt(f.width)) - 1n;
    let a = BigInt(lo);
    let b = BigInt(hi);
    if (a < 0n) a = 0n;
    if (b > max) b = max;
    if (a > b) return FALSE;
    if (a === 0n && b === max) return TRUE;
    const { bdd } = this;
    const abits = a.toString(2).padStart(f.width, '0');
    const bbits = b.toString(2).padStart(f.width, '0');
    let geq = TRUE;
    let leq = TRUE;
    for (let i = f.width - 1; i >= 0; i--) {
      const va = f.start + i;
      geq = abits[i] === '1' ? bdd.mk(va, FALSE, geq) : bdd.mk(va, geq, TRUE);
      leq = bbits[i] === '1' ? bdd.mk(va, TRUE, leq) : bdd.mk(va, leq, FALSE);
    }
    return bdd.and(geq, leq);
  }

  /** field ∈ the union of the intervals. */
  inIntervals(name: FieldName, intervals: readonly (readonly [number | bigint, number | bigint])[]): number {
    let r = FALSE;
    for (const [lo, hi] of intervals) r = this.bdd.or(r, this.range(name, lo, hi));
    return r;
  }

  /** (field & mask) = value; empty when value has bits outside mask. */
  masked(name: FieldName, mask: number, value: number): number {
    const f = this.field(name);
    if (((value & ~mask) >>> 0) !== 0) return FALSE;
    let node = TRUE;
    for (let i = f.width - 1; i >= 0; i--) {
      const bit = f.width - 1 - i;
      if (((mask >>> bit) & 1) === 0) continue;
      node = ((value >>> bit) & 1) === 1 ? this.bdd.mk(f.start + i, FALSE, node) : this.bdd.mk(f.start + i, node, FALSE);
    }
    return node;
  }

  /** One bit of a field (bit 0 = least significant). */
  bit(name: FieldName, bit: number): number {
    const f = this.field(name);
    return this.bdd.mk(f.start + f.width - 1 - bit, FALSE, TRUE);
  }

  oneOf(name: FieldName, values: readonly number[]): number {
    let r = FALSE;
    for (const v of values) r = this.bdd.or(r, this.eq(name, v));
    return r;
  }
}
