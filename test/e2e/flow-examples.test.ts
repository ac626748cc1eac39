/**
 * `fwdoctor trace --flow` and `fwdoctor diagnose` on example snapshots, as a user runs them: a
 * connection the host opens itself (OUTPUT REDIRECT to the wrong port) and IPv6 neighbour
 * discovery blocked by ip6tables. Refresh the golden files with: UPDATE_GOLDEN=1 npx vitest run test/e2e
 */
import { describe, expect, it } from 'vitest';
import { expectGolden, runCli } from './run-cli.js';

describe('flows and diagnose on example snapshots', () => {
  it('trace --flow: a locally originated connection redirected in OUTPUT to a port nothing listens on', () => {
    const r = runCli(['trace', 'examples/local-redirect-wrong-port', '--flow', 'tcp 198.19.0.10:40000 -> 198.18.0.80:80', '--expect', 'refused']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('locally originated');
    expectGolden('flow-local-redirect.txt', r.stdout);
  });

  it('trace --flow --json: the stages of the redirect and of the reset back over lo', () => {
    const r = runCli(['trace', 'examples/local-redirect-wrong-port', '--flow', 'tcp 198.19.0.10:40000 -> 198.18.0.80:80', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { outcome: string; forward: { from: string; stages: { stage: string }[] }; reply: { stages: { stage: string }[] } };
    expect(j.outcome).toBe('refused');
    expect(j.forward.from).toBe('local-redirect-wrong-port');
    expect(j.forward.stages.map((s) => s.stage)).toEqual(['routing', 'output', 'routing', 'postrouting', 'prerouting', 'routing', 'input', 'socket']);
    expect(j.reply.stages.map((s) => s.stage)).toEqual(['output', 'postrouting', 'prerouting', 'routing', 'input']);
  });

  it('diagnose: IPv6 neighbour discovery blocked is named first', () => {
    const r = runCli(['diagnose', 'examples/ipv6-nd-blocked', '--to', '[fd00:f00d:19::2]:443', '--from', 'fd00:f00d:18::5', '--symptom', 'timeout']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^1\. ICMP blocked: IPv6 neighbour discovery/m);
    expectGolden('flow-diagnose-ipv6-nd.txt', r.stdout);
  });

  it('diagnose: the OUTPUT REDIRECT is part of the evidence for "nothing listening"', () => {
    const r = runCli(['diagnose', 'examples/local-redirect-wrong-port', '--to', '198.18.0.80:80', '--from', '198.19.0.10', '--symptom', 'refused']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('nat/OUTPUT/2');
    expectGolden('flow-diagnose-local-redirect.txt', r.stdout);
  });
});
