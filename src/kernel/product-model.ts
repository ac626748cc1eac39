/**
 * The models the differential suite checks against the kernel: the simulator on generated rulesets
 * converted directly (isolates the simulator), and the product's whole path: iptables-save text →
 * the iptables dialect (parser + converter) → simulator.
 */
import { loadIptables } from '../dialects/iptables/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { astModel, textModel, type ModelUnderTest, type RulesetLoader } from './model.js';

function errorText(d: Diagnostic): string {
  const at = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column} ` : '';
  return `${at}${d.code} ${d.message}`;
}

/** iptables / ip6tables text through the product's iptables dialect. */
export const iptablesLoader: RulesetLoader = (text, dialect, fileName) => {
  if (dialect === 'nftables') return { ruleset: { tables: [] }, errors: ['the nftables dialect is not wired into the kernel harness yet'] };
  const loaded = loadIptables(text, fileName, { family: dialect === 'iptables' ? 'ipv4' : 'ipv6' });
  return { ruleset: loaded.ruleset, errors: loaded.diagnostics.filter((d) => d.severity === 'error').map(errorText) };
};

export function productModel(): ModelUnderTest {
  return textModel(iptablesLoader, 'fwdoctor (iptables parser + simulator)');
}

export async function differentialModels(): Promise<ModelUnderTest[]> {
  return [productModel(), astModel()];
}
