/**
 * What a rule does when its match holds: side effects that let evaluation continue,
 * and the action (verdict or control transfer) that follows them.
 */
import type { Family } from './address.js';
import type { Match } from './match.js';

/** How a REJECT answers: a TCP reset or an ICMP / ICMPv6 error (`icmpx` picks the family's). */
export interface RejectWith {
  readonly kind: 'tcp-reset' | 'icmp' | 'icmpv6' | 'icmpx';
  /** ICMP code (type 3 for ICMP, type 1 for ICMPv6); 0 for tcp-reset. */
  readonly code: number;
  /** The native spelling, e.g. `icmp-port-unreachable`, `icmp6-adm-prohibited`, `admin-prohibited`. */
  readonly name: string;
}

export interface NatTarget {
  readonly type: 'dnat' | 'snat' | 'masquerade' | 'redirect' | 'netmap';
  /** Address range to translate to (absent: keep the address, e.g. masquerade picks the interface's). */
  readonly addresses?: { readonly family: Family; readonly lo: bigint; readonly hi: bigint };
  readonly ports?: readonly [number, number];
  /** random, fully-random, persistent, … */
  readonly flags: readonly string[];
}

export type Action =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'reject'; readonly with: RejectWith }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string }
  | { readonly kind: 'return' }
  /** No verdict: evaluation continues with the next rule (LOG, MARK, a rule with no target). */
  | { readonly kind: 'continue' }
  /** Address translation; ends the nat chain for this connection. */
  | { readonly kind: 'nat'; readonly nat: NatTarget }
  /** Hand the packet to user space (NFQUEUE / nft queue): the verdict is not known offline. */
  | { readonly kind: 'queue'; readonly text: string; readonly bypass: boolean }
  /** nft verdict map: the first case whose match holds decides; none → continue. */
  | { readonly kind: 'dispatch'; readonly cases: readonly { readonly match: Match; readonly action: Action }[] }
  /** A target fwdoctor cannot evaluate; `terminal` says whether it may end evaluation. */
  | { readonly kind: 'opaque'; readonly name: string; readonly reason: string; readonly terminal: boolean };

export type ActionKind = Action['kind'];

export type Effect =
  | { readonly kind: 'log'; readonly name: string; readonly prefix?: string; readonly text: string }
  | { readonly kind: 'counter' }
  /** Packet or connection mark update: new = (old & ~mask) ^ value for `set`, etc. */
  | { readonly kind: 'mark'; readonly target: 'mark' | 'connmark'; readonly op: MarkOp; readonly value: number; readonly mask: number }
  /** Skip connection tracking (raw table NOTRACK / CT --notrack / nft notrack). */
  | { readonly kind: 'notrack' }
  /** A side effect that changes nothing fwdoctor models (TCPMSS, CLASSIFY, DSCP, TRACE, …). */
  | { readonly kind: 'other'; readonly name: string; readonly text: string };

/**
 * `set`: mark = (mark & ~mask) ^ value; `and`/`or`/`xor`: bitwise with value;
 * `save`: connmark = mark (masked); `restore`: mark = connmark (masked).
 */
export type MarkOp = 'set' | 'and' | 'or' | 'xor' | 'save' | 'restore';

export const ACCEPT: Action = { kind: 'accept' };
export const DROP: Action = { kind: 'drop' };
export const RETURN: Action = { kind: 'return' };
export const CONTINUE: Action = { kind: 'continue' };

export function jump(chain: string): Action {
  return { kind: 'jump', chain };
}

export function goTo(chain: string): Action {
  return { kind: 'goto', chain };
}

export function reject(withKind: RejectWith): Action {
  return { kind: 'reject', with: withKind };
}

/** Actions that end the evaluation of the current base chain (or the whole hook). */
export function isTerminal(a: Action): boolean {
  switch (a.kind) {
    case 'accept': case 'drop': case 'reject': case 'nat': case 'queue': return true;
    case 'opaque': return a.terminal;
    default: return false;
  }
}
