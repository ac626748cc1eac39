/** `fwdoctor query`: what a ruleset accepts (or blocks) in a slice, or fffuu's service matrix. */
import { type Command, Option } from 'commander';
import { formatServiceMatrix, parseIpassmt, queryRuleset, serviceMatrix, serviceMatrixToJson, type Ipassmt } from '../analysis/query/index.js';
import { sourceFile } from '../diagnostics/source.js';
import { readInput } from './read-input.js';
import { packetToJson, formatPacket } from '../model/packet-input.js';
import { HOOKS, type Hook } from '../model/ruleset.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { dialectIds, loadRulesets } from './load-ruleset.js';
import { reportDiagnostics } from './render-diagnostics.js';

interface QueryOptions {
  accepted?: string;
  dropped?: string;
  from?: string;
  to?: string;
  serviceMatrix?: boolean;
  dport?: string[];
  sport?: string;
  in?: string;
  hook?: Hook;
  may?: boolean;
  ipassmt?: string;
  state?: 'new' | 'established';
  json?: boolean;
  dialect?: string;
  color?: boolean;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .summary('which packets a ruleset accepts or blocks, as a compact table; service matrices')
    .description('Reason over all packets of a slice at once: the packets the ruleset accepts (--accepted) or blocks (--dropped),\n'
      + 'as rows of protocols, addresses and ports with one witness packet each; or, with --service-matrix, the classes\n'
      + 'of IPv4 addresses treated alike for a TCP service and which class may reach which (as fffuu computes it).')
    .argument('<ruleset...>', 'ruleset file(s), `-` for standard input, .gz accepted')
    .option('--accepted [slice]', "packets accepted, e.g. 'tcp dport 22' (words: tcp|udp|icmp|…, ipv4|ipv6, from/to CIDR, sport/dport N[-M], type/code N, in/out IFACE, state S, flags LETTERS)")
    .option('--dropped [slice]', 'packets dropped or rejected (on some branch of rules fwdoctor cannot evaluate)')
    .option('--from <cidr>', 'only packets from these sources')
    .option('--to <cidr>', 'only packets to these destinations')
    .option('--service-matrix', 'address classes and reachability for TCP services (see --dport)')
    .option('--dport <port>', 'service port for --service-matrix, repeatable (default 22 and 80)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--sport <port>', 'client port for --service-matrix (default 10000, as fffuu)')
    .option('-i, --in <iface>', 'input interface for --service-matrix (default: lo carries 127.0.0.0/8, other sources any other interface)')
    .option('--may', 'service matrix: accepted on some branch of undecided rules (fffuu\'s upper closure) instead of on every branch')
    .option('--ipassmt <file>', 'service matrix: fffuu\'s interface → IPv4 range assignment (`eth0 = [10.0.0.0/8]`, `eth1 = all_but_those_ips [...]`);\n'
      + 'input interfaces become the source ranges they carry, other interface tests are abstracted; implies --may')
    .addOption(new Option('--state <state>', 'service matrix: connection state of the packets').choices(['new', 'established']).default('new'))
    .addOption(new Option('--hook <hook>', 'netfilter hook').choices([...HOOKS]).default('input'))
    .option('--json', 'JSON output (service matrix format: docs/cli.md)')
    .option('--dialect <id>', `input format instead of auto-detection (${dialectIds().join(', ')})`)
    .option('--no-color', 'no colours')
    .addHelpText('after', `
Examples:
  fwdoctor query rules.v4 --accepted 'tcp dport 22'
  fwdoctor query rules.v4 --dropped 'udp' --from 10.0.0.0/8
  fwdoctor query rules.v4 --service-matrix --dport 22 --dport 80 --json
  fwdoctor query rules.v4 --service-matrix --hook forward --ipassmt ipassmt.txt
${EXIT_CODES_HELP}`)
    .action((rulesets: string[], o: QueryOptions) => {
      process.exitCode = runQuery(rulesets, o);
    });
}

function runQuery(rulesets: string[], o: QueryOptions): number {
  const loaded = loadRulesets(rulesets, o.dialect === undefined ? {} : { dialect: o.dialect });
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, o.color === false ? { color: false } : {});
  if (loaded.ruleset.tables.length === 0) {
    process.stderr.write('fwdoctor query: no rules could be read from the input\n');
    return EXIT.badInput;
  }
  const hook = o.hook ?? 'input';
  if (o.serviceMatrix === true) {
    const ports = (o.dport ?? ['22', '80']).map(Number);
    if (ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
      process.stderr.write(`fwdoctor query: --dport: expected ports in 0-65535, got ${(o.dport ?? []).join(', ')}\n`);
      return EXIT.badInput;
    }
    const sport = o.sport === undefined ? 10000 : Number(o.sport);
    let ipassmt: Ipassmt | undefined;
    if (o.ipassmt !== undefined) {
      const file = sourceFile(o.ipassmt, readInput(o.ipassmt));
      const parsed = parseIpassmt(file);
      const c = reportDiagnostics(parsed.diagnostics, new Map([[o.ipassmt, file]]), o.color === false ? { color: false } : {});
      if (c.errors > 0) return EXIT.badInput;
      ipassmt = parsed.value;
    }
    const out: Record<string, unknown>[] = [];
    for (const dport of ports) {
      const m = serviceMatrix(loaded.ruleset, {
        dport, sport, hook, state: o.state ?? 'new', may: o.may === true || ipassmt !== undefined,
        ...(o.in !== undefined ? { iif: o.in } : {}), ...(ipassmt !== undefined ? { ipassmt } : {}),
      });
      if (o.json) out.push({ dport, sport, ...serviceMatrixToJson(m) });
      else process.stdout.write(`${formatServiceMatrix(m, `TCP port ${sport} -> ${dport} (${hook})`)}\n\n`);
    }
    if (o.json) process.stdout.write(`${JSON.stringify(ports.length === 1 ? out[0] : out, null, 2)}\n`);
    return counts.errors > 0 ? EXIT.badInput : EXIT.ok;
  }
  const mode = o.dropped !== undefined ? 'dropped' : 'accepted';
  const given = mode === 'dropped' ? o.dropped : o.accepted;
  const text = [typeof given === 'string' ? given : '', o.from !== undefined ? `from ${o.from}` : '', o.to !== undefined ? `to ${o.to}` : ''].join(' ').trim();
  const r = queryRuleset(loaded.ruleset, { mode, slice: text, hook });
  if (r.errors.length > 0) {
    for (const e of r.errors) process.stderr.write(`fwdoctor query: ${e}\n`);
    return EXIT.badInput;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ mode, slice: text, hook, empty: r.empty, complete: r.complete, rows: r.rows.map((x) => ({ match: x.text, witness: packetToJson(x.witness) })), notes: r.notes }, null, 2)}\n`);
  } else {
    process.stdout.write(`${mode} (${hook}${text !== '' ? `, ${text}` : ''}):\n`);
    if (r.empty) process.stdout.write('  nothing\n');
    for (const x of r.rows) process.stdout.write(`  ${x.text}\n      e.g. ${formatPacket(x.witness)}\n`);
    if (!r.complete) process.stdout.write('  … more rows: narrow the slice\n');
    for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
  }
  return counts.errors > 0 ? EXIT.badInput : EXIT.ok;
}
