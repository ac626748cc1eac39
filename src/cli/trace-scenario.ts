/**
 * `fwdoctor trace SCENARIO --flow '…'` and `fwdoctor trace CLOUD_EXPORTS… [SNAPSHOT…] --flow '…'`:
 * the flow through cloud layers (security groups, NACLs, NSGs, GCP firewall) and hosts.
 */
import { readFileSync, statSync } from 'node:fs';
import { evaluateFlow } from '../analysis/flow/flow.js';
import { flowToJson } from '../analysis/flow/to-json.js';
import { type CloudScenario, type HostLoader, loadScenarioFile, looksLikeCloudExports, looksLikeScenario, scenarioFromArgs } from '../dialects/scenario/index.js';
import { loadSnapshot } from '../host/snapshot.js';
import { hostLayer } from '../model/path.js';
import { packetFromText } from '../model/packet-input.js';
import { renderFlow } from '../report/flow-text.js';
import { EXIT } from './exit-codes.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { pickStyle } from './style.js';
import type { FlowCliOptions } from './trace-flow.js';

function isScenarioFile(a: string): boolean {
  try {
    return statSync(a).isFile() && /\.(ya?ml|json)$/i.test(a) && looksLikeScenario(readFileSync(a, 'utf8'));
  } catch {
    return false;
  }
}

/** A scenario file, or at least one directory of cloud exports. */
export function isCloudInput(args: readonly string[]): boolean {
  return (args.length === 1 && isScenarioFile(args[0] as string)) || args.some(looksLikeCloudExports);
}

export const loadHostSnapshot: HostLoader = (dir) => {
  const s = loadSnapshot(dir);
  return { layer: hostLayer(s.host.name, s.host), diagnostics: s.diagnostics, files: s.files };
};

export function loadCloudInput(args: readonly string[]): CloudScenario {
  const first = args[0] as string;
  return args.length === 1 && isScenarioFile(first)
    ? loadScenarioFile(first, readFileSync(first, 'utf8'), loadHostSnapshot)
    : scenarioFromArgs(args, looksLikeCloudExports, loadHostSnapshot);
}

export function runScenarioFlow(args: readonly string[], o: FlowCliOptions): number {
  const sc = loadCloudInput(args);
  const counts = reportDiagnostics(sc.diagnostics, sc.files, o.color === false ? { color: false } : {});
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
    const fp = sc.pathFor(parsed.packet);
    if (fp.errors.length > 0) {
      bad = true;
      for (const e of fp.errors) process.stderr.write(`--flow '${text}': ${e}\n`);
      continue;
    }
    const r0 = evaluateFlow(fp.path, fp.packet);
    const r = { ...r0, notes: [...fp.notes, ...r0.notes] };
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
