/**
 * iptables' own extension tests (../shared/corpus/iptables-tests/extensions/*.t) as a parser
 * oracle: every OK line must parse and print back as the expected iptables-save text, every FAIL
 * line must give an error diagnostic. Lines are run as iptables-test.py runs them: in each chain
 * of the preceding `:CHAINS` line, in the `*table` given (filter by default), with iptables for
 * libipt_/libxt_ files and ip6tables for libip6t_ files, using the result of the NFT back end
 * where a line has variants. libebt_/libarpt_ files (ebtables, arptables) are out of scope.
 *
 * Prints a per-module pass-rate table; fails if any module falls below its recorded floor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, corpusSkipReason, hasCorpus } from '../../../test/support/corpus.js';
import { parseIptablesSave, printIptablesSave } from './index.js';

interface Case {
  readonly file: string;
  readonly line: number;
  readonly table: string;
  readonly chain: string;
  readonly rule: string;
  /** The expected `-A CHAIN …` text, or undefined for FAIL. */
  readonly expected: string | undefined;
  readonly result: 'OK' | 'FAIL' | 'NOMATCH';
}

/**
 * Lines whose outcome depends on kernel state rather than on the rule text: they fail in
 * iptables-test.py only because an object the rule names does not exist in the running kernel.
 */
const KERNEL_STATE: ReadonlySet<string> = new Set([
  'libxt_set.t:-m set --match-set foo src,dst', // ipset 'foo' does not exist
  'libxt_SET.t:-j SET --add-set foo src,dst', // same
  'libxt_nfacct.t:-m nfacct --nfacct-name wrong', // nfacct object 'wrong' does not exist
]);

/**
 * Floors per file (pass rate in %), at the level reached; a file not listed must pass entirely.
 * Every remaining failure is a kernel-state line above.
 */
const FLOORS: Readonly<Record<string, number>> = {};

function readCases(dir: string, file: string): Case[] {
  const out: Case[] = [];
  let table = 'filter';
  let chains = ['INPUT'];
  readFileSync(join(dir, file), 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === '' || /^[#@%]/.test(line)) return;
    if (line.startsWith(':')) { chains = line.slice(1).split(','); return; }
    if (line.startsWith('*')) { table = line.slice(1); return; }
    const [rule = '', exp = '', res0 = '', variant, alt] = line.split(';');
    let res = res0;
    // A variant scopes the result to that back end; the other one (NFT here) gets the alternative.
    if (variant !== undefined && variant !== 'NFT') res = alt ?? ({ OK: 'FAIL', FAIL: 'OK', NOMATCH: 'OK' } as Record<string, string>)[res0] ?? res0;
    const asWritten = exp === '=' || res === '=';
    if (res === '=') res = 'OK';
    for (const chain of chains) {
      out.push({
        file, line: i + 1, table, chain, rule,
        expected: res === 'FAIL' ? undefined : `-A ${chain}${(asWritten ? rule : exp) === '' ? '' : ` ${asWritten ? rule : exp}`}`,
        result: res as Case['result'],
      });
    }
  });
  return out;
}

function runCase(c: Case, family: 'ipv4' | 'ipv6'): string | undefined {
  const text = `*${c.table}\n-A ${c.chain} ${c.rule}\nCOMMIT\n`;
  const p = parseIptablesSave(text, c.file, { family });
  const errors = p.diagnostics.filter((d) => d.severity === 'error');
  if (c.result === 'FAIL') return errors.length > 0 ? undefined : 'accepted, but iptables rejects it';
  if (errors.length > 0) return `rejected: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`;
  const printed = printIptablesSave(p.value).split('\n').find((l) => /^(\[\d+:\d+\] )?-A /.test(l))?.replace(/^\[\d+:\d+\] /, '') ?? '';
  if (c.result === 'NOMATCH') return printed === c.expected ? 'printed as written, but iptables prints it differently' : undefined;
  return printed === c.expected ? undefined : `printed '${printed}', expected '${c.expected ?? ''}'`;
}

describe.skipIf(!hasCorpus)('iptables extension tests (.t files)', () => {
  const dir = corpusPath('iptables-tests/extensions');
  it.skipIf(dir === undefined)('parse and print every in-scope line as iptables does', () => {
    if (dir === undefined) throw new Error(corpusSkipReason);
    const files = readdirSync(dir).filter((f) => /^(libxt_|libipt_|libip6t_).*\.t$|^iptables\.t$/.test(f)).sort();
    const outOfScope = readdirSync(dir).filter((f) => /^(libebt_|libarpt_)/.test(f)).length;
    const rows: string[] = [];
    const failures: string[] = [];
    let pass = 0;
    let total = 0;
    for (const file of files) {
      const family = file.startsWith('libip6t_') ? 'ipv6' : 'ipv4';
      const cases = readCases(dir, file);
      let ok = 0;
      let allowed = 0;
      for (const c of cases) {
        const problem = runCase(c, family);
        if (problem === undefined) ok++;
        else if (KERNEL_STATE.has(`${file}:${c.rule}`)) allowed++;
        else failures.push(`${file}:${c.line} [${c.table}/${c.chain}] ${c.result} '${c.rule}': ${problem}`);
      }
      pass += ok;
      total += cases.length;
      const rate = cases.length === 0 ? 100 : (100 * ok) / cases.length;
      rows.push(`${file.replace(/\.t$/, '').padEnd(20)} ${String(ok).padStart(4)}/${String(cases.length).padEnd(4)} ${rate.toFixed(1).padStart(5)}%${allowed > 0 ? `  (${allowed} kernel-state lines)` : ''}`);
      const floor = FLOORS[file] ?? 100;
      const effective = cases.length === 0 ? 100 : (100 * (ok + allowed)) / cases.length;
      expect(effective, `${file} pass rate`).toBeGreaterThanOrEqual(floor);
    }
    console.log(`iptables .t pass rates (NFT back end; ${outOfScope} ebtables/arptables files out of scope)\n${rows.join('\n')}\nTOTAL ${pass}/${total} (${((100 * pass) / total).toFixed(1)}%)`);
    expect(failures).toEqual([]);
  });
});
