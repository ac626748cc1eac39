/** `fwdoctor diff OLD NEW`: the traffic whose verdict changes; exit 0 when equivalent, 1 when not. */
import { type Command, Option } from 'commander';
import { diffRulesets } from '../analysis/diff/index.js';
import { formatRef, refToJson } from '../analysis/simulate/index.js';
import { formatPacket, packetToJson } from '../model/packet-input.js';
import { HOOKS, type Hook } from '../model/ruleset.js';
import { EXIT } from './exit-codes.js';
import { dialectIds, loadRulesets } from './load-ruleset.js';
import { reportDiagnostics } from './render-diagnostics.js';

interface DiffOptions {
  slice?: string;
  hook?: Hook[];
  json?: boolean;
  dialect?: string;
  color?: boolean;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .summary('the traffic whose verdict changes between two rulesets')
    .description('Compare two rulesets (any dialects) over all packets: the traffic now accepted and now blocked, as a compact\n'
      + 'table with a witness packet per row and the rule that decides it on each side. Test a change before production.')
    .argument('<old>', 'the ruleset in production')
    .argument('<new>', 'the candidate ruleset')
    .option('--slice <slice>', "compare only this slice (query words; default: first packets of flows, TCP SYN), e.g. 'state established'")
    .addOption(new Option('--hook <hook>', 'hook to compare, repeatable (default: every hook either ruleset filters)').choices([...HOOKS]).argParser((v: string, prev: Hook[] = []) => [...prev, v as Hook]))
    .option('--json', 'JSON output')
    .option('--dialect <id>', `input format instead of auto-detection (${dialectIds().join(', ')})`)
    .option('--no-color', 'no colours')
    .addHelpText('after', `
Exit codes:
  0  the rulesets are equivalent (on the slice compared)
  1  some traffic changes verdict
  2  bad input`)
    .action((before: string, after: string, o: DiffOptions) => {
      process.exitCode = runDiff(before, after, o);
    });
}

function runDiff(before: string, after: string, o: DiffOptions): number {
  const opts = o.dialect === undefined ? {} : { dialect: o.dialect };
  const a = loadRulesets([before], opts);
  const b = loadRulesets([after], opts);
  const color = o.color === false ? { color: false } : {};
  const errors = reportDiagnostics(a.diagnostics, a.files, color).errors + reportDiagnostics(b.diagnostics, b.files, color).errors;
  if (errors > 0) return EXIT.badInput;
  const r = diffRulesets(a.ruleset, b.ruleset, { ...(o.slice !== undefined ? { slice: o.slice } : {}), ...(o.hook !== undefined ? { hooks: o.hook } : {}) });
  if (r.errors.length > 0) {
    for (const e of r.errors) process.stderr.write(`fwdoctor diff: ${e}\n`);
    return EXIT.badInput;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({
      equivalent: r.equivalent, complete: r.complete,
      changes: r.rows.map((x) => ({
        hook: x.hook, change: x.change, match: x.text, witness: packetToJson(x.witness),
        old: { verdict: x.old.verdict, decidedBy: refToJson(x.old.decidedBy) }, new: { verdict: x.new.verdict, decidedBy: refToJson(x.new.decidedBy) },
      })),
      notes: r.notes,
    }, null, 2)}\n`);
  } else if (r.equivalent) {
    process.stdout.write(`equivalent: no packet changes verdict between ${before} and ${after}\n`);
  } else {
    for (const x of r.rows) {
      process.stdout.write(`${x.change === 'now-accepted' ? '+ now accepted' : '- now blocked '}  [${x.hook}] ${x.text}\n`);
      process.stdout.write(`      e.g. ${formatPacket(x.witness)}\n`);
      process.stdout.write(`      old: ${x.old.verdict} by ${formatRef(x.old.decidedBy)}   new: ${x.new.verdict} by ${formatRef(x.new.decidedBy)}\n`);
    }
    if (!r.complete) process.stdout.write('  … more rows: narrow with --slice\n');
  }
  return r.equivalent ? EXIT.ok : EXIT.expectationFailed;
}
