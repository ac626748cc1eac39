/**
 * The differential run: random rulesets and boundary-biased packets (generate.ts) go through the
 * real kernel (session.ts) and through fwdoctor (model.ts); every verdict, deciding rule and list of
 * matched rules must agree. A disagreement is shrunk in the kernel to a minimal ruleset and packet
 * and reported as a reproducible case, with the seed that produced it.
 */
import type { Family } from '../model/address.js';
import type { Packet } from '../model/packet.js';
import { packetToJson } from '../model/packet-input.js';
import { type Difference, compareOutcomes, formatDifferences } from './compare.js';
import { sampleCase } from './generate.js';
import { type GenRuleset, printRuleset, rulesetDialect } from './gen-syntax.js';
import { type Companion, type LoadedModel, type ModelOutcome, type ModelUnderTest, formatAnyRef } from './model.js';
import type { KernelOutcome } from './observe.js';
import { type KernelCaseRecord, type RecordDialect, formatRecord, makeRecord } from './record.js';
import type { KernelSession, RulesetDialect } from './session.js';
import { shrinkCase } from './shrink.js';
import { type Coverage, cover, emptyCoverage } from './coverage.js';

export { formatCoverage, type Coverage } from './coverage.js';

/** What the kernel and the models load for one case. */
export interface CaseLoad {
  readonly text: string;
  readonly dialect: RulesetDialect;
  /** iptables-save text loaded next to an nftables ruleset (an iptables-nft table). */
  readonly companion?: Companion;
  /** The generator's syntax tree, for the model that converts it directly (iptables cases). */
  readonly generated?: GenRuleset;
}

/** Where the random cases come from: a generator, how its rulesets load, and how they shrink. */
export interface CaseSource<R> {
  sample(seed: number, packets: number, interfaces: readonly string[], family: Family): { readonly ruleset: R; readonly packets: readonly Packet[] };
  load(r: R): CaseLoad;
  shrink(
    r: R, p: Packet, disagrees: (r: R, p: Packet) => Promise<boolean>, interfaces: readonly string[], maxChecks: number,
  ): Promise<{ readonly ruleset: R; readonly packet: Packet; readonly checks: number }>;
  countRules(r: R): number;
}

/** Random iptables / ip6tables filter rulesets (generate.ts), the harness's first source. */
export const iptablesSource: CaseSource<GenRuleset> = {
  sample: (seed, packets, interfaces, family) => sampleCase(seed, { packets, interfaces }, family),
  load: (rs) => ({ text: printRuleset(rs), dialect: rulesetDialect(rs), generated: rs }),
  shrink: (rs, p, oracle, interfaces, maxChecks) => shrinkCase(rs, p, oracle, interfaces, maxChecks),
  countRules: (rs) => rs.chains.reduce((n, c) => n + c.rules.length, 0),
};

export function recordDialectOf(c: CaseLoad): RecordDialect {
  return c.dialect === 'nftables' ? 'nftables' : c.dialect === 'iptables' ? 'iptables-save' : 'ip6tables-save';
}

/** The case's ruleset as one text a person can read (the companion's iptables-save text after the nft text). */
export function displayText(c: CaseLoad): string {
  return c.companion ? `${c.text.trimEnd()}\n# loaded with ${c.companion.dialect}-restore next to it:\n${c.companion.text}` : c.text;
}

/** A record of the case; a companion ruleset goes in an extra `companion` field. */
function recordOf(id: string, c: CaseLoad, p: Packet, k: KernelOutcome, seed: number): KernelCaseRecord {
  const r = makeRecord(id, recordDialectOf(c), c.text, p, k, seed);
  return c.companion ? { ...r, companion: c.companion } as KernelCaseRecord : r;
}

export interface DifferentialOptions<R = GenRuleset> {
  readonly session: KernelSession;
  /** The case generator (default: iptables rulesets). */
  readonly source?: CaseSource<R>;
  /** Each is compared with the kernel on every case (e.g. the simulator alone, and parser + simulator). */
  readonly models: readonly ModelUnderTest[];
  /** Packets to check in total (each ruleset gets `packetsPerRuleset`). */
  readonly cases: number;
  /** Seed of the first ruleset; ruleset k uses seed + k. */
  readonly seed: number;
  readonly packetsPerRuleset?: number;
  /** Both (by seed parity, the default), or one family. */
  readonly family?: Family;
  readonly shrink?: boolean;
  /** Stop after this many disagreements (default 3). */
  readonly maxDisagreements?: number;
  readonly maxShrinkChecks?: number;
  /**
   * Only count a model's disagreement where this model agrees with the kernel (mutation checks:
   * the planted bug, not a real one the unmutated model also has). Shrinking keeps that condition.
   */
  readonly baseline?: ModelUnderTest;
  /** Called with every case the kernel answered (for recording). */
  readonly onCase?: (r: KernelCaseRecord) => void;
}

