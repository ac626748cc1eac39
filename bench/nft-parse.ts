/**
 * nftables figures (issue 4): parsing a generated 50k-rule ruleset as text and as JSON, next to
 * `nft -c -f` (and `nft -j -c -f`) on the same files in a throwaway network namespace when root,
 * and tracing one packet through it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../src/analysis/simulate/index.js';
import { loadNftables } from '../src/dialects/nftables/index.js';
import { packetFromText } from '../src/model/packet-input.js';
import { generateNftRuleset } from './gen-nft.js';
import { type Figure, type Timing, fmtMs, isRoot, measure, measureCommand, speedRatio, inNetns } from './timing.js';

function baseline(argv: readonly string[]): Timing | { error: string } | undefined {
  if (!isRoot()) return undefined;
  return inNetns(`fwdb-nft-${process.pid}`, (ns) => measureCommand(['ip', 'netns', 'exec', ns, ...argv], '', { runs: 3 }));
}

function ratioOf(ms: number, base: Timing | { error: string } | undefined, name: string): string {
  if (base === undefined) return `baseline skipped: not root (${name} needs a network namespace)`;
  return 'error' in base ? `baseline failed: ${base.error}` : speedRatio(ms, base.ms, name);
}

/** Generates the ruleset, times fwdoctor and nft on it, and returns the figures. */
export async function benchNftParse(rules = 50_000): Promise<Figure[]> {
  const gen = generateNftRuleset(rules);
  const dir = mkdtempSync(join(tmpdir(), 'fwd-nft-bench-'));
  const textFile = join(dir, 'bench.nft');
  const jsonFile = join(dir, 'bench.json');
  writeFileSync(textFile, gen.text);
  writeFileSync(jsonFile, gen.json);
  const input = `generated nftables ruleset (${gen.rules.toLocaleString('en-US')} rules)`;
  const figures: Figure[] = [];
  try {
    for (const [label, text, file, argv] of [
      ['text', gen.text, textFile, ['nft', '-c', '-f', textFile]],
      ['JSON', gen.json, jsonFile, ['nft', '-j', '-c', '-f', jsonFile]],
    ] as const) {
      let loaded = loadNftables(text, file);
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new Error(`${label}: ${errors.length} errors, first: ${errors[0]?.message ?? ''}`);
      const t = measure(() => { loaded = loadNftables(text, file); }, { minRuns: 3, minMs: 2000 });
      figures.push({ name: `parse + check + convert nft ${label}`, input: `${input}, ${(text.length / 1e6).toFixed(1)} MB`, value: fmtMs(t.ms), ratio: ratioOf(t.ms, baseline(argv), argv.slice(0, -1).join(' ')) });
      await Promise.resolve();
    }
    const rs = loadNftables(gen.text, textFile).ruleset;
    const sim = prepare(rs);
    // A new TCP packet from source port 1050 jumps to the 51st regular chain and walks all its rules.
    const packet = packetFromText('tcp 203.0.113.9:1050 -> 203.0.113.10:9 flags S in eth0').packet;
    if (packet === undefined) throw new Error('bench packet does not parse');
    const result = sim.simulate(packet);
    const trace = measure(() => sim.simulate(packet), { minRuns: 20, minMs: 1000 });
    const parse = measure(() => loadNftables(gen.text, textFile), { minRuns: 1, minMs: 0 });
    figures.push({
      name: 'trace one packet (nft ruleset)', input: `${input}; ${result.steps.length} rules visited, verdict ${result.verdict}`,
      value: fmtMs(trace.ms), ratio: speedRatio(trace.ms, parse.ms, 'parsing the same ruleset'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
