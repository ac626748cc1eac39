/**
 * A per-chain prefilter in typed arrays: for every rule, the bounds its top-level conditions put on
 * the protocol, the ports and the IPv4 addresses (the hull of each set). A packet outside them
 * cannot match the rule: every top-level conjunct that fails (or is absent) makes the whole match
 * fail, whatever the other conjuncts say. Walking 50k rules then mostly reads flat memory instead
 * of chasing match trees; rules that pass are evaluated in full.
 */
import type { Match } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { hasPorts } from '../../model/protocol.js';

/** Lo/hi pairs per rule, per dimension. */
export interface ChainPrefilter {
  /** 0: no family constraint, 4: needs IPv4, 6: needs IPv6 (an address condition of that family). */
  readonly family: Uint8Array;
  readonly proto: Int32Array;
  readonly sport: Int32Array;
  readonly dport: Int32Array;
  readonly src4: Float64Array;
  readonly dst4: Float64Array;
}

/** The packet's values in the prefilter's terms; ports are -1 when the protocol has none. */
export interface PacketKey {
  readonly family: 4 | 6;
  readonly proto: number;
  readonly sport: number;
  readonly dport: number;
  readonly src4: number;
  readonly dst4: number;
}

export function packetKey(p: Packet): PacketKey {
  const v4 = p.family === 'ipv4';
  const ported = hasPorts(p.protocol);
  return {
    family: v4 ? 4 : 6,
    proto: p.protocol,
    sport: ported ? p.sport ?? -1 : -1,
    dport: ported ? p.dport ?? -1 : -1,
    src4: v4 ? Number(p.src) : 0,
    dst4: v4 ? Number(p.dst) : 0,
  };
}

function hull<T>(intervals: readonly (readonly [T, T])[]): readonly [T, T] | undefined {
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  return first === undefined || last === undefined ? undefined : [first[0], last[1]];
}

function narrow(arr: Int32Array | Float64Array, i: number, lo: number, hi: number): void {
  arr[2 * i] = Math.max(arr[2 * i] as number, lo);
  arr[2 * i + 1] = Math.min(arr[2 * i + 1] as number, hi);
}

function constrain(f: ChainPrefilter, i: number, m: Match): void {
  if (m.kind === 'num') {
    const h = hull(m.set.intervals);
    // An empty set can never hold: an impossible range.
    const [lo, hi] = h ?? [1, 0];
    if (m.field === 'protocol') narrow(f.proto, i, lo, hi);
    else if (m.field === 'sport') narrow(f.sport, i, lo, hi);
    else if (m.field === 'dport') narrow(f.dport, i, lo, hi);
  } else if (m.kind === 'addr' && (m.field === 'src' || m.field === 'dst')) {
    const want = m.set.family === 'ipv4' ? 4 : 6;
    const fam = f.family[i] as number;
    f.family[i] = fam === 0 || fam === want ? want : 255;
    if (want !== 4) return;
    const h = hull(m.set.set.intervals);
    const [lo, hi] = h === undefined ? [1, 0] : [Number(h[0]), Number(h[1])];
    narrow(m.field === 'src' ? f.src4 : f.dst4, i, lo, hi);
  }
}

export function buildPrefilter(matches: readonly Match[]): ChainPrefilter {
  const n = matches.length;
  const pairs = <A extends Int32Array | Float64Array>(make: new (len: number) => A, hi: number): A => {
    const a = new make(2 * n);
    for (let i = 0; i < n; i++) a[2 * i + 1] = hi;
    return a;
  };
  const f: ChainPrefilter = {
    family: new Uint8Array(n),
    proto: pairs(Int32Array, 255),
    // Ports: -1 (absent) fails a rule with a port condition, so the lower bound starts at -1.
    sport: pairs(Int32Array, 65535),
    dport: pairs(Int32Array, 65535),
    src4: pairs(Float64Array, 0xffffffff),
    dst4: pairs(Float64Array, 0xffffffff),
  };
  for (let i = 0; i < n; i++) {
    f.sport[2 * i] = -1;
    f.dport[2 * i] = -1;
    const m = matches[i] as Match;
    if (m.kind === 'and') for (const item of m.items) constrain(f, i, item);
    else constrain(f, i, m);
  }
  return f;
}

/** False when the rule at `i` certainly does not match the packet; true when it must be evaluated. */
export function mayMatch(f: ChainPrefilter, i: number, k: PacketKey): boolean {
  const fam = f.family[i];
  if (fam !== 0 && fam !== k.family) return false;
  const j = 2 * i;
  if (k.proto < (f.proto[j] as number) || k.proto > (f.proto[j + 1] as number)) return false;
  if (k.dport < (f.dport[j] as number) || k.dport > (f.dport[j + 1] as number)) return false;
  if (k.sport < (f.sport[j] as number) || k.sport > (f.sport[j + 1] as number)) return false;
  if (k.family === 4) {
    if (k.src4 < (f.src4[j] as number) || k.src4 > (f.src4[j + 1] as number)) return false;
    if (k.dst4 < (f.dst4[j] as number) || k.dst4 > (f.dst4[j + 1] as number)) return false;
  }
  return true;
}
