/**
 * A model Match → the sets of packets on which it holds, is unknown, or is absent, exactly as
 * simulate/evaluate-match.ts evaluates it (four outcomes; FAILS is the rest):
 * - `h` HOLDS, `u` UNKNOWN (opaque: rate limits, addrtype without the host's addresses, ipsets
 *   without members, source MAC), `a` ABSENT (the field does not exist on the packet: ports on
 *   ICMP, conntrack fields without an entry, an IPv4 address on an IPv6 packet). `not` keeps
 *   ABSENT and UNKNOWN; `and` ranks FAILS > ABSENT > UNKNOWN > HOLDS, `or` HOLDS > UNKNOWN >
 *   ABSENT > FAILS.
 * Approximations, all shared with the simulator's defaults for a packet that does not carry the
 * field: uid / gid never match (packets carry no socket owner); the packet type follows the
 * destination (multicast / broadcast / host); conntrack status is the one the state implies.
 */
import type { AddrField, CtState, Match, NumField } from '../../model/match.js';
import { assertNever } from '../../model/assert-never.js';
import { FALSE, TRUE } from './bdd.js';
import type { FieldName } from './layout.js';
import { STATES } from './layout.js';
import type { Space } from './space.js';

export interface Tri {
  readonly h: number;
  readonly u: number;
  readonly a: number;
}

export interface CompileContext {
  /** The chain runs before conntrack (raw): every packet is INVALID there, without an entry. */
  readonly early: boolean;
  /** Some rule rewrites marks: mark tests are then treated as unknown. */
  readonly markUnknown: boolean;
}

const HOLD: Tri = { h: TRUE, u: FALSE, a: FALSE };
const FAIL: Tri = { h: FALSE, u: FALSE, a: FALSE };
const UNKNOWN: Tri = { h: FALSE, u: TRUE, a: FALSE };

