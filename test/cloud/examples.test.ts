/**
 * The cloud examples end to end: scenario file → cloud layers + host snapshot → flow. Each names
 * the layer and the native rule that decides, as `fwdoctor trace SCENARIO --flow` prints them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../../src/analysis/flow/flow.js';
import { loadHostSnapshot } from '../../src/cli/trace-scenario.js';
import { loadScenarioFile } from '../../src/dialects/scenario/index.js';
import { repoRoot } from '../support/corpus.js';
import { decidingText, pkt } from './support.js';

interface Example {
  readonly dir: string;
  readonly flow: string;
  readonly outcome: string;
  readonly dropped?: 'forward' | 'reply';
  /** Layer (prefix) and text of the stage that ends the flow. */
  readonly layer: string;
  readonly rule: string;
  /** Cloud layers the forward packet passed, with their deciding rule. */
  readonly passed: readonly string[];
}

const EXAMPLES: readonly Example[] = [
  { dir: 'cloud-aws-host-blocks', flow: 'tcp 198.51.100.7:50000 -> 10.0.1.10:443', outcome: 'timeout', dropped: 'forward', layer: 'web-1', rule: 'INPUT', passed: ['acl-0a0a0a0a0a0a0a0a1 rule 100: allow tcp 443', 'sgr-0a00000000000001'] },
  { dir: 'cloud-aws-host-blocks', flow: 'tcp 198.51.100.7:50000 -> 192.0.2.80:443', outcome: 'timeout', dropped: 'forward', layer: 'web-1', rule: 'INPUT', passed: ['sgr-0a00000000000001'] },
  { dir: 'cloud-aws-nacl-one-way', flow: 'tcp 10.0.3.30:50000 -> 10.0.2.20:5432', outcome: 'timeout', dropped: 'reply', layer: 'aws-nacl acl-0b0b0b0b0b0b0b0b2', rule: 'acl-0b0b0b0b0b0b0b0b2 rule * (32767): deny all traffic to 0.0.0.0/0', passed: ['rule 100: allow tcp 5432 from 10.0.3.0/24', 'sg-0d0d0d0d0d0d0d0d4 (db): allow tcp 5432'] },
  { dir: 'cloud-azure-nsg-blocks', flow: 'tcp 203.0.113.5:50000 -> 10.1.1.5:80', outcome: 'timeout', dropped: 'forward', layer: 'azure-nsg nsg-nic-defaults (nic)', rule: 'nsg-nic-defaults priority 65500 DenyAllInBound', passed: ['nsg-subnet-web priority 120 allow-http-any'] },
  { dir: 'cloud-gcp-host-rejects', flow: 'tcp 198.51.100.7:50000 -> 10.20.0.5:8080', outcome: 'refused', layer: 'web-1', rule: 'REJECT', passed: ['allow-8080-dst-range priority 1000'] },
];

describe('cloud examples', () => {
  for (const e of EXAMPLES) {
    it(`${e.dir}: ${e.flow}`, () => {
      const file = join(repoRoot, 'examples', e.dir, 'scenario.yaml');
      const sc = loadScenarioFile(file, readFileSync(file, 'utf8'), loadHostSnapshot);
      expect(sc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const fp = sc.pathFor(pkt(e.flow));
      expect(fp.errors).toEqual([]);
      const r = evaluateFlow(fp.path, fp.packet);
      expect(r.outcome, r.reason).toBe(e.outcome);
      if (e.dropped !== undefined) expect(r.dropped).toBe(e.dropped);
      const j = r.dropped === 'reply' ? r.packets[1] : r.packets[0];
      const end = j?.end ?? j?.stages.find((s) => s.result !== 'pass');
      expect(end?.layer.startsWith(e.layer), `${end?.layer}`).toBe(true);
      const text = end === undefined ? '' : end.stage === 'filter' ? decidingText(end) : `${end.summary} ${end.traces.flatMap((t) => t.steps.map((s) => `${s.text} ${s.action ?? ''}`)).join(' ')}`;
      expect(text).toContain(e.rule);
      const fwd = r.packets[0]?.stages.filter((s) => s.stage === 'filter').map(decidingText) ?? [];
      for (const p of e.passed) expect(fwd.some((t) => t.includes(p)), `${p} in ${fwd.join(' | ')}`).toBe(true);
    });
  }
  it('the examples have a README each', () => {
    for (const d of new Set(EXAMPLES.map((e) => e.dir))) expect(readFileSync(join(repoRoot, 'examples', d, 'README.md'), 'utf8')).toContain('fwdoctor trace');
  });
});
