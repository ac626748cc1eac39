/**
 * Every generated ruleset must be one the kernel accepts, and the generator's printer must write
 * exactly what iptables-save prints back (so recorded cases are canonical iptables-save text).
 */
import { expect, it } from 'vitest';
import { describeKernel, envInt, suiteSession } from './kernel-env.js';
import { nsRun } from '../../src/kernel/exec.js';
import { sampleCase, printRuleset, rulesetDialect } from '../../src/kernel/generate.js';

const COUNT = envInt('FWDOCTOR_KERNEL_GEN_CHECKS', 120);

/** iptables-save output without comments and chain counters (the host's own traffic moves OUTPUT's). */
function canonical(text: string): string {
  return text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n');
}

describeKernel('generated rulesets', () => {
  const session = suiteSession({ interfaces: ['fwo1', 'fwo2', 'eth0'] });

  it(`load in the kernel and print as iptables-save does (${COUNT} seeds, both families)`, async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= COUNT; seed++) {
      const c = sampleCase(seed, { packets: 1, interfaces: session().interfaces });
      const text = printRuleset(c.ruleset);
      const dialect = rulesetDialect(c.ruleset);
      const err = await session().load(text, dialect);
      if (err !== undefined) {
        problems.push(`seed ${seed}: kernel refused:\n${err}\n${text}`);
        continue;
      }
      const saved = await nsRun(session().lab.firewall, [`${dialect}-save`]);
      if (canonical(saved.stdout) !== canonical(text)) {
        const a = canonical(text).split('\n');
        const b = canonical(saved.stdout).split('\n');
        const diff = a.map((l, i) => (l === b[i] ? undefined : `  printed: ${l}\n  saved:   ${b[i] ?? '(none)'}`)).filter((x) => x !== undefined);
        problems.push(`seed ${seed}: printer differs from iptables-save:\n${diff.slice(0, 3).join('\n')}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  }, 300_000);
});
