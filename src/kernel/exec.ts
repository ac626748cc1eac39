/**
 * Running the system tools the harness needs (ip, iptables-restore, nft, conntrack, python3) through
 * argument arrays, never a shell, each bounded in time. Commands for a namespace go through
 * `ip netns exec NS …` so nothing ever runs against the host's own tables.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the child's standard input, which is then closed. */
  readonly input?: string;
  /** Milliseconds before the child is killed (default 30 s). */
  readonly timeoutMs?: number;
}

/** A tool failed or could not be started; the message names the command and its stderr. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly result: RunResult,
    message?: string,
  ) {
    super(message ?? `${argv.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
}

/** Runs argv[0] with the rest as arguments; resolves with its exit code and output (never rejects on a non-zero code). */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error('run: empty command'));
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const finish = (r: RunResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ code: 124, stdout: Buffer.concat(out).toString('utf8'), stderr: `timed out after ${opts.timeoutMs ?? 30_000} ms` });
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({ code: e.code === 'ENOENT' ? 127 : 126, stdout: '', stderr: `${cmd}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      finish({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run, but rejects with a CommandError when the exit code is not 0. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new CommandError(argv, r);
  return r;
}

/** The argv that runs `argv` inside network namespace `ns`. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** Runs a command inside a namespace; rejects on a non-zero exit. */
export function nsRun(ns: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runOk(inNs(ns, argv), opts);
}
