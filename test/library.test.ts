import { describe, expect, it } from 'vitest';
import { hasErrors, loadIptables, packetFromText, prepare, toJson } from '../src/index.js';

describe('the library entry point', () => {
  it('loads a ruleset and traces a packet as the README shows', () => {
    const { ruleset, diagnostics } = loadIptables('*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'rules.v4');
    expect(hasErrors(diagnostics)).toBe(false);
    const sim = prepare(ruleset);
    const ssh = packetFromText('tcp 198.18.0.5:40000 -> 198.19.0.2:22').packet!;
    const web = packetFromText('tcp 198.18.0.5:40000 -> 198.19.0.2:80').packet!;
    expect(toJson(sim.simulate(ssh))).toMatchObject({ verdict: 'accept', decidedBy: { table: 'filter', chain: 'INPUT', index: 1, line: 3 } });
    expect(toJson(sim.simulate(web))).toMatchObject({ verdict: 'drop', decidedBy: { table: 'filter', chain: 'INPUT', policy: true } });
  });
});
