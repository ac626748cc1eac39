/** `fwdoctor trace SNAPSHOT… --flow '…'`: a forward packet and its answer through every layer. */
import { evaluateFlow } from '../analysis/flow/flow.js';
import { flowToJson } from '../analysis/flow/to-json.js';
import { loadPath } from '../host/load-path.js';
import type { Packet } from '../model/packet.js';
import { packetFromText } from '../model/packet-input.js';
import type { Path } from '../model/path.js';
import { renderFlow } from '../report/flow-text.js';
import { EXIT } from './exit-codes.js';
import { loadRulesets } from './load-ruleset.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { pickStyle } from './style.js';

export interface FlowCliOptions {
  readonly flow: string[];
  readonly in?: string;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly color?: boolean;
  readonly expect?: string;
  readonly dialect?: string;
}

/** The path a flow takes, resolved per flow (cloud inputs pick the layers by the flow's addresses). */
export interface ResolvedFlowPath {
  readonly path: Path;
  readonly packet: Packet;
  readonly notes: readonly string[];
  readonly errors: readonly string[];
}

/** Traces every `--flow` over the paths `resolve` gives; shared by snapshots and cloud scenarios. */
export function traceFlows(o: FlowCliOptions, inputHasErrors: boolean, resolve: (p: Packet) => ResolvedFlowPath): number {
  const style = pickStyle(process.stdout, o.color === false ? false : undefined);
  let bad = inputHasErrors;
  let unmet = 0;
  let first = true;
  for (const text of o.flow) {
    const parsed = packetFromText(text, o.in !== undefined ? { iif: o.in } : {});
    const fp = parsed.packet === undefined ? undefined : resolve(parsed.packet);
    const errors = parsed.packet === undefined ? parsed.errors : (fp?.errors ?? []);
    if (fp === undefined || errors.length > 0) {
      bad = true;
      for (const e of errors) process.stderr.write(`--flow '${text}': ${e}\n`);
      continue;
    }
    const r0 = evaluateFlow(fp.path, fp.packet);
    const r = fp.notes.length === 0 ? r0 : { ...r0, notes: [...fp.notes, ...r0.notes] };
    if (o.expect !== undefined && r.outcome !== o.expect) unmet++;
    if (o.json) process.stdout.write(`${JSON.stringify(flowToJson(r))}\n`);
    else {
      if (!first) process.stdout.write(`\n${style.dim('─'.repeat(60))}\n\n`);
      process.stdout.write(`${renderFlow(text, r, { style, verbose: o.all === true })}\n`);
      first = false;
    }
  }
  if (bad) return EXIT.badInput;
  return unmet > 0 ? EXIT.expectationFailed : EXIT.ok;
}

export function runFlowTrace(args: readonly string[], o: FlowCliOptions): number {
  const loaded = loadPath(args, (names) => loadRulesets(names, o.dialect === undefined ? {} : { dialect: o.dialect }));
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, o.color === false ? { color: false } : {});
  if (loaded.path.layers.length === 0) {
    process.stderr.write('fwdoctor trace: give a snapshot directory (fwdoctor collect) or ruleset files\n');
    return EXIT.badInput;
  }
  return traceFlows(o, counts.errors > 0, (packet) => ({ path: loaded.path, packet, notes: [], errors: [] }));
}
