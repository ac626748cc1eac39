/** Every example snapshot: `diagnose` names the example's cause first. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseTarget } from '../analysis/diagnose/target.js';
import type { Symptom } from '../analysis/diagnose/types.js';
import { repoRoot } from '../../test/support/corpus.js';
import { loadPath } from './load-path.js';

const CASES: readonly { dir: string; to: string; from?: string; symptom?: Symptom; cause: string; outcome: string }[] = [
  { dir: 'port-forward-missing-forward', to: '198.18.0.1:8080', from: '198.18.0.5', symptom: 'nat', cause: 'diagnose/dnat-without-forward', outcome: 'timeout' },
  { dir: 'one-way-stateless', to: '198.19.0.2:443', from: '198.18.0.5', symptom: 'one-way', cause: 'diagnose/missing-established', outcome: 'timeout' },
  { dir: 'service-on-loopback', to: '198.19.0.2:8080', from: '198.18.0.5', symptom: 'refused', cause: 'diagnose/bound-to-loopback', outcome: 'refused' },
  { dir: 'drop-above-allow', to: '198.19.0.2:3306', from: '198.18.0.5', symptom: 'timeout', cause: 'diagnose/drop-above-allow', outcome: 'timeout' },
  { dir: 'conntrack-full', to: '198.19.0.2:443', from: '198.18.0.5', symptom: 'intermittent', cause: 'diagnose/conntrack-full', outcome: 'timeout' },
  { dir: 'ipv6-open-ipv4-locked', to: '[fd00:f00d:19::2]:5432', cause: 'diagnose/ipv6-open-ipv4-closed', outcome: 'open' },
  { dir: 'tcp-wrappers-sshd', to: '198.19.0.2:22', from: '198.18.0.5', symptom: 'refused', cause: 'diagnose/tcp-wrappers', outcome: 'refused' },
  { dir: 'ipv6-nd-blocked', to: '[fd00:f00d:19::2]:443', from: 'fd00:f00d:18::5', symptom: 'timeout', cause: 'diagnose/ipv6-nd-blocked', outcome: 'timeout' },
  { dir: 'local-redirect-wrong-port', to: '198.18.0.80:80', from: '198.19.0.10', symptom: 'refused', cause: 'diagnose/nothing-listening', outcome: 'refused' },
];

describe('examples: diagnose names the right cause first', () => {
  for (const c of CASES) {
    it(c.dir, () => {
      const loaded = loadPath([join(repoRoot, 'examples', c.dir)], () => { throw new Error('no ruleset files expected'); });
      expect(loaded.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
      const r = diagnoseTarget(loaded.path, { to: c.to, ...(c.from ? { from: c.from } : {}), ...(c.symptom ? { symptom: c.symptom } : {}) });
      if ('errors' in r) throw new Error(r.errors.join('; '));
      expect(r.diagnosis.flow.outcome).toBe(c.outcome);
      expect(r.diagnosis.causes[0]?.code).toBe(c.cause);
      const top = r.diagnosis.causes[0];
      expect(top?.confirm.length).toBeGreaterThan(0);
    });
  }
  it('without a symptom the flow decides the first cause too', () => {
    const loaded = loadPath([join(repoRoot, 'examples', 'service-on-loopback')], () => { throw new Error('unexpected'); });
    const r = diagnoseTarget(loaded.path, { to: '198.19.0.2:8080', from: '198.18.0.5' });
    if ('errors' in r) throw new Error(r.errors.join('; '));
    expect(r.diagnosis.causes[0]?.code).toBe('diagnose/bound-to-loopback');
  });
});
