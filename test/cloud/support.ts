/** Helpers for the cloud tables: fixtures from disk, flows through cloud layers, the deciding native rules. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateFlow } from '../../src/analysis/flow/flow.js';
import type { FlowResult, Stage } from '../../src/analysis/flow/types.js';
import { formatRef, isPolicyRef } from '../../src/analysis/simulate/index.js';
import { sourceFile, type SourceFile } from '../../src/diagnostics/source.js';
import { packetFromText } from '../../src/model/packet-input.js';
import type { Packet } from '../../src/model/packet.js';
import type { Layer } from '../../src/model/path.js';
import { classifyExports, type LoadedExports } from '../../src/dialects/scenario/load-exports.js';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

export function fixtureFiles(dir: string): SourceFile[] {
  const d = join(FIXTURES, dir);
  return readdirSync(d).filter((n) => n.endsWith('.json')).sort().map((n) => sourceFile(join(d, n), readFileSync(join(d, n), 'utf8')));
}

export function loadFixture(dir: string): LoadedExports {
  return classifyExports(fixtureFiles(dir));
}

export function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(`bad packet in test: ${r.errors.join('; ')}`);
  return r.packet;
}

/** The text of the rule (or policy) that decided a filter stage. */
export function decidingText(st: Stage): string {
  const t = st.traces[0];
  if (t === undefined) return st.summary;
  const ref = formatRef(t.decidedBy);
  const step = t.steps.find((s) => formatRef(s.ref) === ref && (s.result === 'match' || isPolicyRef(s.ref)));
  return step?.text ?? st.summary;
}

export interface Decision {
  readonly dir: 'forward' | 'reply';
  readonly layer: string;
  readonly result: string;
  readonly text: string;
}

export function decisions(r: FlowResult): Decision[] {
  const out: Decision[] = [];
  for (const j of r.packets) {
    for (const st of j.stages) if (st.stage === 'filter') out.push({ dir: j.direction, layer: st.layer, result: st.result, text: decidingText(st) });
  }
  return out;
}

export function flow(layers: readonly Layer[], text: string): FlowResult {
  return evaluateFlow({ layers }, pkt(text));
}

/** The decision that blocked the flow, or undefined when it is open. */
export function blocker(r: FlowResult): Decision | undefined {
  return decisions(r).find((d) => d.result !== 'pass');
}
