/**
 * `fwdoctor trace SCENARIO --flow '…'` and `fwdoctor trace CLOUD_EXPORTS… [SNAPSHOT…] --flow '…'`:
 * the flow through cloud layers (security groups, NACLs, NSGs, GCP firewall) and hosts.
 */
import { readFileSync, statSync } from 'node:fs';
import { type CloudScenario, type HostLoader, loadScenarioFile, looksLikeCloudExports, looksLikeScenario, scenarioFromArgs } from '../dialects/scenario/index.js';
import { loadSnapshot } from '../host/snapshot.js';
import { hostLayer } from '../model/path.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { type FlowCliOptions, traceFlows } from './trace-flow.js';

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
  return traceFlows(o, counts.errors > 0, (packet) => sc.pathFor(packet));
}
