/**
 * `lint`: findings about a ruleset, from the header-space engine. Each check lives in rules/;
 * this file runs them in a fixed order and drops disabled codes.
 */
import type { Ruleset } from '../../model/ruleset.js';
import { LintContext } from './context.js';
import { type Finding, sortFindings } from './finding.js';
import { checkHardening } from './rules/hardening.js';
import { checkOverlap } from './rules/overlap.js';
import { checkReachability } from './rules/reachability.js';
import { checkDocumentation, checkStructure } from './rules/structure.js';

export { FINDING_CODES, type Finding, type FindingCode, type FindingRule, type FindingLocation, sortFindings, severityRank } from './finding.js';
export { LintContext } from './context.js';
export { lintCloud, CLOUD_FINDING_CODES, type CloudLintInput, type CloudLintLayer, type CloudLintPath } from './cloud/index.js';

export interface LintOptions {
  /** Codes to leave out (`lint/undocumented-rule`, or the short form `undocumented-rule`). */
  readonly disable?: readonly string[];
}

export interface LintResult {
  readonly findings: readonly Finding[];
  /** Approximations the engine made (mark rewrites, ambiguous chain order). */
  readonly notes: readonly string[];
}

const CHECKS = [checkStructure, checkReachability, checkOverlap, checkHardening, checkDocumentation] as const;

export function lintRuleset(rs: Ruleset, opts: LintOptions = {}): LintResult {
  const off = new Set((opts.disable ?? []).map((c) => (c.startsWith('lint/') ? c : `lint/${c}`)));
  const ctx = new LintContext(rs);
  const findings: Finding[] = [];
  for (const check of CHECKS) for (const f of check(ctx)) if (!off.has(f.code)) findings.push(f);
  return { findings: sortFindings(findings), notes: [...new Set(ctx.sym.notes)] };
}
