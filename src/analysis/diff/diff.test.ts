/** diff: equivalent rulesets give no row; a change gives rows whose witnesses the simulator confirms. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadIptables } from '../../dialects/iptables/index.js';
import { prepare } from '../simulate/index.js';
import { diffRulesets } from './diff.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'lint', 'fixtures');
const load = (name: string): ReturnType<typeof loadIptables>['ruleset'] => loadIptables(readFileSync(join(fixtures, name), 'utf8'), name).ruleset;

describe('diff', () => {
  it('a ruleset is equivalent to itself and to a reordering that changes nothing', () => {
    const a = load('redundant-rule.v4');
    expect(diffRulesets(a, a).equivalent).toBe(true);
    // Dropping the redundant rule changes no verdict.
    const t = a.tables[0];
    if (t === undefined) throw new Error('no table');
    const b = { tables: [{ ...t, chains: t.chains.map((c) => (c.name === 'INPUT' ? { ...c, rules: c.rules.filter((r) => !r.origin.text.includes('lab proxy')) } : c)) }] };
    expect(diffRulesets(a, b).equivalent).toBe(true);
  });

  it('reports now-accepted and now-blocked traffic with witnesses both simulators confirm', () => {
    const a = load('clean.v4');
    const b = load('ssh-no-rate-limit.v4');
    const r = diffRulesets(a, b);
    expect(r.equivalent).toBe(false);
    expect(new Set(r.rows.map((x) => x.change))).toEqual(new Set(['now-accepted', 'now-blocked']));
    const sa = prepare(a);
    const sb = prepare(b);
    for (const row of r.rows) {
      const va = sa.simulate(row.witness).verdict;
      const vb = sb.simulate(row.witness).verdict;
      expect(row.change === 'now-accepted' ? va !== 'accept' && vb === 'accept' : va === 'accept' && vb !== 'accept').toBe(true);
    }
  });
});
