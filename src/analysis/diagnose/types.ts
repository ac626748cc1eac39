/** Causes `fwdoctor diagnose` ranks: the field guide's list, each with its evidence and next commands. */
import type { FlowResult } from '../flow/types.js';

export const SYMPTOMS = ['timeout', 'refused', 'intermittent', 'one-way', 'nat', 'icmp'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export type CauseCode =
  | 'diagnose/explicit-block' | 'diagnose/default-policy' | 'diagnose/drop-above-allow'
  | 'diagnose/missing-established' | 'diagnose/conntrack-full' | 'diagnose/dnat-without-forward'
  | 'diagnose/dnat-without-ip-forward' | 'diagnose/dnat-without-masquerade' | 'diagnose/ip-forward-off'
  | 'diagnose/bound-to-loopback' | 'diagnose/nothing-listening' | 'diagnose/tcp-wrappers'
  | 'diagnose/icmp-blocked' | 'diagnose/ipv6-open-ipv4-closed' | 'diagnose/rp-filter' | 'diagnose/no-route'
  | 'diagnose/reject' | 'diagnose/ipv6-nd-blocked';

export interface Evidence {
  readonly what: string;
  readonly file?: string;
  readonly line?: number;
  readonly text?: string;
}

export interface Cause {
  readonly code: CauseCode;
  /** The field guide's wording of the cause. */
  readonly title: string;
  /** What fwdoctor found, in one or two sentences. */
  readonly explanation: string;
  readonly evidence: readonly Evidence[];
  /** Commands to run on the host to confirm it (shell-quoted), then to fix it. */
  readonly confirm: readonly string[];
  readonly fix: readonly string[];
  /** Higher first. */
  readonly score: number;
}

export interface Diagnosis {
  readonly flow: FlowResult;
  readonly causes: readonly Cause[];
  readonly notes: readonly string[];
}
