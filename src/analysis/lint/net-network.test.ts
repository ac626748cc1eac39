/**
 * The real-world rulesets of ../shared/corpus/net-network (iptables-save dumps) run through lint,
 * query and the service matrix without error; the counts per file are printed (the report of issue 6
 * quotes them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../../test/support/corpus.js';
import { isIptablesSave, loadIptables } from '../../dialects/iptables/index.js';
import { queryRuleset, serviceMatrix } from '../query/index.js';
import { lintRuleset } from './index.js';

describe.skipIf(!hasCorpus)('net-network corpus', () => {
  it('lint, query and service matrices run on every iptables-save dump', () => {
    const dir = corpusPath('net-network') as string;
    const lines: string[] = [];
    let files = 0;
    for (const name of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, name), 'utf8');
      if (!isIptablesSave(text) || !/^-A /m.test(text)) continue;
      files++;
      const rs = loadIptables(text, name).ruleset;
      const rules = rs.tables.reduce((n, t) => n + t.chains.reduce((k, c) => k + c.rules.length, 0), 0);
      const lint = lintRuleset(rs);
      const by = (s: string): number => lint.findings.filter((f) => f.severity === s).length;
      const q = queryRuleset(rs, { mode: 'accepted', slice: 'tcp dport 22' });
      const m = serviceMatrix(rs, { dport: 22 });
      expect(q.errors).toEqual([]);
      lines.push(`${name}: ${rules} rules, ${lint.findings.length} findings (${by('error')} error, ${by('warning')} warning, ${by('info')} info), query ssh ${q.rows.length} rows, matrix 22: ${m.classes.length} classes ${m.edges.length} edges`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(files).toBeGreaterThan(40);
  });
});
