/**
 * The side of the differential that is not the kernel: something that loads a ruleset and says,
 * per packet, what fwdoctor thinks happens. Two ways in:
 *  - `astModel`: a generated ruleset converted directly (gen-to-model.ts), then simulated — checks
 *    the simulator alone;
 *  - `textModel(loader)`: the printed text through a dialect loader (the product's iptables parser),
 *    then simulated — checks parser, converter and simulator together.
 * `simulatorModel(…, mutate)` applies a change to the model Ruleset first (the harness's own mutation check).
 */
import { prepare, type PolicyRef, type RuleRef, type SimulateOptions, type TraceResult, isPolicyRef } from '../analysis/simulate/index.js';
import type { Packet } from '../model/packet.js';
import type { Ruleset } from '../model/ruleset.js';
import { genToModel } from './gen-to-model.js';
import type { GenRuleset } from './gen-syntax.js';
import type { RulesetDialect } from './session.js';

export interface ModelOutcome {
  readonly verdict: 'accept' | 'drop' | 'reject';
  readonly decidedBy: RuleRef | PolicyRef;
  readonly matched: readonly RuleRef[];
  /** Why the model could not give one answer (opaque rules, branches), when it could not. */
  readonly undecided?: string;
  readonly trace?: TraceResult;
}

export interface LoadedModel {
  simulate(p: Packet): ModelOutcome;
}

export interface ModelInput {
  readonly text: string;
  readonly dialect: RulesetDialect;
  /** Present for generated cases. */
  readonly generated?: GenRuleset;
  readonly fileName?: string;
  /** iptables-save text loaded next to an nftables ruleset (an iptables-nft table on the same host). */
  readonly companion?: Companion;
  /** The kernel's own `nft -j list ruleset` after loading (for models with `needsListing`). */
  readonly listing?: string;
}

/** iptables-save text loaded with iptables-restore / ip6tables-restore next to an nftables ruleset. */
export interface Companion {
  readonly text: string;
  readonly dialect: 'iptables' | 'ip6tables';
}

export interface ModelUnderTest {
  readonly name: string;
  /** The model reads the kernel's `nft -j list ruleset` (ModelInput.listing). */
  readonly needsListing?: boolean;
  load(input: ModelInput): LoadedModel | { readonly errors: readonly string[] };
}

/** Loads ruleset text into the model; errors are the loader's error diagnostics as text. */
export type RulesetLoader = (text: string, dialect: RulesetDialect, fileName: string) => { readonly ruleset: Ruleset; readonly errors: readonly string[] };

export function outcomeOfTrace(t: TraceResult): ModelOutcome {
  const undecided = t.alternatives.length > 0 || t.dependsOn.length > 0
    ? `the simulator could not decide: ${t.dependsOn.map((d) => d.reason).join('; ') || `${t.alternatives.length} alternative outcomes`}`
    : undefined;
  return { verdict: t.verdict, decidedBy: t.decidedBy, matched: t.matched, trace: t, ...(undecided ? { undecided } : {}) };
}

/** Where the model Ruleset comes from. */
export type RulesetSource = (input: ModelInput) => { readonly ruleset: Ruleset } | { readonly errors: readonly string[] };

/** Generated cases converted directly (gen-to-model.ts), bypassing the parser. */
export const fromGenerated: RulesetSource = (input) =>
  (input.generated ? { ruleset: genToModel(input.generated) } : { errors: ['this model needs a generated ruleset (ast mode)'] });

/** Ruleset text through a dialect loader (the product's parser and converter). */
export function fromText(loader: RulesetLoader): RulesetSource {
  return (input) => {
    const r = loader(input.text, input.dialect, input.fileName ?? 'ruleset.rules');
    return r.errors.length > 0 ? { errors: r.errors } : { ruleset: r.ruleset };
  };
}

/** The simulator over rulesets from `source`, optionally changed by `mutate` first (mutation checks). */
export function simulatorModel(name: string, source: RulesetSource, opts: SimulateOptions = {}, mutate?: (rs: Ruleset) => Ruleset): ModelUnderTest {
  return {
    name,
    load: (input) => {
      const r = source(input);
      if ('errors' in r) return r;
      const sim = prepare(mutate ? mutate(r.ruleset) : r.ruleset);
      return { simulate: (p) => outcomeOfTrace(sim.simulate(p, opts)) };
    },
  };
}

export function astModel(opts: SimulateOptions = {}): ModelUnderTest {
  return simulatorModel('simulator (generated AST → model)', fromGenerated, opts);
}

export function textModel(loader: RulesetLoader, name = 'parser + simulator', opts: SimulateOptions = {}): ModelUnderTest {
  return simulatorModel(name, fromText(loader), opts);
}

/** `filter/INPUT/3` or `filter/INPUT policy`, with the family for nftables-style tables. */
export function formatAnyRef(r: { family: string; table: string; chain: string; index?: number; policy?: true }): string {
  const fam = r.family === 'ip' || r.family === 'ip6' ? '' : `${r.family} `;
  return r.policy === true || r.index === undefined ? `${fam}${r.table}/${r.chain} policy` : `${fam}${r.table}/${r.chain}/${r.index}`;
}

export { isPolicyRef };
