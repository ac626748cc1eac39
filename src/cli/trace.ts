/** `fwdoctor trace`: concrete packets through a ruleset, with a readable or JSON trace. */
import { type Command, Option } from 'commander';
import { parseAssumptions, prepare, toJson, type SimulateOptions, type TraceResult } from '../analysis/simulate/index.js';
import { findUnreachedAccepts } from '../analysis/why/unreached.js';
import { FLOW_OUTCOMES } from '../model/flow.js';
import type { Packet } from '../model/packet.js';
import { packetFromJson, packetFromText } from '../model/packet-input.js';
import { HOOKS } from '../model/ruleset.js';
import { renderTrace } from '../report/trace-text.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { loadRulesets, dialectIds } from './load-ruleset.js';
import { readInput } from './read-input.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { pickStyle } from './style.js';
import { runFlowTrace } from './trace-flow.js';
import { isCloudInput, runScenarioFlow } from './trace-scenario.js';

interface TraceOptions {
  packet?: string[];
  packets?: string;
  in?: string;
  out?: string;
  hook?: string;
  state?: string;
  json?: boolean;
  dialect?: string;
  assume?: string[];
  expect?: string;
  all?: boolean;
  color?: boolean;
  flow?: string[];
}

interface PacketInput {
  readonly label: string;
  readonly packet?: Packet;
  readonly errors: readonly string[];
}

function defaultsFrom(o: TraceOptions): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (o.in !== undefined) d.iif = o.in;
  if (o.out !== undefined) d.oif = o.out;
  if (o.hook !== undefined) d.hook = o.hook;
  if (o.state !== undefined) d.ctstate = o.state;
  return d;
}

function collectPackets(o: TraceOptions): PacketInput[] {
  const defaults = defaultsFrom(o);
  const out: PacketInput[] = [];
  for (const text of o.packet ?? []) out.push({ label: `--packet '${text}'`, ...packetFromText(text, defaults) });
  if (o.packets !== undefined) {
    const lines = readInput(o.packets).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const label = `${o.packets === '-' ? 'stdin' : o.packets}:${i + 1}`;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        out.push({ label, errors: [`not valid JSON (${(e as Error).message})`] });
        return;
      }
      const merged = typeof obj === 'object' && obj !== null ? { ...defaults, ...(obj as object) } : obj;
      out.push({ label, ...packetFromJson(merged) });
    });
  }
  return out;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .summary('follow packets through a ruleset, rule by rule')
    .description('Follow one or more packets through a ruleset, rule by rule, and show which rule decides and why.\n'
      + 'Each packet is the first of its flow unless --state says otherwise (conntrack state derived as the kernel does).')
    .argument('<ruleset...>', 'ruleset file(s): iptables-save / ip6tables-save output, nft list ruleset (text or -j JSON), `-` for standard input, .gz accepted; with --flow also host snapshot directories and cloud scenarios (client side first)')
    .option('-p, --packet <packet>', "a packet as text, repeatable: 'tcp 198.18.0.5:40000 -> 198.19.0.2:22 [flags S] [in eth0] [ttl 64] [len 60] [type 8 code 0]'", (v: string, prev: string[] = []) => [...prev, v])
    .option('--flow <flow>', "a flow through a host snapshot (directories: fwdoctor collect) or rulesets, repeatable: 'tcp 198.18.0.5:40000 -> 198.19.0.2:22' (a source that is the first host's own address: the host opens it itself); outcome open, refused, unreachable, timeout, no-route or denied", (v: string, prev: string[] = []) => [...prev, v])
    .option('--packets <file>', 'JSON Lines file of packets (format: docs/cli.md), `-` for standard input')
    .option('-i, --in <iface>', 'input interface for every packet that names none')
    .option('-o, --out <iface>', 'output interface for every packet that names none')
    .addOption(new Option('--hook <hook>', 'netfilter hook the packets arrive at').choices([...HOOKS]))
    .option('--state <ctstate>', 'conntrack state instead of the derived one: new, established, related, invalid, untracked')
    .option('--json', 'one JSON result per packet per line (format: docs/cli.md)')
    .option('--dialect <id>', `input format instead of auto-detection (${dialectIds().join(', ')})`)
    .option('--assume <spec>', 'value of rules fwdoctor cannot evaluate, repeatable: opaque=match|nomatch, TABLE/CHAIN/N=match|nomatch', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--expect <verdict>', 'exit 1 unless every packet gets this verdict (for CI); with --flow: this outcome').choices(['accept', 'drop', 'reject', 'blocked', ...FLOW_OUTCOMES]))
    .option('--all', 'show every rule visited (long runs of non-matching rules are folded otherwise)')
    .option('--no-color', 'no colours (also when NO_COLOR is set)')
    .addHelpText('after', `
Examples:
  fwdoctor trace rules.v4 --packet 'tcp 198.18.0.5:40000 -> 198.19.0.2:22' --in eth0
  fwdoctor trace rules.v6 --packet 'icmpv6 fd00:f00d::5 -> fd00:f00d::1 type 128'
  fwdoctor trace rules.v4 --packets packets.jsonl --json
  fwdoctor trace ./snapshot --flow 'tcp 198.18.0.5:40000 -> 198.19.0.2:22'
  fwdoctor trace ./router ./server --flow 'tcp 198.18.0.5:40000 -> 198.18.0.1:8080' --json
${EXIT_CODES_HELP}`)
    .action((rulesets: string[], o: TraceOptions) => {
      if (o.flow !== undefined) {
        process.exitCode = isCloudInput(rulesets) ? runScenarioFlow(rulesets, { ...o, flow: o.flow }) : runFlowTrace(rulesets, { ...o, flow: o.flow });
        return;
      }
      process.exitCode = runTrace(rulesets, o);
    });
}

