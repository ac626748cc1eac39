/** Findings as text (one block per finding, grouped by file) and as the JSON contract of DESIGN.md. */
import { formatPacket, packetToJson } from '../../model/packet-input.js';
import type { Finding } from './finding.js';

export interface TextStyle {
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const PLAIN: TextStyle = { red: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s };

function where(f: Finding): string {
  const l = f.location;
  return l === undefined ? '(ruleset)' : `${l.file}:${l.line}:${l.column}`;
}

export function formatFindingsText(findings: readonly Finding[], style: TextStyle = PLAIN): string {
  const lines: string[] = [];
  for (const f of findings) {
    const sev = f.severity === 'error' ? style.red('error') : f.severity === 'warning' ? style.yellow('warning') : style.dim('info');
    lines.push(`${where(f)} ${sev} ${style.bold(f.code)}  ${f.message}`);
    if (f.rule?.text !== undefined) lines.push(`    ${style.dim('rule:')} ${f.rule.text}`);
    for (const r of f.related.slice(0, 5)) {
      lines.push(`    ${style.dim('related:')} ${r.location !== undefined ? `${r.location.file}:${r.location.line} ` : ''}${r.rule.text ?? `${r.rule.table}/${r.rule.chain}`}  ${style.dim(`(${r.message})`)}`);
    }
    if (f.witness !== undefined) lines.push(`    ${style.dim('witness:')} ${formatPacket(f.witness)}${f.witness.ctstate !== undefined ? ` state ${f.witness.ctstate}` : ''}`);
    lines.push(`    ${style.dim('why:')} ${f.explanation}`);
    if (f.suggestion !== undefined) lines.push(`    ${style.dim('fix:')} ${f.suggestion}`);
  }
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  lines.push(`${findings.length} finding${findings.length === 1 ? '' : 's'}: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`);
  return lines.join('\n');
}

export function findingToJson(f: Finding): Record<string, unknown> {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    explanation: f.explanation,
    ...(f.location !== undefined ? { location: f.location } : {}),
    ...(f.rule !== undefined ? { rule: f.rule } : {}),
    related: f.related,
    ...(f.witness !== undefined ? { witness: packetToJson(f.witness) } : {}),
    ...(f.suggestion !== undefined ? { suggestion: f.suggestion } : {}),
  };
}
