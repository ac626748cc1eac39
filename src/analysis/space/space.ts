/**
 * A header space for a set of rulesets: the BDD manager, the field layout, the domain of
 * well-formed packets, and the translation between concrete packets and points of the space.
 *
 * Well-formed: IPv4 packets have zero IPv6 address fields and vice versa; only IPv4 packets are
 * fragments; fields a protocol does not carry are zero (ports unless tcp/udp/dccp/sctp/udplite,
 * flags and options unless tcp, ICMP type and code unless protocol 1 or 58), the conntrack state
 * is one of five, interfaces are one of their classes. Every set the engine returns lies in it,
 * so equal sets are equal node ids.
 */
import type { Family } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import type { Ruleset } from '../../model/ruleset.js';
import { Bdd, FALSE } from './bdd.js';
import { Encoder, type FieldName, Layout, PORTED, STATES } from './layout.js';

export class Space {
  readonly bdd: Bdd;
  readonly layout: Layout;
  readonly enc: Encoder;
  /** The well-formed packets. */
  readonly valid: number;
  readonly v4: number;
  readonly v6: number;
  readonly ported: number;
  readonly tcp: number;
  readonly icmpish: number;
  /** Packets with a conntrack entry (new, established, related). */
  readonly tracked: number;

  constructor(rulesets: readonly Ruleset[]) {
    this.layout = new Layout(rulesets);
    // Sized for the rulesets up front (about 512 nodes per rule, at most 4M: lint on a real 3.8k-rule
    // chain makes 1.6M): growing rehashes every node, allocating far more than needed costs time too.
    let rules = 0;
    for (const rs of rulesets) for (const t of rs.tables) for (const c of t.chains) rules += c.rules.length;
    this.bdd = new Bdd(this.layout.nvars, 1 << Math.min(22, Math.max(14, Math.ceil(Math.log2(rules * 512 + 1)))));
    this.enc = new Encoder(this.bdd, this.layout);
    const { bdd, enc } = this;
    this.v4 = enc.eq('family', 0);
    this.v6 = enc.eq('family', 1);
    this.ported = enc.oneOf('protocol', [...PORTED]);
    this.tcp = enc.eq('protocol', 6);
    this.icmpish = enc.oneOf('protocol', [1, 58]);
    this.tracked = enc.oneOf('ctstate', [0, 1, 2]);
    const zero = (f: FieldName): number => enc.eq(f, 0);
    const when = (cond: number, then: number): number => bdd.or(bdd.not(cond), then);
    this.valid = bdd.andAll([
      when(this.v4, bdd.and(zero('src6'), zero('dst6'))),
      when(this.v6, bdd.andAll([zero('src4'), zero('dst4'), zero('fragment')])),
      when(bdd.not(this.ported), bdd.and(zero('sport'), zero('dport'))),
      when(bdd.not(this.tcp), bdd.and(zero('tcpFlags'), zero('tcpOpts'))),
      when(bdd.not(this.icmpish), bdd.and(zero('icmpType'), zero('icmpCode'))),
      enc.range('ctstate', 0, STATES.length - 1),
      enc.range('iif', 0, this.layout.iif.names.length - 1),
      enc.range('oif', 0, this.layout.oif.names.length - 1),
    ]);
  }

  family(f: Family): number {
    return f === 'ipv4' ? this.v4 : this.v6;
  }

  /** The point of a packet; `ctstate` is the state the packet has in the filter chains. */
  bitsOf(p: Packet, ctstate: string): Uint8Array {
    const out = new Uint8Array(this.layout.nvars);
    const put = (name: FieldName, value: number | bigint): void => {
      const f = this.layout.fields[name];
      const v = BigInt(value);
      for (let i = 0; i < f.width; i++) out[f.start + i] = Number((v >> BigInt(f.width - 1 - i)) & 1n);
    };
    const v4 = p.family === 'ipv4';
    const ported = (PORTED as readonly number[]).includes(p.protocol);
    const icmp = p.protocol === 1 || p.protocol === 58;
    put('family', v4 ? 0 : 1);
    put('protocol', p.protocol);
    put('ctstate', Math.max(0, STATES.indexOf(ctstate as (typeof STATES)[number])));
    put('fragment', v4 && p.fragment ? 1 : 0);
    put('iif', this.layout.iif.classOf(p.iif ?? ''));
    put('oif', this.layout.oif.classOf(p.oif ?? ''));
    put('tcpFlags', p.protocol === 6 ? p.tcpFlags : 0);
    let opts = 0n;
    if (p.protocol === 6) {
      this.layout.tcpOptions.forEach((o, i) => {
        if ((p.tcpOptions ?? []).includes(o)) opts |= 1n << BigInt(this.layout.tcpOptions.length - 1 - i);
      });
    }
    put('tcpOpts', opts);
    put('icmpType', icmp ? p.icmpType ?? 0 : 0);
    put('icmpCode', icmp ? p.icmpCode ?? 0 : 0);
    put('length', p.length);
    put('ttl', p.ttl);
    put('tos', p.tos);
    put('mark', p.mark >>> 0);
    put('connmark', p.connmark >>> 0);
    put('sport', ported ? p.sport ?? 0 : 0);
    put('dport', ported ? p.dport ?? 0 : 0);
    put('src4', v4 ? p.src : 0n);
    put('dst4', v4 ? p.dst : 0n);
    put('src6', v4 ? 0n : p.src);
    put('dst6', v4 ? 0n : p.dst);
    return out;
  }

  contains(set: number, p: Packet, ctstate: string): boolean {
    return this.bdd.evaluate(set, this.bitsOf(p, ctstate));
  }

  /** The value of a field in a point. */
  valueOf(bits: ArrayLike<number>, name: FieldName): bigint {
    const f = this.layout.fields[name];
    let v = 0n;
    for (let i = 0; i < f.width; i++) v = (v << 1n) | BigInt(bits[f.start + i] ?? 0);
    return v;
  }

  isEmpty(set: number): boolean {
    return set === FALSE;
  }

  /** ∃ over whole fields. */
  forget(set: number, names: readonly FieldName[]): number {
    let r = set;
    for (const n of names) {
      const f = this.layout.fields[n];
      if (f.width > 0) r = this.bdd.exists(r, f.start, f.start + f.width);
    }
    return r;
  }
}
