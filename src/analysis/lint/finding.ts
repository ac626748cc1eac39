/**
 * A lint finding: the JSON contract of DESIGN.md ("Lint finding") plus an explanation and a fix.
 * Codes are stable; severities: error (the ruleset does not do what it says), warning (likely a
 * mistake or a hardening gap), info (worth a look).
 */
import type { Packet } from '../../model/packet.js';
import type { Severity } from '../../diagnostics/diagnostic.js';

export interface FindingLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface FindingRule {
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  /** 1-based; absent for findings about a whole chain or ruleset. */
  readonly index?: number;
  /** The rule's source text. */
  readonly text?: string;
}

export interface RelatedRule {
  readonly message: string;
  readonly rule: FindingRule;
  readonly location?: FindingLocation;
}

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Why this matters, in a sentence or two. */
  readonly explanation: string;
  readonly location?: FindingLocation;
  readonly rule?: FindingRule;
  readonly related: readonly RelatedRule[];
  /** A packet that shows the behaviour (checked by the simulator in the tests). */
  readonly witness?: Packet;
  /** The hook the witness arrives at. */
  readonly suggestion?: string;
}

/** Every finding code with its default severity and a one-line summary (docs/lint.md, SARIF rules). */
export const FINDING_CODES = {
  'lint/shadowed-rule': { severity: 'warning', summary: 'earlier rules together take every packet this rule matches' },
  'lint/redundant-rule': { severity: 'info', summary: 'removing the rule changes no verdict' },
  'lint/conflicting-rules': { severity: 'info', summary: 'partial overlap with an earlier rule of a different verdict' },
  'lint/never-matches': { severity: 'error', summary: 'the rule\'s conditions contradict each other' },
  'lint/unreachable-after-terminal': { severity: 'warning', summary: 'rules after an unconditional terminal rule' },
  'lint/unused-chain': { severity: 'warning', summary: 'a user chain no rule jumps to' },
  'lint/jump-loop': { severity: 'error', summary: 'chains that jump to each other in a loop' },
  'lint/log-never-fires': { severity: 'warning', summary: 'a LOG rule no packet reaches' },
  'lint/no-established-accept': { severity: 'warning', summary: 'default deny without accepting ESTABLISHED,RELATED' },
  'lint/loopback-not-accepted': { severity: 'warning', summary: 'loopback traffic is blocked' },
  'lint/icmp-pmtu-blocked': { severity: 'warning', summary: 'ICMP needed for path MTU discovery is blocked' },
  'lint/icmpv6-nd-blocked': { severity: 'error', summary: 'ICMPv6 neighbour discovery is blocked' },
  'lint/ipv6-unfiltered': { severity: 'warning', summary: 'IPv4 is filtered, IPv6 is left open' },
  'lint/ipv4-unfiltered': { severity: 'warning', summary: 'IPv6 is filtered, IPv4 is left open' },
  'lint/admin-port-open': { severity: 'warning', summary: 'an admin, database or cache port is open to the whole internet' },
  'lint/invalid-not-dropped': { severity: 'info', summary: 'packets in conntrack state INVALID are accepted' },
  'lint/ssh-no-rate-limit': { severity: 'info', summary: 'SSH is accepted without a rate limit' },
  'lint/undocumented-rule': { severity: 'info', summary: 'rules without a comment' },
  'lint/default-accept-input': { severity: 'warning', summary: 'INPUT falls through to an ACCEPT policy' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type FindingCode = keyof typeof FINDING_CODES;

const RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

export function sortFindings(fs: readonly Finding[]): Finding[] {
  return [...fs].sort((a, b) =>
    (a.location?.file ?? '').localeCompare(b.location?.file ?? '') || (a.location?.line ?? 0) - (b.location?.line ?? 0)
    || severityRank(a.severity) - severityRank(b.severity) || a.code.localeCompare(b.code));
}
