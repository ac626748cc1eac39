/** `fwdoctor collect [--out DIR]`: a host snapshot of this machine, read-only. */
import type { Command } from 'commander';
import { collectSnapshot } from '../host/collect.js';
import { EXIT_CODES_HELP, EXIT } from './exit-codes.js';

interface CollectCliOptions {
  out: string;
  timeout: string;
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .summary('snapshot this host: rules, addresses, routes, sockets, sysctls, TCP wrappers (read-only)')
    .description('Write a host snapshot directory (docs/host-snapshot.md) for `fwdoctor trace DIR --flow …` and `fwdoctor diagnose DIR`.\n'
      + 'Runs iptables-save, ip6tables-save, nft -j list ruleset, ipset save, ip -j addr/route/rule, ss -Htlnup, sysctl;\n'
      + 'reads /etc/hosts.allow and /etc/hosts.deny. Changes nothing on the host. Run as root for complete firewall dumps.')
    .option('--out <dir>', 'snapshot directory to write', 'fwdoctor-snapshot')
    .option('--timeout <ms>', 'time limit per command', '15000')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(async (o: CollectCliOptions) => {
      const tty = process.stderr.isTTY === true;
      const r = await collectSnapshot({
        out: o.out, timeoutMs: Number(o.timeout) > 0 ? Number(o.timeout) : 15_000,
        ...(tty ? { progress: (step: string, state: string, note?: string) => {
          if (state === 'start') process.stderr.write(`  ${step} … `);
          else process.stderr.write(`${state === 'ok' ? 'ok' : `skipped (${note ?? ''})`}\n`);
        } } : {}),
      });
      for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
      process.stdout.write(`snapshot written to ${r.dir} (${r.written.length} files)\n`);
      process.exitCode = r.written.length > 1 ? EXIT.ok : EXIT.environment;
    });
}
