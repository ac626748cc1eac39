/** `fwdoctor trace SNAPSHOT… --flow '…'`: a forward packet and its answer through every layer. */
import { evaluateFlow } from '../analysis/flow/flow.js';
import { flowToJson } from '../analysis/flow/to-json.js';
import { loadPath } from '../host/load-path.js';
import { packetFromText } from '../model/packet-input.js';
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

export function runFlowTrace(args: readonly string[], o: FlowCliOptions): number {
  const loaded = loadPath(args, (names) => loadRulesets(names, o.dialect === undefined ? {} : { dialect: o.dialect }));
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, o.color === false ? { color: false } : {});
  if (loaded.path.layers.length === 0) {
    process.stderr.write('fwdoctor trace: give a snapshot directory (fwdoctor collect) or ruleset files\n');
    return EXIT.badInput;
  }
  const style = pickStyle(process.stdout, o.color === false ? false : undefined);
  let bad = counts.errors > 0;
  let unmet = 0;
  let first = true;
  for (const text of o.flow) {
    const parsed = packetFromText(text, o.in !== undefined ? { iif: o.in } : {});
    if (parsed.packet === undefined) {
      bad = true;
      for (const e of parsed.errors) process.stderr.write(`--flow '${text}': ${e}\n`);
      continue;
    }
    const r = evaluateFlow(loaded.path, parsed.packet);
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
