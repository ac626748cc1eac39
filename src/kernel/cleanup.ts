/**
 * Nothing the harness creates may outlive it: namespaces are named `fwdk-<pid>-<n>-<role>`, every
 * live one is registered here, and they are removed on normal teardown, on process exit, and on
 * SIGINT / SIGTERM / SIGHUP. Namespaces left by a killed run (their pid is dead) are removed at the
 * next start. Child processes running inside a namespace are killed first (a namespace stays alive
 * as long as a process is in it).
 */
import { spawnSync } from 'node:child_process';

export const NS_PREFIX = 'fwdk-';

const NAME_RE = /^fwdk-(\d+)-\d+-[a-z]+$/;

interface Registered {
  readonly namespaces: readonly string[];
  readonly pids: Set<number>;
}

const live = new Map<string, Registered>();
let handlersInstalled = false;

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function deleteNamespaceSync(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 10_000 });
}

/** Synchronously removes every registered lab (safe in exit and signal handlers). */
export function destroyAllSync(): void {
  for (const [id, reg] of live) {
    for (const pid of reg.pids) killPid(pid);
    for (const ns of reg.namespaces) deleteNamespaceSync(ns);
    live.delete(id);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', destroyAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      destroyAllSync();
      // Default behaviour after cleanup: die of the same signal.
      process.kill(process.pid, sig);
    });
  }
}

export function registerLab(id: string, namespaces: readonly string[]): void {
  installHandlers();
  live.set(id, { namespaces, pids: new Set() });
}

/** Records a process started inside the lab, to be killed before its namespaces go. */
export function registerPid(id: string, pid: number | undefined): void {
  if (pid !== undefined) live.get(id)?.pids.add(pid);
}

export function unregisterPid(id: string, pid: number | undefined): void {
  if (pid !== undefined) live.get(id)?.pids.delete(pid);
}

export function unregisterLab(id: string): void {
  live.delete(id);
}

export function liveLabCount(): number {
  return live.size;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Which of these namespace names belong to a run whose process is gone. */
export function staleNamespaces(names: readonly string[], isAlive: (pid: number) => boolean = pidAlive): string[] {
  return names.filter((n) => {
    const m = NAME_RE.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !isAlive(Number(m[1]));
  });
}

/** Names from `ip netns list` output (`name (id: 3)` lines). */
export function parseNetnsList(text: string): string[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.length > 0);
}

/** Removes namespaces of dead harness runs; returns their names. */
export function removeStaleNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return [];
  const stale = staleNamespaces(parseNetnsList(r.stdout));
  for (const ns of stale) {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 });
    for (const p of (pids.stdout ?? '').split(/\s+/)) if (/^\d+$/.test(p)) killPid(Number(p));
    deleteNamespaceSync(ns);
  }
  return stale;
}