function meetsExpectation(r: TraceResult, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (expected === 'blocked') return r.verdict !== 'accept';
  return r.verdict === expected;
}

function runTrace(rulesets: string[], o: TraceOptions): number {
  const style = pickStyle(process.stdout, o.color === false ? false : undefined);
  if ((o.packet?.length ?? 0) === 0 && o.packets === undefined) {
    process.stderr.write("fwdoctor trace: give a packet with --packet 'tcp SRC:PORT -> DST:PORT' or a file with --packets FILE.jsonl\n");
    return EXIT.badInput;
  }
  const assumptions = parseAssumptions(o.assume ?? []);
  if (assumptions.errors.length > 0) {
    for (const e of assumptions.errors) process.stderr.write(`fwdoctor trace: --assume: ${e}\n`);
    return EXIT.badInput;
  }
  const loaded = loadRulesets(rulesets, o.dialect === undefined ? {} : { dialect: o.dialect });
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, o.color === false ? { color: false } : {});
  if (loaded.ruleset.tables.length === 0) {
    process.stderr.write('fwdoctor trace: no rules could be read from the input, nothing to trace\n');
    return EXIT.badInput;
  }
  const packets = collectPackets(o);
  const sim = prepare(loaded.ruleset);
  const simOpts: SimulateOptions = assumptions.assume === undefined ? {} : { assume: assumptions.assume };
  let bad = counts.errors > 0;
  let unmet = 0;
  let first = true;
  for (const input of packets) {
    if (!input.packet) {
      bad = true;
      for (const e of input.errors) process.stderr.write(`${input.label}: ${e}\n`);
      if (o.json) process.stdout.write(`${JSON.stringify({ error: { input: input.label, messages: input.errors } })}\n`);
      continue;
    }
    const result = sim.simulate(input.packet, simOpts);
    if (!meetsExpectation(result, o.expect)) unmet++;
    if (o.json) {
      process.stdout.write(`${JSON.stringify(toJson(result))}\n`);
    } else {
      if (!first) process.stdout.write(`\n${style.dim('─'.repeat(60))}\n\n`);
      const unreached = findUnreachedAccepts(sim.prepared, input.packet, result);
      process.stdout.write(`${renderTrace(input.packet, result, { style, verbose: o.all === true, unreached })}\n`);
      first = false;
    }
  }
  if (unmet > 0 && !o.json) process.stderr.write(`fwdoctor trace: ${unmet} packet(s) did not get the expected verdict '${o.expect}'\n`);
  if (bad) return EXIT.badInput;
  return unmet > 0 ? EXIT.expectationFailed : EXIT.ok;
}
