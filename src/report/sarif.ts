/**
 * Lint findings as SARIF 2.1.0, the shape code-scanning tools read (as Checkov and Trivy emit it):
 * one run, the driver's rule catalogue (every finding code), one result per finding with ruleId,
 * ruleIndex, level, message, a physical location (file + region) and related locations.
 */
import { FINDING_CODES, type Finding, type FindingLocation } from '../analysis/lint/finding.js';
import { packetToJson } from '../model/packet-input.js';
import { VERSION } from '../version.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

function ruleName(code: string): string {
  return code.replace(/^lint\//, '').split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function physical(l: FindingLocation): Record<string, unknown> {
  return {
    physicalLocation: {
      artifactLocation: { uri: l.file === '-' ? 'stdin' : l.file },
      region: { startLine: Math.max(1, l.line), startColumn: Math.max(1, l.column) },
    },
  };
}

export function toSarif(findings: readonly Finding[]): Record<string, unknown> {
  const codes = Object.keys(FINDING_CODES) as (keyof typeof FINDING_CODES)[];
  const rules = codes.map((code) => ({
    id: code,
    name: ruleName(code),
    shortDescription: { text: FINDING_CODES[code].summary },
    helpUri: `https://github.com/fwdoctor/fwdoctor/blob/main/docs/lint.md#${code.replace('lint/', '')}`,
    defaultConfiguration: { level: LEVEL[FINDING_CODES[code].severity] },
  }));
  const results = findings.map((f) => {
    const index = codes.indexOf(f.code as keyof typeof FINDING_CODES);
    return {
      ruleId: f.code,
      ...(index >= 0 ? { ruleIndex: index } : {}),
      level: LEVEL[f.severity],
      message: { text: `${f.message}. ${f.explanation}${f.suggestion !== undefined ? ` Fix: ${f.suggestion}` : ''}` },
      locations: f.location !== undefined ? [physical(f.location)] : [],
      ...(f.related.length > 0 ? {
        relatedLocations: f.related.filter((r) => r.location !== undefined).map((r, id) => ({
          id, ...physical(r.location as FindingLocation), message: { text: r.message },
        })),
      } : {}),
      properties: {
        ...(f.rule !== undefined ? { rule: f.rule } : {}),
        ...(f.witness !== undefined ? { witness: packetToJson(f.witness) } : {}),
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'fwdoctor', version: VERSION, informationUri: 'https://github.com/fwdoctor/fwdoctor', rules } },
      results,
    }],
  };
}
