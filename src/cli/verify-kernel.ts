/**
 * `fwdoctor verify-kernel`: the Linux kernel as referee for a user's own ruleset. The ruleset is
 * loaded into a throwaway network namespace (never into this host's tables), packets derived from
 * its rules are sent through it, and the kernel's verdict, deciding rule and matched rules are
 * compared with fwdoctor's for every packet. `--replay` re-runs recorded cases (JSON Lines).
 */
import type { Command } from 'commander';
import { toJson } from '../analysis/simulate/index.js';
import { formatAnyRef } from '../kernel/model.js';
import { formatDifferences } from '../kernel/compare.js';
import type { KernelOutcome } from '../kernel/observe.js';
import { type PacketComparison, type VerifyFailure, type VerifyReport, replayRecords, verifyRuleset } from '../kernel/verify.js';
import { formatPacket, packetToJson } from '../model/packet-input.js';
import { renderTrace } from '../report/trace-text.js';
import { EXIT } from './exit-codes.js';
import { InputError, readInput } from './read-input.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { type Style, pickStyle } from './style.js';

interface VerifyKernelOptions {
  packets: string;
  seed: string;
  json?: boolean;
  replay?: string;
  show: string;
  color?: boolean;
}

const HELP_AFTER = `
The ruleset is loaded with iptables-restore / ip6tables-restore or nft -f into a network namespace created
for this run (fwdk-<pid>-…) and removed afterwards, also on Ctrl-C; the host's own firewall is only
read, never changed. Test packets use source addresses from 198.18.0.0/16 (fd00:f00d:18::/48) and
destinations in 198.19.0.0/16 (fd00:f00d:19::/48), and never leave the namespaces. Needs root,
network namespaces, iproute2, iptables (nf_tables back-end), nftables, conntrack and python3.

Examples:
  sudo fwdoctor verify-kernel rules.v4
  sudo fwdoctor verify-kernel rules.v6.gz --packets 5000 --seed 7 --json
  sudo fwdoctor verify-kernel --replay case.jsonl

Exit codes:
  0  fwdoctor and the kernel agree on every packet
  1  they disagree on at least one packet (each disagreement is printed with both traces)
  2  bad input: unreadable file, a ruleset fwdoctor cannot read completely, or one the kernel refuses
  3  the environment cannot do it: not root, no network namespaces, or a tool missing
     (the message says which and what to install)`;

function int(name: string, v: string, min: number): number | string {
  const n = Number(v);
  return Number.isInteger(n) && n >= min ? n : `--${name}: expected an integer ≥ ${min}, got '${v}'`;
}

export function registerVerifyKernel(program: Command): void {
  program
    .command('verify-kernel')
    .summary('check fwdoctor against the Linux kernel on your own ruleset (root, throwaway namespace)')
    .description('Load a ruleset into a throwaway network namespace, send packets that exercise its rules, and check\n'
      + 'that the kernel and fwdoctor agree on the verdict, the deciding rule and every matched rule.')
    .argument('[ruleset]', 'iptables-save or ip6tables-save output, or an nftables ruleset (nft list ruleset text or nft -j JSON); `-` for standard input, .gz accepted')
    .option('-n, --packets <n>', 'packets to send', '2000')
    .option('--seed <s>', 'seed for the generated packets (same seed, same packets)', '1')
    .option('--json', 'one JSON object with the counts, timings and every disagreement')
    .option('--replay <file>', 'replay recorded cases (JSON Lines, as the harness records them) instead of a ruleset')
    .option('--show <n>', 'disagreements to print in full', '10')
    .option('--no-color', 'no colours (also when NO_COLOR is set)')
    .addHelpText('after', HELP_AFTER)
    .action(async (ruleset: string | undefined, o: VerifyKernelOptions) => {
      process.exitCode = await runVerifyKernel(ruleset, o);
    });
}

/** Environment problems (not root, no namespaces, a tool missing) exit 3; input problems exit 2. */
export function exitCodeFor(f: VerifyFailure): number {
  return f.kind === 'environment' ? EXIT.environment : EXIT.badInput;
}

function fail(f: VerifyFailure, style: Style, color: boolean | undefined): number {
  if (f.kind === 'input' && f.diagnostics && f.files) reportDiagnostics(f.diagnostics, f.files, color === false ? { color: false } : {});
  process.stderr.write(`${style.red('fwdoctor verify-kernel:')} ${f.message}\n`);
  return exitCodeFor(f);
}

