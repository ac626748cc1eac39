import { describe, expect, it } from 'vitest';
import { prepare } from '../analysis/simulate/index.js';
import { loadIptables } from '../dialects/iptables/index.js';
import { compareOutcomes } from './compare.js';
import { genToModel } from './gen-to-model.js';
import { printRuleset } from './gen-syntax.js';
import { outcomeOfTrace } from './model.js';
import { sampleCase } from './generate.js';

describe('generated rulesets straight into the model', () => {
  it('simulate exactly like the same text through the iptables dialect (300 cases, no kernel needed)', () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= 15; seed++) {
      const c = sampleCase(seed, { packets: 20, interfaces: ['fwo1', 'fwo2', 'eth0'] });
      const text = printRuleset(c.ruleset);
      const parsed = loadIptables(text, 'gen.rules', { family: c.ruleset.family });
      expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const direct = prepare(genToModel(c.ruleset));
      const viaText = prepare(parsed.ruleset);
      for (const p of c.packets) {
        const a = outcomeOfTrace(direct.simulate(p));
        const b = viaText.simulate(p);
        const diff = compareOutcomes({ verdict: b.verdict, decidedBy: { ...b.decidedBy, ...('policy' in b.decidedBy ? {} : { handle: 0 }) } as never, matched: b.matched.map((m) => ({ ...m, handle: 0 })), events: [] }, a);
        if (diff.length > 0) problems.push(`seed ${seed}: ${JSON.stringify(diff)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
