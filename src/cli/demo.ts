/** `fwdoctor demo`: the main job on a bundled example, for a first look at the tool. */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { findUnreachedAccepts } from '../analysis/why/unreached.js';
import { prepare } from '../analysis/simulate/index.js';
import { packetFromText } from '../model/packet-input.js';
import { renderTrace } from '../report/trace-text.js';
import { EXIT } from './exit-codes.js';
import { loadRulesets } from './load-ruleset.js';
import { reportDiagnostics } from './render-diagnostics.js';
import { pickStyle } from './style.js';

/** The examples folder of the installed package (dist/cli → ../../examples). */
export function examplesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../examples', '../../../examples']) {
    const p = join(here, up);
    if (existsSync(p)) return p;
  }
  return join(here, '../../examples');
}

const PACKET = 'tcp 198.18.0.5:40000 -> 198.19.0.2:8080 flags S';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .summary('trace a packet through a bundled example ruleset')
    .description('Runs `fwdoctor trace` on a bundled example: a web server whose application port 8080 times out.')
    .option('--no-color', 'no colours')
    .action((o: { color?: boolean }) => {
      process.exitCode = runDemo(o.color === false);
    });
}

function runDemo(noColor: boolean): number {
  const style = pickStyle(process.stdout, noColor ? false : undefined);
  const file = join(examplesDir(), 'webserver-8080-blocked', 'rules.v4');
  const shown = relative(process.cwd(), file) || file;
  const loaded = loadRulesets([shown]);
  const counts = reportDiagnostics(loaded.diagnostics, loaded.files, noColor ? { color: false } : {});
  if (counts.errors > 0) return EXIT.badInput;
  const parsed = packetFromText(PACKET, { iif: 'eth0' });
  if (!parsed.packet) throw new Error(`demo packet does not parse: ${parsed.errors.join('; ')}`);
  const sim = prepare(loaded.ruleset);
  const result = sim.simulate(parsed.packet);
  const out: string[] = [
    style.bold('fwdoctor demo'),
    style.dim('A web server answers on 80 and 443, but `curl http://198.19.0.2:8080/` from a client times out,'),
    style.dim('although an ACCEPT rule for 8080 was added yesterday. Which rule blocks it?'),
    '',
    style.dim(`$ fwdoctor trace ${shown} --packet '${PACKET.replace(' flags S', '')}' --in eth0`),
    '',
    renderTrace(parsed.packet, result, { style, verbose: false, unreached: findUnreachedAccepts(sim.prepared, parsed.packet, result) }),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