export interface ShrunkCase {
  readonly ruleset: string;
  readonly load: CaseLoad;
  readonly packet: Packet;
  readonly kernel: KernelOutcome;
  readonly model: ModelOutcome;
  readonly differences: readonly Difference[];
  readonly checks: number;
  readonly rules: number;
}

export interface CaseDisagreement {
  /** Which model disagreed. */
  readonly modelName: string;
  readonly seed: number;
  readonly packetIndex: number;
  readonly ruleset: string;
  readonly load: CaseLoad;
  readonly packet: Packet;
  readonly kernel: KernelOutcome;
  readonly model: ModelOutcome;
  readonly differences: readonly Difference[];
  readonly shrunk?: ShrunkCase;
}

export interface DifferentialReport {
  readonly cases: number;
  readonly rulesets: number;
  readonly agreed: number;
  readonly disagreements: readonly CaseDisagreement[];
  /** The harness itself failed (kernel refused a generated ruleset, a packet was not observed, counters off). */
  readonly harnessProblems: readonly string[];
  /** The model refused a ruleset the kernel accepted. */
  readonly modelErrors: readonly string[];
  readonly elapsedMs: number;
  /** What the cases exercised, from the kernel's answers (and the first model's conntrack state). */
  readonly coverage: Coverage;
}

type PairResult = { kernel: KernelOutcome; model: ModelOutcome; diff: Difference[] };

/** The kernel and each model on one ruleset and packet list; a string where the kernel saw nothing. */
async function runAll(
  session: KernelSession, models: readonly ModelUnderTest[], c: CaseLoad, packets: readonly Packet[],
): Promise<{ kernelError?: string; modelError?: string; results: (PairResult[] | string)[] }> {
  const { text, dialect } = c;
  const loadError = await session.load(text, dialect, c.companion);
  if (loadError !== undefined) return { kernelError: loadError, results: [] };
  const listing = models.some((m) => m.needsListing === true) ? await session.listJson() : undefined;
  const sims: LoadedModel[] = [];
  for (const model of models) {
    const loaded = model.load({
      text, dialect, ...(c.generated ? { generated: c.generated } : {}), ...(c.companion ? { companion: c.companion } : {}),
      ...(listing !== undefined ? { listing } : {}),
    });
    if ('errors' in loaded) return { modelError: `${model.name}: ${loaded.errors.join('; ')}`, results: [] };
    sims.push(loaded);
  }
  const obs = await session.observe(packets);
  return {
    results: obs.map((o, i) => {
      if (!o.ok) return `not observed: ${o.reason}${o.events.length > 0 ? `\n    ${o.events.join('\n    ')}` : ''}`;
      return sims.map((sim) => {
        const m = sim.simulate(packets[i] as Packet);
        return { kernel: o.outcome, model: m, diff: compareOutcomes(o.outcome, m) };
      });
    }),
  };
}

