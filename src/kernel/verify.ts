/**
 * `fwdoctor verify-kernel` as a library call: a user's ruleset loaded into a throwaway namespace
 * (never the host's tables), packets derived from its own rules sent through it, and the kernel's
 * answer compared with fwdoctor's for every packet. Also the replay of recorded cases (JSON Lines).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source.js';
import { loadIptables } from '../dialects/iptables/index.js';
import { loadNftables, nftablesDialect } from '../dialects/nftables/index.js';
import type { Family } from '../model/address.js';
import type { Packet } from '../model/packet.js';
import type { Ruleset } from '../model/ruleset.js';
import { type Difference, compareOutcomes } from './compare.js';
import { checkKernelSupport, type KernelProblemKind } from './environment.js';
import { isValidIfName } from './netns.js';
import { type Companion, type ModelOutcome, simulatorModel, fromText, type LoadedModel } from './model.js';
import { inputRules, packetsForRuleset } from './model-packets.js';
import type { KernelOutcome } from './observe.js';
import { iptablesLoader, loadMixed, productLoader } from './product-model.js';
import { type KernelCaseRecord, compareWithRecord, parseRecords, recordPacket } from './record.js';
import { KernelSession, type RulesetDialect } from './session.js';
import { CLIENT_V4, CLIENT_V6, SERVER_V4, SERVER_V6 } from './netns.js';
import { cidrSet, parseCidr, intersectAddresses, isNoAddress, unionAddresses } from '../model/address.js';
import type { Match } from '../model/match.js';

export interface PacketComparison {
  readonly index: number;
  readonly packet: Packet;
  readonly kernel: KernelOutcome;
  readonly model: ModelOutcome;
  readonly differences: readonly Difference[];
}

export interface VerifyReport {
  readonly dialect: RulesetDialect;
  readonly rules: number;
  readonly interfaces: readonly string[];
  readonly packets: number;
  readonly compared: number;
  readonly agreed: number;
  readonly disagreements: readonly PacketComparison[];
  readonly unsent: readonly { readonly packet: Packet; readonly reason: string }[];
  readonly notes: readonly string[];
  readonly counterProblems: readonly string[];
  /** How much of the ruleset the packets exercised, by the kernel's account. */
  readonly exercised: { readonly decidedByRule: number; readonly distinctRulesMatched: number };
  readonly timings: Readonly<Record<'setup' | 'load' | 'generate' | 'kernel' | 'simulate' | 'total', number>>;
}

export type VerifyFailure =
  | { readonly kind: 'environment'; readonly problem: KernelProblemKind; readonly message: string }
  | { readonly kind: 'input'; readonly message: string; readonly diagnostics?: readonly Diagnostic[]; readonly files?: ReadonlyMap<string, SourceFile> };

export type VerifyResult = { readonly ok: true; readonly report: VerifyReport } | { readonly ok: false; readonly failure: VerifyFailure };

export interface VerifyOptions {
  readonly packets: number;
  readonly seed: number;
  readonly fileName?: string;
  readonly onProgress?: (message: string) => void;
  /** Skip the root / namespace / tools check (tests that already made it). */
  readonly skipEnvironmentCheck?: boolean;
}

/** Interfaces for the lab: `fwo1` plus the names the rules test (a wildcard `eth+` gives `eth0`). */
export function interfacesFor(rs: Ruleset, max = 12): string[] {
  const names = new Set<string>(['fwo1']);
  const visit = (m: Match): void => {
    switch (m.kind) {
      case 'and': case 'or': m.items.forEach(visit); return;
      case 'not': visit(m.item); return;
      case 'iface': {
        if (m.dir !== 'in') return;
        const n = m.wildcard ? `${m.name}0` : m.name;
        if (n !== 'lo' && n !== 'fwk0' && isValidIfName(n) && names.size < max) names.add(n);
        return;
      }
      default:
    }
  };
  for (const { rule } of inputRules(rs)) visit(rule.match);
  return [...names];
}

/** How many rules test addresses entirely outside the test ranges (packets cannot carry those). */
function outsideRanges(rs: Ruleset, family: Family): number {
  const ranges = (family === 'ipv4' ? [CLIENT_V4, SERVER_V4] : [CLIENT_V6, SERVER_V6]).map((t) => cidrSet(parseCidr(t) as NonNullable<ReturnType<typeof parseCidr>>));
  const testable = unionAddresses(ranges[0] as (typeof ranges)[number], ranges[1] as (typeof ranges)[number]);
  let n = 0;
  const visit = (m: Match): boolean => {
    switch (m.kind) {
      case 'and': case 'or': return m.items.some(visit);
      case 'not': return visit(m.item);
      case 'addr': return (m.field === 'src' || m.field === 'dst') && m.set.family === family && isNoAddress(intersectAddresses(m.set, testable));
      default: return false;
    }
  };
  for (const { rule } of inputRules(rs)) if (visit(rule.match)) n++;
  return n;
}

