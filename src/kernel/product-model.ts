/**
 * The models the differential suite checks against the kernel: the simulator on generated rulesets
 * converted directly (isolates the simulator), and the product's whole path: ruleset text → the
 * product's dialect (iptables-save text through the iptables dialect; `nft list ruleset` text or
 * `nft -j` JSON through the nftables dialect) → simulator.
 */
import { loadIptables } from '../dialects/iptables/index.js';
import { loadNftables } from '../dialects/nftables/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Ruleset } from '../model/ruleset.js';
import { type Companion, type ModelUnderTest, type RulesetLoader, astModel, simulatorModel, textModel } from './model.js';
import { HARNESS_TABLE } from './observe.js';

function errorText(d: Diagnostic): string {
  const at = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column} ` : '';
  return `${at}${d.code} ${d.message}`;
}

function errorsOf(ds: readonly Diagnostic[]): string[] {
  return ds.filter((d) => d.severity === 'error').map(errorText);
}

/** nftables text or JSON through the product's nftables dialect. */
export const nftablesLoader: RulesetLoader = (text, _dialect, fileName) => {
  const loaded = loadNftables(text, fileName);
  return { ruleset: loaded.ruleset, errors: errorsOf(loaded.diagnostics) };
};

/** Ruleset text through the product's dialect for it: iptables / ip6tables text, or nftables text / JSON. */
export const iptablesLoader: RulesetLoader = (text, dialect, fileName) => {
  if (dialect === 'nftables') return nftablesLoader(text, dialect, fileName);
  const loaded = loadIptables(text, fileName, { family: dialect === 'iptables' ? 'ipv4' : 'ipv6' });
  return { ruleset: loaded.ruleset, errors: errorsOf(loaded.diagnostics) };
};

/** The product's loader for every dialect the harness loads (the same function as `iptablesLoader`). */
export const productLoader: RulesetLoader = iptablesLoader;

/**
 * A host whose nftables ruleset coexists with tables iptables-nft created: the native tables through
 * the nftables dialect, the iptables-save text through the iptables dialect, simulated as one host.
 */
export function loadMixed(nft: string, iptables: Companion | undefined, fileName: string): { readonly ruleset: Ruleset; readonly errors: readonly string[] } {
  const a = nftablesLoader(nft, 'nftables', fileName);
  if (!iptables) return a;
  const b = iptablesLoader(iptables.text, iptables.dialect, `${fileName}.${iptables.dialect}`);
  return { ruleset: { tables: [...a.ruleset.tables, ...b.ruleset.tables] }, errors: [...a.errors, ...b.errors] };
}

export function productModel(): ModelUnderTest {
  return textModel(productLoader, 'fwdoctor (iptables parser + simulator)');
}

export async function differentialModels(): Promise<ModelUnderTest[]> {
  return [productModel(), astModel()];
}

/**
 * The kernel's `nft -j list ruleset` without the harness's own table and, when an iptables-nft
 * companion was loaded, without its `filter` table: `nft -j` shows that table's xt matches without
 * their options, so a host model reads it from iptables-save text instead (as loadMixed does).
 */
export function nativeListing(json: string, companion?: Companion): string {
  const doc = JSON.parse(json) as { nftables?: unknown[] };
  const compat = companion ? (companion.dialect === 'iptables' ? 'ip' : 'ip6') : undefined;
  const keep = (o: unknown): boolean => {
    if (typeof o !== 'object' || o === null) return true;
    const body = Object.values(o)[0] as { family?: unknown; table?: unknown; name?: unknown } | undefined;
    if (typeof body !== 'object' || body === null) return true;
    const table = 'table' in o ? body.name : body.table;
    if (table === HARNESS_TABLE && body.family === 'inet') return false;
    return !(compat !== undefined && table === 'filter' && body.family === compat);
  };
  return JSON.stringify({ nftables: (doc.nftables ?? []).filter(keep) });
}

/** nftables text (and any iptables-nft companion) through the product's dialects, then the simulator. */
export function nftTextModel(): ModelUnderTest {
  return simulatorModel('fwdoctor (nft text parser + simulator)', (input) => {
    const r = loadMixed(input.text, input.companion, input.fileName ?? 'ruleset.nft');
    return r.errors.length > 0 ? { errors: r.errors } : { ruleset: r.ruleset };
  });
}

/** The kernel's own `nft -j list ruleset` of what was loaded through the JSON parser, then the simulator. */
export function nftListingModel(): ModelUnderTest {
  const m = simulatorModel('fwdoctor (kernel nft -j listing + simulator)', (input) => {
    if (input.listing === undefined) return { errors: ['this model needs the kernel listing'] };
    const r = loadMixed(nativeListing(input.listing, input.companion), input.companion, 'listing.json');
    return r.errors.length > 0 ? { errors: r.errors } : { ruleset: r.ruleset };
  });
  return { ...m, needsListing: true };
}

export function nftDifferentialModels(): ModelUnderTest[] {
  return [nftTextModel(), nftListingModel()];
}
