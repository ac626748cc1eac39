/** `fwdoctor lint SCENARIO | CLOUD_EXPORTS…`: cloud findings (security groups, NACLs, NSGs, GCP firewall). */
import { lintCloud, severityRank } from '../analysis/lint/index.js';
import { findingToJson, formatFindingsText } from '../analysis/lint/format.js';
import { lintInputOf } from '../dialects/scenario/index.js';
import { toSarif } from '../report/sarif.js';
import { EXIT } from './exit-codes.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { pickStyle } from './style.js';
import { loadCloudInput } from './trace-scenario.js';

export function runCloudLint(args: readonly string[], o: { format: 'text' | 'json' | 'sarif'; failOn?: 'warning' | 'error' | 'info'; disable?: string[]; color?: boolean }): number {
  const sc = loadCloudInput(args);
  const counts = reportDiagnostics(sc.diagnostics, sc.files, o.color === false ? { color: false } : {});
  const findings = lintCloud(lintInputOf(sc.models), { disable: o.disable ?? [] });
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ findings: findings.map(findingToJson), notes: [] }, null, 2)}\n`);
  else if (o.format === 'sarif') process.stdout.write(`${JSON.stringify(toSarif(findings), null, 2)}\n`);
  else process.stdout.write(`${formatFindingsText(findings, pickStyle(process.stdout, o.color === false ? false : undefined))}\n`);
  if (counts.errors > 0) return EXIT.badInput;
  if (o.failOn !== undefined && findings.some((f) => severityRank(f.severity) <= severityRank(o.failOn as 'error'))) return EXIT.expectationFailed;
  return EXIT.ok;
}