function since(t: number): number {
  return Date.now() - t;
}

/** nftables text or `nft -j` JSON (else iptables-save / ip6tables-save text). */
export function isNftablesRuleset(text: string, fileName?: string): boolean {
  return nftablesDialect.detect(text, fileName);
}

/** Packet families a ruleset filters: IPv4 and / or IPv6 (an nftables ruleset may do both). */
function familiesOf(rs: Ruleset, nft: boolean): Family[] {
  if (!nft) return [rs.tables.some((t) => t.family === 'ip6') ? 'ipv6' : 'ipv4'];
  const sees = (f: Family): boolean => rs.tables.some((t) => (t.family === 'inet' || t.family === (f === 'ipv4' ? 'ip' : 'ip6')) && t.chains.some((c) => c.base?.hook === 'input'));
  const out = (['ipv4', 'ipv6'] as const).filter(sees);
  return out.length > 0 ? out : ['ipv4'];
}

export async function verifyRuleset(text: string, o: VerifyOptions): Promise<VerifyResult> {
  const t0 = Date.now();
  if (!o.skipEnvironmentCheck) {
    const env = checkKernelSupport();
    if (!env.ok) return { ok: false, failure: { kind: 'environment', problem: env.kind, message: env.message } };
  }
  const fileName = o.fileName ?? 'ruleset';
  const nft = isNftablesRuleset(text, fileName);
  const loaded = nft ? loadNftables(text, fileName) : loadIptables(text, fileName);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    return { ok: false, failure: { kind: 'input', message: `${fileName}: ${errors.length} error(s); the kernel check needs a ruleset fwdoctor reads completely`, diagnostics: loaded.diagnostics, files: loaded.files } };
  }
  const families = familiesOf(loaded.ruleset, nft);
  const family: Family = families[0] ?? 'ipv4';
  const dialect: RulesetDialect = nft ? 'nftables' : family === 'ipv4' ? 'iptables' : 'ip6tables';
  const interfaces = interfacesFor(loaded.ruleset);
  const rules = inputRules(loaded.ruleset).length;
  o.onProgress?.(`creating a throwaway network namespace with interfaces ${interfaces.join(', ')}`);
  const session = await KernelSession.open({ interfaces });
  try {
    const tSetup = since(t0);
    let t = Date.now();
    o.onProgress?.(`loading ${rules} rules with ${nft ? 'nft -f' : `${dialect}-restore`} inside the namespace`);
    const refused = await session.load(text, dialect);
    if (refused !== undefined) return { ok: false, failure: { kind: 'input', message: `the kernel refused the ruleset (${nft ? 'nft -f' : `${dialect}-restore`} in a fresh namespace): ${refused}` } };
    const tLoad = since(t);
    t = Date.now();
    const model = simulatorModel('fwdoctor', fromText(productLoader)).load({ text, dialect, fileName });
    if ('errors' in model) return { ok: false, failure: { kind: 'input', message: model.errors.join('; ') } };
    // The simulator only steers packet choice past broad early rules; the kernel still judges every packet.
    // An nftables ruleset filtering both families gets half of the packets in each.
    const packets = families.flatMap((f, i) => {
      const n = Math.floor(o.packets / families.length) + (i < o.packets % families.length ? 1 : 0);
      return packetsForRuleset(loaded.ruleset, f, session.interfaces, n, o.seed + i, (p) => model.simulate(p).matched);
    });
    const tGen = since(t);
    t = Date.now();
    o.onProgress?.(`sending ${packets.length} packets`);
    const obs = await session.observe(packets);
    const counterProblems = await session.checkCounters();
    const tKernel = since(t);
    t = Date.now();
    const sim: LoadedModel = model;
    const disagreements: PacketComparison[] = [];
    const unsent: { packet: Packet; reason: string }[] = [];
    let agreed = 0;
    let decidedByRule = 0;
    const matchedRules = new Set<string>();
    for (const [i, ob] of obs.entries()) {
      const p = packets[i] as Packet;
      if (!ob.ok) { unsent.push({ packet: p, reason: ob.reason }); continue; }
      if (!('policy' in ob.outcome.decidedBy)) decidedByRule++;
      for (const r of ob.outcome.matched) matchedRules.add(`${r.family} ${r.table} ${r.chain} ${r.index}`);
      const m = sim.simulate(p);
      const differences = compareOutcomes(ob.outcome, m);
      if (differences.length === 0) agreed++;
      else disagreements.push({ index: i, packet: p, kernel: ob.outcome, model: m, differences });
    }
    const tSim = since(t);
    const notes: string[] = [];
    for (const f of families) {
      const outside = outsideRanges(loaded.ruleset, f);
      if (outside > 0) {
        notes.push(`${outside} rule(s) only test addresses outside the test ranges (${f === 'ipv4' ? `${CLIENT_V4} → ${SERVER_V4}` : `${CLIENT_V6} → ${SERVER_V6}`}); test packets never carry those addresses, so those rules are checked only for packets they do not match`);
      }
    }
    return {
      ok: true,
      report: {
        dialect, rules, interfaces: session.interfaces, packets: packets.length, compared: obs.length - unsent.length, agreed,
        disagreements, unsent, notes, counterProblems,
        exercised: { decidedByRule, distinctRulesMatched: matchedRules.size },
        timings: { setup: tSetup, load: tLoad, generate: tGen, kernel: tKernel, simulate: tSim, total: since(t0) },
      },
    };
  } finally {
    await session.close();
  }
}

