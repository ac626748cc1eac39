/** Timing helpers for benchmarks: medians of repeated runs, and external commands timed the same way. */
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median wall time of one run, milliseconds. */
  readonly ms: number;
  readonly runs: number;
}

/** Runs `fn` at least `minRuns` times and for at least `minMs` in total; returns the median. */
export function measure(fn: () => unknown, o: { minRuns?: number; minMs?: number; maxRuns?: number } = {}): Timing {
  const minRuns = o.minRuns ?? 3;
  const minMs = o.minMs ?? 500;
  const maxRuns = o.maxRuns ?? 1000;
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - t0 < minMs)) {
    const s = performance.now();
    fn();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, runs: times.length };
}

/** Times an external command (argument array, no shell) with `input` on its standard input. */
export function measureCommand(argv: readonly string[], input: string, o: { runs?: number } = {}): Timing | { error: string } {
  const times: number[] = [];
  for (let i = 0; i < (o.runs ?? 3); i++) {
    const s = performance.now();
    const r = spawnSync(argv[0] as string, argv.slice(1), { input, encoding: 'utf8', maxBuffer: 1 << 28 });
    const ms = performance.now() - s;
    if (r.error) return { error: r.error.message };
    if (r.status !== 0) return { error: `${argv.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(0, 300)}` };
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, runs: times.length };
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface Figure {
  readonly name: string;
  readonly input: string;
  readonly value: string;
  /** "2.7× faster than iptables-restore --test", measured in the same run. */
  readonly ratio: string;
}

/** "2.70× faster than X" or "1.50× slower than X" from two times of the same run. */
export function speedRatio(ms: number, baselineMs: number, baseline: string): string {
  return ms <= baselineMs
    ? `${(baselineMs / ms).toFixed(2)}× faster than ${baseline} (${fmtMs(baselineMs)})`
    : `${(ms / baselineMs).toFixed(2)}× slower than ${baseline} (${fmtMs(baselineMs)})`;
}

/** Runs `fn` with a throwaway network namespace that is removed afterwards, whatever happens. */
export function inNetns<T>(name: string, fn: (ns: string) => T): T {
  execFileSync('ip', ['netns', 'add', name]);
  try {
    return fn(name);
  } finally {
    execFileSync('ip', ['netns', 'del', name]);
  }
}
