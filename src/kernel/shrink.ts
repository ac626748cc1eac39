/**
 * Shrinking a disagreement to a minimal case: greedily try smaller rulesets (fewer rules, fewer
 * chains, fewer matches, simpler targets, a plain policy) and simpler packets (default TTL, length,
 * TOS, mark, flags), keeping each change only while the kernel and the model still disagree. Every
 * candidate is checked in the kernel, so the result is a real, reproducible disagreement.
 */
import { type Packet, minimalLength } from '../model/packet.js';
import type { GenChain, GenMatch, GenRule, GenRuleset } from './gen-syntax.js';

export type DisagreementOracle = (rs: GenRuleset, p: Packet) => Promise<boolean>;

export interface ShrinkResult {
  readonly ruleset: GenRuleset;
  readonly packet: Packet;
  /** Kernel checks spent. */
  readonly checks: number;
  /** Accepted simplifications. */
  readonly steps: number;
}

type Candidate = { readonly rs: GenRuleset; readonly p: Packet };

function withChain(rs: GenRuleset, ci: number, chain: GenChain): GenRuleset {
  return { ...rs, chains: rs.chains.map((c, i) => (i === ci ? chain : c)) };
}

function withRule(rs: GenRuleset, ci: number, ri: number, rule: GenRule | undefined): GenRuleset {
  const c = rs.chains[ci] as GenChain;
  const rules = rule === undefined ? c.rules.filter((_, i) => i !== ri) : c.rules.map((r, i) => (i === ri ? rule : r));
  return withChain(rs, ci, { ...c, rules });
}

function needsProto(m: GenMatch): boolean {
  return m.kind === 'l4' || m.kind === 'multiport' || m.kind === 'icmp';
}

function referenced(rs: GenRuleset, name: string): boolean {
  return rs.chains.some((c) => c.rules.some((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === name));
}

/** Smaller variants of one match (or undefined to drop it). */
function smallerMatches(m: GenMatch): GenMatch[] {
  switch (m.kind) {
    case 'multiport': return m.items.length > 1 ? m.items.map((_, i) => ({ ...m, items: m.items.filter((__, j) => j !== i) })) : [];
    case 'l4': {
      const out: GenMatch[] = [];
      if (m.sport && (m.dport || m.flags)) { const { sport: _s, ...rest } = m; out.push(rest); }
      if (m.dport && (m.sport || m.flags)) { const { dport: _d, ...rest } = m; out.push(rest); }
      if (m.flags && (m.sport || m.dport)) { const { flags: _f, ...rest } = m; out.push(rest); }
      return out;
    }
    case 'iprange': {
      const out: GenMatch[] = [];
      if (m.src && m.dst) { const { src: _s, ...a } = m; const { dst: _d, ...b } = m; out.push(a, b); }
      return out;
    }
    default: {
      if ('neg' in m && m.neg) return [{ ...m, neg: false } as GenMatch];
      return [];
    }
  }
}

function* candidates(rs: GenRuleset, p: Packet, interfaces: readonly string[]): Generator<Candidate> {
  // Whole rules, last first (later rules are less likely to matter).
  for (let ci = rs.chains.length - 1; ci >= 0; ci--) {
    const c = rs.chains[ci] as GenChain;
    for (let ri = c.rules.length - 1; ri >= 0; ri--) yield { rs: withRule(rs, ci, ri, undefined), p };
  }
  // Unreferenced user chains.
  for (let ci = rs.chains.length - 1; ci >= 1; ci--) {
    const name = (rs.chains[ci] as GenChain).name;
    if (!referenced(rs, name)) yield { rs: { ...rs, chains: rs.chains.filter((_, i) => i !== ci) }, p };
  }
  // Matches, then smaller forms of matches, then simpler targets.
  for (const [ci, c] of rs.chains.entries()) {
    for (const [ri, r] of c.rules.entries()) {
      for (const [mi, m] of r.matches.entries()) {
        if (m.kind === 'proto' && !m.neg && r.matches.some(needsProto)) continue;
        if (m.kind === 'proto' && r.target.kind === 'REJECT' && r.target.with === 'tcp-reset') continue;
        yield { rs: withRule(rs, ci, ri, { ...r, matches: r.matches.filter((_, j) => j !== mi) }), p };
        for (const smaller of smallerMatches(m)) yield { rs: withRule(rs, ci, ri, { ...r, matches: r.matches.map((x, j) => (j === mi ? smaller : x)) }), p };
      }
      if (r.target.kind === 'REJECT' || r.target.kind === 'LOG') yield { rs: withRule(rs, ci, ri, { ...r, target: { kind: 'DROP' } }), p };
      if (r.target.kind === 'goto') yield { rs: withRule(rs, ci, ri, { ...r, target: { kind: 'jump', chain: r.target.chain } }), p };
      if (r.target.kind === 'jump' || r.target.kind === 'goto') {
        // Without the call, the user chain may become unreferenced and go in a later round.
        yield { rs: withRule(rs, ci, ri, { ...r, target: { kind: 'DROP' } }), p };
        yield { rs: withRule(rs, ci, ri, { ...r, target: { kind: 'ACCEPT' } }), p };
      }
    }
  }
  if (rs.policy === 'DROP') yield { rs: { ...rs, policy: 'ACCEPT' }, p };
  // Packet fields back to their plain values.
  const plain: Partial<Packet>[] = [
    { ttl: 64 }, { tos: 0 }, { mark: 0 }, { length: minimalLength(p.family, p.protocol) + (p.protocol === 6 || p.protocol === 17 || p.protocol === 1 || p.protocol === 58 ? 0 : 8) },
    ...(interfaces[0] !== undefined ? [{ iif: interfaces[0] }] : []),
    ...(p.protocol === 6 ? [{ tcpFlags: 0x02 }] : []),
    ...(p.sport !== undefined ? [{ sport: 40000 }] : []),
  ];
  for (const change of plain) {
    const differs = Object.entries(change).some(([k, v]) => (p as unknown as Record<string, unknown>)[k] !== v);
    if (differs) yield { rs, p: { ...p, ...change } };
  }
}

/**
 * Greedy shrinking shared by the iptables and nftables generators: take the first smaller candidate
 * that still disagrees, start again from it, stop when none does or after `maxChecks` kernel checks.
 */
export async function shrinkGreedy<R>(
  start: { readonly rs: R; readonly p: Packet },
  candidatesOf: (rs: R, p: Packet) => Iterable<{ readonly rs: R; readonly p: Packet }>,
  disagrees: (rs: R, p: Packet) => Promise<boolean>,
  maxChecks: number,
): Promise<{ readonly ruleset: R; readonly packet: Packet; readonly checks: number; readonly steps: number }> {
  let cur = start;
  let checks = 0;
  let steps = 0;
  let progress = true;
  while (progress && checks < maxChecks) {
    progress = false;
    for (const cand of candidatesOf(cur.rs, cur.p)) {
      if (checks >= maxChecks) break;
      checks += 1;
      if (await disagrees(cand.rs, cand.p)) {
        cur = cand;
        steps += 1;
        progress = true;
        break;
      }
    }
  }
  return { ruleset: cur.rs, packet: cur.p, checks, steps };
}

/** Shrinks (rs, p), which must disagree, within `maxChecks` kernel checks. */
export async function shrinkCase(
  rs: GenRuleset, p: Packet, disagrees: DisagreementOracle, interfaces: readonly string[], maxChecks = 300,
): Promise<ShrinkResult> {
  return shrinkGreedy({ rs, p }, (r, q) => candidates(r, q, interfaces), disagrees, maxChecks);
}