function companionOf(r: KernelCaseRecord): Companion | undefined {
  const c = (r as KernelCaseRecord & { companion?: unknown }).companion;
  if (typeof c !== 'object' || c === null) return undefined;
  const { text, dialect } = c as { text?: unknown; dialect?: unknown };
  return typeof text === 'string' && (dialect === 'iptables' || dialect === 'ip6tables') ? { text, dialect } : undefined;
}

export interface ReplayedCase {
  readonly id: string;
  /** Differences between the recorded kernel answer and this kernel's. */
  readonly kernelChanged: readonly string[];
  readonly comparison?: PacketComparison;
  readonly problem?: string;
}

/** Replays recorded cases: this kernel against the record, and fwdoctor against this kernel. */
export async function replayRecords(text: string, o: { readonly skipEnvironmentCheck?: boolean } = {}): Promise<{ ok: true; cases: ReplayedCase[] } | { ok: false; failure: VerifyFailure }> {
  if (!o.skipEnvironmentCheck) {
    const env = checkKernelSupport();
    if (!env.ok) return { ok: false, failure: { kind: 'environment', problem: env.kind, message: env.message } };
  }
  const { records, problems } = parseRecords(text);
  if (problems.length > 0) return { ok: false, failure: { kind: 'input', message: problems.map((p) => `line ${p.line}: ${p.message}`).join('; ') } };
  const groups = new Map<string, KernelCaseRecord[]>();
  for (const r of records) {
    const key = `${r.dialect}\n${r.ruleset}\n${companionOf(r)?.text ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const session = await KernelSession.open({ interfaces: ['fwo1', 'fwo2', 'eth0'] });
  const out: ReplayedCase[] = [];
  try {
    for (const group of groups.values()) {
      const first = group[0] as KernelCaseRecord;
      const dialect: RulesetDialect = first.dialect === 'nftables' ? 'nftables' : first.dialect === 'ip6tables-save' ? 'ip6tables' : 'iptables';
      // Cases of a host with an iptables-nft table next to the nftables ones carry its text as `companion`.
      const companion = companionOf(first);
      const refused = await session.load(first.ruleset, dialect, companion);
      const model = companion
        ? simulatorModel('fwdoctor', (input) => { const r = loadMixed(input.text, companion, input.fileName ?? first.id); return r.errors.length > 0 ? { errors: r.errors } : { ruleset: r.ruleset }; })
          .load({ text: first.ruleset, dialect, fileName: first.id })
        : simulatorModel('fwdoctor', fromText(iptablesLoader)).load({ text: first.ruleset, dialect, fileName: first.id });
      const packets = group.map((r) => recordPacket(r));
      const sendable = packets.map((p) => p.packet).filter((p): p is Packet => p !== undefined);
      const obs = refused === undefined ? await session.observe(sendable) : [];
      let k = 0;
      for (const [i, r] of group.entries()) {
        const pk = packets[i]?.packet;
        if (!pk) { out.push({ id: r.id, kernelChanged: [], problem: `bad packet: ${packets[i]?.errors.join('; ') ?? ''}` }); continue; }
        if (refused !== undefined) { out.push({ id: r.id, kernelChanged: [], problem: `the kernel refused the ruleset: ${refused}` }); continue; }
        const ob = obs[k++];
        if (!ob || !ob.ok) { out.push({ id: r.id, kernelChanged: [], problem: `not observed: ${ob && !ob.ok ? ob.reason : 'no answer'}` }); continue; }
        const kernelChanged = compareWithRecord(r, ob.outcome);
        if ('errors' in model) { out.push({ id: r.id, kernelChanged, problem: `fwdoctor could not load the ruleset: ${model.errors.join('; ')}` }); continue; }
        const m = model.simulate(pk);
        out.push({ id: r.id, kernelChanged, comparison: { index: i, packet: pk, kernel: ob.outcome, model: m, differences: compareOutcomes(ob.outcome, m) } });
      }
    }
  } finally {
    await session.close();
  }
  return { ok: true, cases: out };
}