export async function runDifferential<R = GenRuleset>(o: DifferentialOptions<R>): Promise<DifferentialReport> {
  const source = (o.source ?? iptablesSource) as CaseSource<R>;
  const start = Date.now();
  const per = o.packetsPerRuleset ?? 20;
  const rulesets = Math.ceil(o.cases / per);
  const disagreements: CaseDisagreement[] = [];
  const harnessProblems: string[] = [];
  const modelErrors: string[] = [];
  let cases = 0;
  let agreed = 0;
  let coverage = emptyCoverage();
  for (let k = 0; k < rulesets && disagreements.length < (o.maxDisagreements ?? 3); k++) {
    const seed = o.seed + k;
    const n = Math.min(per, o.cases - k * per);
    const c = source.sample(seed, n, o.session.interfaces, o.family ?? (seed % 2 === 0 ? 'ipv4' : 'ipv6'));
    const load = source.load(c.ruleset);
    const text = displayText(load);
    const r = await runAll(o.session, o.baseline ? [...o.models, o.baseline] : o.models, load, c.packets);
    if (r.kernelError !== undefined) {
      harnessProblems.push(`seed ${seed}: the kernel refused the generated ruleset: ${r.kernelError}`);
      continue;
    }
    if (r.modelError !== undefined) {
      modelErrors.push(`seed ${seed}: refused a ruleset the kernel accepted: ${r.modelError}\n${text}`);
      continue;
    }
    for (const [i, res] of r.results.entries()) {
      const p = c.packets[i] as Packet;
      if (typeof res === 'string') {
        harnessProblems.push(`seed ${seed} packet ${i}: ${res}`);
        continue;
      }
      cases += 1;
      const kernel = (res[0] as PairResult).kernel;
      coverage = cover(coverage, kernel, res[0]?.model, p);
      o.onCase?.(recordOf(`g${seed}-p${i}`, load, p, kernel, seed));
      const baselineAgrees = o.baseline === undefined || (res[o.models.length] as PairResult).diff.length === 0;
      const bad = baselineAgrees ? res.slice(0, o.models.length).findIndex((x) => x.diff.length > 0) : -1;
      if (bad < 0) {
        agreed += 1;
        continue;
      }
      const model = o.models[bad] as ModelUnderTest;
      const pair = res[bad] as PairResult;
      const d: CaseDisagreement = { modelName: model.name, seed, packetIndex: i, ruleset: text, load, packet: p, kernel, model: pair.model, differences: pair.diff };
      const shrunk = o.shrink === false ? undefined : await shrinkDisagreement(o, source, model, c.ruleset, p);
      disagreements.push(shrunk ? { ...d, shrunk } : d);
      if (disagreements.length >= (o.maxDisagreements ?? 3)) break;
    }
    const counters = await o.session.checkCounters();
    if (counters.length > 0) harnessProblems.push(`seed ${seed}: rule counters disagree with the traces: ${counters.join('; ')}`);
  }
  return { cases, rulesets, agreed, disagreements, harnessProblems, modelErrors, elapsedMs: Date.now() - start, coverage };
}

async function shrinkDisagreement<R>(o: DifferentialOptions<R>, source: CaseSource<R>, model: ModelUnderTest, rs: R, p: Packet): Promise<ShrunkCase | undefined> {
  const oracle = async (cand: R, q: Packet): Promise<boolean> => {
    const r = await runAll(o.session, o.baseline ? [model, o.baseline] : [model], source.load(cand), [q]);
    const res = r.results[0];
    if (res === undefined || typeof res === 'string') return false;
    return (res[0]?.diff.length ?? 0) > 0 && (o.baseline === undefined || res[1]?.diff.length === 0);
  };
  const s = await source.shrink(rs, p, oracle, o.session.interfaces, o.maxShrinkChecks ?? 300);
  const load = source.load(s.ruleset);
  const final = await runAll(o.session, [model], load, [s.packet]);
  const out = final.results[0];
  const res = out === undefined || typeof out === 'string' ? undefined : out[0];
  if (res === undefined) return undefined;
  return {
    ruleset: displayText(load), load, packet: s.packet, kernel: res.kernel, model: res.model,
    differences: res.diff, checks: s.checks, rules: source.countRules(s.ruleset),
  };
}

function describeOutcome(x: { verdict: string; decidedBy: { family: string; table: string; chain: string; index?: number; policy?: true }; matched: readonly { family: string; table: string; chain: string; index: number }[] }): string {
  return `${x.verdict} by ${formatAnyRef(x.decidedBy)}; matched [${x.matched.map(formatAnyRef).join(', ')}]`;
}

function packetLine(p: Packet): string {
  return JSON.stringify(packetToJson(p));
}

/** A disagreement as text a developer can act on: the minimal case, both answers, how to reproduce. */
export function formatDisagreement(d: CaseDisagreement, reproduce: string): string {
  const lines = [
    `DISAGREEMENT with ${d.modelName} (seed ${d.seed}, packet ${d.packetIndex}): ${formatDifferences(d.differences)}`,
  ];
  const s = d.shrunk;
  const rs = s?.ruleset ?? d.ruleset;
  const p = s?.packet ?? d.packet;
  const k = s?.kernel ?? d.kernel;
  const m = s?.model ?? d.model;
  lines.push(s ? `minimal case (${s.rules} rules, shrunk with ${s.checks} kernel checks):` : 'case (not shrunk):');
  lines.push('--- ruleset ---', rs.trimEnd(), '--- packet ---', packetLine(p));
  lines.push(`kernel:   ${describeOutcome(k)}`, `fwdoctor: ${describeOutcome(m)}`);
  if (m.undecided) lines.push(`fwdoctor: ${m.undecided}`);
  lines.push(`reproduce the run: ${reproduce}`);
  const rec = recordOf(`seed${d.seed}-p${d.packetIndex}${s ? '-min' : ''}`, s?.load ?? d.load, p, k, d.seed);
  lines.push('replay the case (save the line to case.jsonl): sudo fwdoctor verify-kernel --replay case.jsonl', formatRecord(rec));
  return lines.join('\n');
}
