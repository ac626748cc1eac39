/** `fwdoctor diagnose SNAPSHOT --to ADDR:PORT`: the ranked causes of a broken flow, with evidence and commands. */
import { type Command, Option } from 'commander';
import { diagnoseTarget } from '../analysis/diagnose/target.js';
import { SYMPTOMS, type Diagnosis, type Symptom } from '../analysis/diagnose/types.js';
import { flowToJson } from '../analysis/flow/to-json.js';
import { loadPath } from '../host/load-path.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { loadRulesets } from './load-ruleset.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { type Style, pickStyle } from './style.js';

interface DiagnoseOptions {
  to: string;
  from?: string;
  proto?: string;
  symptom?: Symptom;
  in?: string;
  json?: boolean;
  color?: boolean;
}

function render(d: Diagnosis, flowText: string, s: Style): string {
  const out: string[] = [];
  out.push(`${s.bold('flow   ')} ${flowText}`);
  out.push(`${s.bold('outcome')} ${d.flow.outcome === 'open' ? s.green(s.bold('OPEN')) : s.red(s.bold(d.flow.outcome.toUpperCase()))}  ${d.flow.reason}`);
  out.push('');
  if (d.causes.length === 0) out.push('No cause found in the snapshot.');
  d.causes.forEach((c, i) => {
    out.push(`${s.bold(`${i + 1}. ${c.title}`)} ${s.dim(c.code)}`);
    out.push(`   ${c.explanation}`);
    for (const e of c.evidence) {
      out.push(s.dim(`   evidence: ${e.what}${e.file !== undefined ? ` at ${e.file}:${e.line ?? ''}` : ''}`));
      if (e.text !== undefined) out.push(s.dim(`             ${e.text}`));
    }
    for (const cmd of c.confirm) out.push(`   confirm:  ${s.cyan(cmd)}`);
    for (const cmd of c.fix) out.push(`   fix:      ${s.cyan(cmd)}`);
    out.push('');
  });
  for (const n of d.notes) out.push(s.dim(`note: ${n}`));
  return out.join('\n').trimEnd();
}

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .summary('rank the causes of a connection that fails, with evidence and the commands to confirm them')
    .description('Simulate a connection to a service through host snapshots (fwdoctor collect) and rank the causes that break it:\n'
      + 'explicit DROP/REJECT, default policy, DROP above ALLOW, missing ESTABLISHED,RELATED, conntrack full,\n'
      + 'DNAT without FORWARD accept / ip_forward / masquerade, service bound to loopback, nothing listening, TCP wrappers, ICMP blocked.')
    .argument('<snapshot...>', 'host snapshot directories (client side first) or ruleset files')
    .requiredOption('--to <addr:port>', 'the service: 198.19.0.2:8080, [fd00:f00d::2]:22')
    .option('--from <addr>', 'the client address (default: an outside address)')
    .addOption(new Option('--proto <proto>', 'protocol').choices(['tcp', 'udp', 'icmp', 'icmpv6']).default('tcp'))
    .addOption(new Option('--symptom <symptom>', 'what the user sees').choices([...SYMPTOMS]))
    .option('-i, --in <iface>', 'interface the client connects through on the first host')
    .option('--json', 'machine-readable result')
    .option('--no-color', 'no colours')
    .addHelpText('after', `
Examples:
  fwdoctor diagnose ./snapshot --to 198.19.0.2:8080 --from 198.18.0.5 --symptom refused
  fwdoctor diagnose examples/port-forward-missing-forward --to 198.18.0.1:8080 --symptom nat
${EXIT_CODES_HELP}`)
    .action((args: string[], o: DiagnoseOptions) => {
      process.exitCode = runDiagnose(args, o);
    });
}

function runDiagnose(args: string[], o: DiagnoseOptions): number {
  const loaded = loadPath(args, (names) => loadRulesets(names));
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, o.color === false ? { color: false } : {});
  if (loaded.path.layers.length === 0) {
    process.stderr.write('fwdoctor diagnose: give a snapshot directory (fwdoctor collect) or ruleset files\n');
    return EXIT.badInput;
  }
  const r = diagnoseTarget(loaded.path, {
    to: o.to, ...(o.from !== undefined ? { from: o.from } : {}), ...(o.proto !== undefined ? { proto: o.proto } : {}),
    ...(o.in !== undefined ? { iif: o.in } : {}), ...(o.symptom !== undefined ? { symptom: o.symptom } : {}),
  });
  if ('errors' in r) {
    for (const e of r.errors) process.stderr.write(`fwdoctor diagnose: ${e}\n`);
    return EXIT.badInput;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ flow: flowToJson(r.diagnosis.flow), causes: r.diagnosis.causes, notes: r.diagnosis.notes })}\n`);
  } else {
    process.stdout.write(`${render(r.diagnosis, r.flowText, pickStyle(process.stdout, o.color === false ? false : undefined))}\n`);
  }
  return counts.errors > 0 ? EXIT.badInput : EXIT.ok;
}
