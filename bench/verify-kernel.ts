/**
 * `fwdoctor verify-kernel` on the 10k-rule synthetic ruleset (issue 3): the whole run — namespace
 * setup, loading, 2,000 generated packets through the kernel and the simulator — next to a plain
 * `iptables-restore` of the same file in a throwaway namespace, measured in the same run.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { verifyRuleset } from '../src/kernel/verify.js';
import { type Figure, fmtMs, inNetns, isRoot, measureCommand } from './timing.js';

export async function benchVerifyKernel(corpusFile: string, label: string, packets = 2000): Promise<Figure[]> {
  if (!isRoot()) return [{ name: 'verify-kernel', input: label, value: 'skipped', ratio: 'needs root and network namespaces' }];
  const text = gunzipSync(readFileSync(corpusFile)).toString('utf8');
  const start = performance.now();
  const r = await verifyRuleset(text, { packets, seed: 1, fileName: label });
  const ms = performance.now() - start;
  if (!r.ok) return [{ name: 'verify-kernel', input: label, value: 'failed', ratio: r.failure.message }];
  const base = inNetns(`fwdb-vk-${process.pid}`, (ns) => measureCommand(['ip', 'netns', 'exec', ns, 'iptables-restore'], text, { runs: 3 }));
  const rep = r.report;
  const t = rep.timings;
  return [{
    name: `verify-kernel, ${packets.toLocaleString('en-US')} packets (agree ${rep.agreed}/${rep.compared})`,
    input: `${label} (${rep.rules.toLocaleString('en-US')} rules)`,
    value: `${fmtMs(ms)} (setup ${fmtMs(t.setup)}, load ${fmtMs(t.load)}, kernel ${fmtMs(t.kernel)}, simulate ${fmtMs(t.simulate)})`,
    ratio: 'error' in base ? `baseline failed: ${base.error}` : `${(ms / base.ms).toFixed(1)}× the time of loading the file with iptables-restore (${fmtMs(base.ms)})`,
  }];
}
