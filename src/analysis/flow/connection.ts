/**
 * What one host's conntrack remembers about a flow: whether the connection is tracked, its
 * original tuple and the NAT bindings made for its first packet, applied back to replies.
 */
import type { Packet } from '../../model/packet.js';
import type { CtState } from '../../model/match.js';
import type { RuleRef } from '../simulate/index.js';

export interface Binding {
  readonly addr: bigint;
  readonly port?: number;
  readonly type: string;
  readonly by?: RuleRef;
}

export class Connection {
  /** Set when the first packet went through conntrack at this host. */
  seen = false;
  /** NOTRACK / notrack applied to the first packet. */
  untracked = false;
  /** The first packet was accepted to the end (conntrack confirmed the entry). */
  confirmed = false;
  origSrc = 0n;
  origDst = 0n;
  origSport: number | undefined;
  origDport: number | undefined;
  dnat: Binding | undefined;
  snat: Binding | undefined;

  remember(p: Packet): void {
    if (this.seen) return;
    this.seen = true;
    this.origSrc = p.src;
    this.origDst = p.dst;
    this.origSport = p.sport;
    this.origDport = p.dport;
  }

  /** Tracked and known to conntrack when a reply or an error about the flow comes. */
  get tracked(): boolean {
    return this.seen && !this.untracked;
  }

  /** The state a packet of the reply direction gets here: ICMP errors are RELATED, the rest ESTABLISHED. */
  replyState(isError: boolean): CtState | undefined {
    if (!this.tracked || !this.confirmed) return undefined;
    return isError ? 'related' : 'established';
  }
}

export function withFields(p: Packet, fields: Partial<Packet>): Packet {
  return { ...p, ...fields } as Packet;
}