/** A match's structure as text: rules repeat the same conditions in distinct objects. */
function keyOf(m: Match): string {
  return JSON.stringify(m, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

export class MatchCompiler {
  private readonly cache = new WeakMap<Match, Tri>();
  private readonly positive = new WeakMap<Match, Tri>();
  /** The same by structure (keyOf): `byKey` for conditions other than and / or / not. */
  private readonly byKey = new Map<string, Tri>();
  private readonly positiveByKey = new Map<string, Tri>();

  constructor(readonly space: Space, readonly ctx: CompileContext) {}

  /** Holds for sure. */
  must(m: Match): number {
    return this.rule(m).h;
  }

  /** Holds on some branch (holds or unknown). */
  may(m: Match): number {
    const t = this.rule(m);
    return this.space.bdd.or(t.h, t.u);
  }

  /**
   * HOLDS and UNKNOWN of a rule's match, without ABSENT (at the top, ABSENT and FAILS both mean "no
   * match"; only `not` needs to tell them apart, so only negated parts are compiled in full).
   * `a` is left FALSE. `nested`: m is part of a rule's match.
   */
  rule(m: Match, nested = false): Tri {
    const hit = this.positive.get(m);
    if (hit !== undefined) return hit;
    let t: Tri;
    if (m.kind === 'and' || m.kind === 'or') {
      // Nested and / or repeat across rules (an interface assignment's condition); whole rules rarely do.
      const key = nested ? keyOf(m) : undefined;
      t = (key !== undefined ? this.positiveByKey.get(key) : undefined) ?? this.join(m.kind, m.items.map((x) => this.rule(x, true)));
      if (key !== undefined) this.positiveByKey.set(key, t);
    } else {
      const full = this.compile(m);
      t = { h: full.h, u: full.u, a: FALSE };
    }
    this.positive.set(m, t);
    return t;
  }

  /** The parts of an and / or combined: holds, and holds or unknown (the rest is unknown). */
  private join(kind: 'and' | 'or', parts: readonly Tri[]): Tri {
    const { bdd } = this.space;
    // Deepest first: each next part then sits above the result so far and costs only its own size.
    const combine = (xs: number[]): number => {
      const deepFirst = [...xs].sort((x, y) => bdd.varOf(y) - bdd.varOf(x));
      return kind === 'and' ? bdd.andAll(deepFirst) : bdd.orAll(deepFirst);
    };
    const h = combine(parts.map((p) => p.h));
    const u = parts.every((p) => p.u === FALSE) ? FALSE : bdd.diff(combine(parts.map((p) => bdd.or(p.h, p.u))), h);
    return { h, u, a: FALSE };
  }

  compile(m: Match): Tri {
    const hit = this.cache.get(m);
    if (hit !== undefined) return hit;
    let t: Tri;
    if (m.kind === 'and' || m.kind === 'or' || m.kind === 'not') t = this.build(m);
    else {
      const key = keyOf(m);
      t = this.byKey.get(key) ?? this.build(m);
      this.byKey.set(key, t);
    }
    this.cache.set(m, t);
    return t;
  }

  private defined(h: number, d: number): Tri {
    const { bdd } = this.space;
    return { h: bdd.and(h, d), u: FALSE, a: bdd.not(d) };
  }

  /** Packets with a conntrack entry, in this chain. */
  private tracked(): number {
    return this.ctx.early ? FALSE : this.space.tracked;
  }

  private statesIn(states: readonly CtState[]): number {
    const { enc } = this.space;
    if (this.ctx.early) return states.includes('invalid') ? TRUE : FALSE;
    return enc.oneOf('ctstate', STATES.flatMap((s, i) => (states.includes(s) ? [i] : [])));
  }

  private addrIn(field: AddrField, fam: 'ipv4' | 'ipv6', intervals: readonly (readonly [bigint, bigint])[]): number {
    const base = field === 'src' || field === 'ctOrigSrc' || field === 'ctReplDst' ? 'src' : 'dst';
    const name = `${base}${fam === 'ipv4' ? '4' : '6'}` as FieldName;
    return this.space.enc.inIntervals(name, intervals);
  }

  private build(m: Match): Tri {
    const { bdd, enc } = this.space;
    const sp = this.space;
    switch (m.kind) {
      case 'any': return HOLD;
      case 'none': return FAIL;
      case 'and': return this.and(m.items.map((x) => this.compile(x)));
      case 'or': return this.or(m.items.map((x) => this.compile(x)));
      case 'not': {
        const t = this.compile(m.item);
        const f = bdd.not(bdd.or(t.h, bdd.or(t.u, t.a)));
        return { h: f, u: t.u, a: t.a };
      }
      case 'family': return { h: sp.family(m.family), u: FALSE, a: FALSE };
      case 'addr': {
        const ct = m.field !== 'src' && m.field !== 'dst';
        const d = bdd.and(sp.family(m.set.family), ct ? this.tracked() : TRUE);
        return this.defined(this.addrIn(m.field, m.set.family, m.set.set.intervals), d);
      }
      case 'num': return this.num(m.field, m.set.intervals);
      case 'bits': {
        if ((m.field === 'mark' || m.field === 'connmark') && this.ctx.markUnknown) return UNKNOWN;
        const d = m.field === 'tcpFlags' ? sp.tcp : m.field === 'connmark' ? this.tracked() : TRUE;
        return this.defined(enc.masked(m.field, m.mask, m.value), d);
      }
      case 'iface': {
        const classes = m.dir === 'in' ? sp.layout.iif : sp.layout.oif;
        return { h: enc.oneOf(m.dir === 'in' ? 'iif' : 'oif', classes.classesMatching(m)), u: FALSE, a: FALSE };
      }
      case 'ctstate': return { h: this.statesIn(m.states), u: FALSE, a: FALSE };
      case 'ctstatus': {
        const states: CtState[] = [];
        if (m.statuses.includes('confirmed')) states.push('established', 'related');
        if (m.statuses.includes('seen-reply')) states.push('established');
        return this.defined(this.statesIn(states), this.tracked());
      }
      case 'ctdir': return this.defined(m.dir === 'original' ? TRUE : FALSE, this.tracked());
      case 'fragment': return { h: bdd.and(sp.v4, enc.eq('fragment', 1)), u: FALSE, a: FALSE };
      case 'tcpOption': {
        const i = sp.layout.tcpOptions.indexOf(m.option);
        return this.defined(i < 0 ? FALSE : enc.bit('tcpOpts', sp.layout.tcpOptions.length - 1 - i), sp.tcp);
      }
      case 'addrtype': return UNKNOWN;
      case 'pkttype': {
        const mcast = bdd.or(bdd.and(sp.v4, enc.range('dst4', 0xe0000000, 0xefffffff)), bdd.and(sp.v6, enc.range('dst6', 0xffn << 120n, (1n << 128n) - 1n)));
        const bcast = bdd.and(sp.v4, enc.eq('dst4', 0xffffffff));
        const h = m.type === 'multicast' ? mcast : m.type === 'broadcast' ? bcast
          : m.type === 'other' ? FALSE : bdd.not(bdd.or(mcast, bcast));
        return { h, u: FALSE, a: FALSE };
      }
      case 'mac': return UNKNOWN;
      case 'ipset': {
        if (m.members === undefined) return UNKNOWN;
        const fam = m.members.family;
        let d = sp.family(fam);
        let h = TRUE;
        for (const f of m.fields) {
          if (f !== 'src' && f !== 'dst') d = bdd.and(d, this.tracked());
          h = bdd.and(h, this.addrIn(f, fam, m.members.set.intervals));
        }
        return this.defined(h, d);
      }
      case 'opaque': return UNKNOWN;
      default: return assertNever(m);
    }
  }

  private num(field: NumField, intervals: readonly (readonly [number, number])[]): Tri {
    const { bdd, enc } = this.space;
    const sp = this.space;
    const tracked = this.tracked();
    switch (field) {
      case 'protocol': return { h: enc.inIntervals('protocol', intervals), u: FALSE, a: FALSE };
      case 'sport': case 'dport': return this.defined(enc.inIntervals(field, intervals), sp.ported);
      case 'icmpType': case 'icmpCode': return this.defined(enc.inIntervals(field, intervals), sp.icmpish);
      case 'length': case 'ttl': return { h: enc.inIntervals(field, intervals), u: FALSE, a: FALSE };
      case 'dscp': return { h: enc.inIntervals('tos', intervals.map(([lo, hi]) => [lo * 4, hi * 4 + 3] as const)), u: FALSE, a: FALSE };
      case 'ctProto': return this.defined(enc.inIntervals('protocol', intervals), tracked);
      case 'ctOrigSport': case 'ctReplDport':
        return this.defined(enc.inIntervals('sport', intervals), bdd.and(tracked, sp.ported));
      case 'ctOrigDport': case 'ctReplSport':
        return this.defined(enc.inIntervals('dport', intervals), bdd.and(tracked, sp.ported));
      case 'uid': case 'gid': return FAIL;
      default: return assertNever(field);
    }
  }

  private and(ts: readonly Tri[]): Tri {
    const { bdd } = this.space;
    if (ts.every((t) => t.u === FALSE && t.a === FALSE)) return { h: bdd.andAll(ts.map((t) => t.h)), u: FALSE, a: FALSE };
    let fails = FALSE;
    let absent = FALSE;
    let unknown = FALSE;
    let holds = TRUE;
    for (const t of ts) {
      fails = bdd.or(fails, bdd.not(bdd.or(t.h, bdd.or(t.u, t.a))));
      absent = bdd.or(absent, t.a);
      unknown = bdd.or(unknown, t.u);
      holds = bdd.and(holds, t.h);
    }
    const a = bdd.diff(absent, fails);
    const u = bdd.diff(unknown, bdd.or(fails, a));
    return { h: holds, u, a };
  }

  private or(ts: readonly Tri[]): Tri {
    const { bdd } = this.space;
    if (ts.every((t) => t.u === FALSE && t.a === FALSE)) return { h: bdd.orAll(ts.map((t) => t.h)), u: FALSE, a: FALSE };
    let holds = FALSE;
    let unknown = FALSE;
    let absent = FALSE;
    for (const t of ts) {
      holds = bdd.or(holds, t.h);
      unknown = bdd.or(unknown, t.u);
      absent = bdd.or(absent, t.a);
    }
    const u = bdd.diff(unknown, holds);
    const a = bdd.diff(absent, bdd.or(holds, u));
    return { h: holds, u, a };
  }
}
