/** `fwdoctor lint`: findings about a ruleset (anomalies and hardening), as text, JSON or SARIF. */
import { type Command, Option } from 'commander';
import { lintRuleset, severityRank } from '../analysis/lint/index.js';
import { findingToJson, formatFindingsText } from '../analysis/lint/format.js';
import { toSarif } from '../report/sarif.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { dialectIds, loadRulesets } from './load-ruleset.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { pickStyle } from './style.js';
import { runCloudLint } from './lint-cloud.js';
import { isCloudInput } from './trace-scenario.js';

interface LintOptions {
  format: 'text' | 'json' | 'sarif';
  failOn?: 'warning' | 'error' | 'info';
  disable?: string[];
  dialect?: string;
  color?: boolean;
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .summary('find shadowed, redundant and conflicting rules, and hardening gaps')
    .description('Reason over all packets at once: rules that can never match or are shadowed (with the rules that cover them),\n'
      + 'redundant and conflicting rules, unused chains, jump loops, and the field guide\'s hardening checklist.\n'
      + 'Every finding has a stable code, a location, an explanation, a witness packet and a suggested fix.')
    .argument('<ruleset...>', 'ruleset file(s): iptables-save / ip6tables-save / nft output, `-` for standard input, .gz accepted')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or worse is reported (for CI)').choices(['error', 'warning', 'info']))
    .option('--disable <code>', 'leave out a finding code, repeatable (lint/undocumented-rule or undocumented-rule)', (v: string, prev: string[] = []) => [...prev, ...v.split(',')])
    .option('--dialect <id>', `input format instead of auto-detection (${dialectIds().join(', ')})`)
    .option('--no-color', 'no colours (also when NO_COLOR is set)')
    .addHelpText('after', `
Examples:
  fwdoctor lint rules.v4 rules.v6
  fwdoctor lint rules.v4 --format sarif > fwdoctor.sarif
  fwdoctor lint rules.v4 --fail-on warning --disable undocumented-rule
Finding codes: docs/lint.md
${EXIT_CODES_HELP.replace('an --expect did not hold', 'a finding at or above --fail-on was reported')}`)
    .action((rulesets: string[], o: LintOptions) => {
      process.exitCode = runLint(rulesets, o);
    });
}

function runLint(rulesets: string[], o: LintOptions): number {
  if (isCloudInput(rulesets)) return runCloudLint(rulesets, o);
  const loaded = loadRulesets(rulesets, o.dialect === undefined ? {} : { dialect: o.dialect });
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, o.color === false ? { color: false } : {});
  if (loaded.ruleset.tables.length === 0) {
    process.stderr.write('fwdoctor lint: no rules could be read from the input, nothing to lint\n');
    return EXIT.badInput;
  }
  const result = lintRuleset(loaded.ruleset, { disable: o.disable ?? [] });
  if (o.format === 'json') {
    process.stdout.write(`${JSON.stringify({ findings: result.findings.map(findingToJson), notes: result.notes }, null, 2)}\n`);
  } else if (o.format === 'sarif') {
    process.stdout.write(`${JSON.stringify(toSarif(result.findings), null, 2)}\n`);
  } else {
    const style = pickStyle(process.stdout, o.color === false ? false : undefined);
    process.stdout.write(`${formatFindingsText(result.findings, style)}\n`);
    for (const n of result.notes) process.stdout.write(`${style.dim(`note: ${n}`)}\n`);
  }
  if (counts.errors > 0) return EXIT.badInput;
  if (o.failOn !== undefined) {
    const limit = severityRank(o.failOn);
    if (result.findings.some((f) => severityRank(f.severity) <= limit)) return EXIT.expectationFailed;
  }
  return EXIT.ok;
}