export async function runVerifyKernel(ruleset: string | undefined, o: VerifyKernelOptions): Promise<number> {
  const style = pickStyle(process.stdout, o.color === false ? false : undefined);
  const packets = int('packets', o.packets, 1);
  const seed = int('seed', o.seed, 0);
  const show = int('show', o.show, 0);
  for (const v of [packets, seed, show]) {
    if (typeof v === 'string') {
      process.stderr.write(`fwdoctor verify-kernel: ${v}\n`);
      return EXIT.badInput;
    }
  }
  if ((ruleset === undefined) === (o.replay === undefined)) {
    process.stderr.write('fwdoctor verify-kernel: give a ruleset file, or --replay FILE.jsonl (not both)\n');
    return EXIT.badInput;
  }
  let text: string;
  try {
    text = readInput((o.replay ?? ruleset) as string);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`fwdoctor verify-kernel: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  if (o.replay !== undefined) return replay(text, o, style);
  const progress = o.json ? undefined : (m: string): void => { process.stderr.write(style.dim(`… ${m}\n`)); };
  const r = await verifyRuleset(text, { packets: packets as number, seed: seed as number, fileName: ruleset as string, ...(progress ? { onProgress: progress } : {}) });
  if (!r.ok) return fail(r.failure, style, o.color);
  if (o.json) process.stdout.write(`${JSON.stringify(reportJson(ruleset as string, r.report))}\n`);
  else process.stdout.write(renderReport(ruleset as string, r.report, style, show as number));
  return r.report.disagreements.length > 0 ? EXIT.expectationFailed : EXIT.ok;
}

function kernelJson(k: KernelOutcome): Record<string, unknown> {
  return { verdict: k.verdict, decidedBy: k.decidedBy, matched: k.matched, events: k.events };
}

function comparisonJson(c: PacketComparison): Record<string, unknown> {
  return {
    packet: packetToJson(c.packet),
    differences: c.differences,
    kernel: kernelJson(c.kernel),
    fwdoctor: c.model.trace ? toJson(c.model.trace) : { verdict: c.model.verdict, decidedBy: c.model.decidedBy, matched: c.model.matched },
  };
}

export function reportJson(file: string, r: VerifyReport): Record<string, unknown> {
  return {
    ruleset: file, dialect: r.dialect, rules: r.rules, interfaces: r.interfaces,
    packets: r.packets, compared: r.compared, agreed: r.agreed,
    disagreements: r.disagreements.map(comparisonJson),
    unsent: r.unsent.map((u) => ({ packet: packetToJson(u.packet), reason: u.reason })),
    notes: r.notes, counterProblems: r.counterProblems, exercised: r.exercised, timingsMs: r.timings,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function describeKernel(k: KernelOutcome): string {
  return `${k.verdict.toUpperCase()} by ${formatAnyRef(k.decidedBy)}; matched [${k.matched.map(formatAnyRef).join(', ')}]`;
}

function renderComparison(c: PacketComparison, style: Style): string {
  const lines = [
    style.bold(`packet ${c.index + 1}: ${formatPacket(c.packet)} ttl ${c.packet.ttl} len ${c.packet.length}${c.packet.tos ? ` tos ${c.packet.tos}` : ''}${c.packet.mark ? ` mark ${c.packet.mark}` : ''}`),
    `  ${style.red('differs:')} ${formatDifferences(c.differences)}`,
    `  ${style.cyan('kernel:')}   ${describeKernel(c.kernel)}`,
    ...c.kernel.events.map((e) => style.dim(`    ${e}`)),
    `  ${style.cyan('fwdoctor:')}`,
  ];
  if (c.model.trace) lines.push(...renderTrace(c.packet, c.model.trace, { style, verbose: false }).split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

export function renderReport(file: string, r: VerifyReport, style: Style, show: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const head = r.disagreements.length === 0
    ? style.green(`simulator and kernel agree on ${n(r.agreed)}/${n(r.compared)} packets`)
    : style.red(`simulator and kernel disagree on ${n(r.disagreements.length)} of ${n(r.compared)} packets (agree on ${n(r.agreed)})`);
  const out = [
    `${file}: ${r.dialect}, ${n(r.rules)} rules on the input path; interfaces ${r.interfaces.join(', ')}`,
    head,
    style.dim(`  ${n(r.exercised.decidedByRule)} packets decided by a rule, ${n(r.compared - r.exercised.decidedByRule)} by a chain policy; `
      + `${n(r.exercised.distinctRulesMatched)} distinct rules matched at least once`),
    style.dim(`  setup ${seconds(r.timings.setup)}, load ${seconds(r.timings.load)}, packets through the kernel ${seconds(r.timings.kernel)}, `
      + `simulation ${seconds(r.timings.simulate)}, total ${seconds(r.timings.total)}`),
  ];
  for (const note of r.notes) out.push(style.yellow(`  note: ${note}`));
  if (r.unsent.length > 0) out.push(style.yellow(`  ${n(r.unsent.length)} packet(s) could not be checked, e.g.: ${r.unsent[0]?.reason ?? ''}`));
  if (r.counterProblems.length > 0) out.push(style.yellow(`  rule counters and traces differ (harness problem): ${r.counterProblems.slice(0, 3).join('; ')}`));
  for (const c of r.disagreements.slice(0, show)) out.push('', renderComparison(c, style));
  if (r.disagreements.length > show) out.push('', `… and ${n(r.disagreements.length - show)} more (--show N, or --json for all)`);
  return `${out.join('\n')}\n`;
}

async function replay(text: string, o: VerifyKernelOptions, style: Style): Promise<number> {
  const r = await replayRecords(text);
  if (!r.ok) return fail(r.failure, style, o.color);
  let bad = 0;
  for (const c of r.cases) {
    const fw = c.comparison && c.comparison.differences.length > 0 ? formatDifferences(c.comparison.differences) : undefined;
    const ok = c.problem === undefined && c.kernelChanged.length === 0 && fw === undefined;
    if (!ok) bad++;
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ id: c.id, ok, kernelChanged: c.kernelChanged, problem: c.problem, comparison: c.comparison ? comparisonJson(c.comparison) : undefined })}\n`);
      continue;
    }
    const status = ok ? style.green('ok') : style.red('FAIL');
    process.stdout.write(`${status} ${c.id}\n`);
    if (c.problem) process.stdout.write(`  ${c.problem}\n`);
    for (const k of c.kernelChanged) process.stdout.write(`  kernel differs from the recording: ${k}\n`);
    if (c.comparison && fw) process.stdout.write(`${renderComparison(c.comparison, style)}\n`);
  }
  if (!o.json) process.stdout.write(`${r.cases.length - bad}/${r.cases.length} recorded cases replayed as recorded, with fwdoctor agreeing\n`);
  return bad > 0 ? EXIT.expectationFailed : EXIT.ok;
}
