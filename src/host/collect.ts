/**
 * `fwdoctor collect`: a host snapshot from the live system. Every program runs with an argument
 * array (no shell), read-only, with a timeout; a missing tool or missing privileges leave that part
 * out with a note in meta.json. `prefix` runs every program elsewhere (e.g. `ip netns exec NS`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../version.js';
import { SNAPSHOT_FILES, type SnapshotMeta, type SnapshotPartId } from './layout.js';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The program is not installed. */
  readonly missing: boolean;
}

export type Runner = (argv: readonly string[], timeoutMs: number) => Promise<CommandResult>;

/** Runs argv[0] with its arguments (never through a shell), killed after `timeoutMs`. */
export const runCommand: Runner = (argv, timeoutMs) => new Promise((resolve) => {
  const [cmd, ...args] = argv;
  if (cmd === undefined) {
    resolve({ code: 127, stdout: '', stderr: 'empty command', missing: true });
    return;
  }
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let done = false;
  const finish = (r: CommandResult): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    resolve(r);
  };
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    finish({ code: 124, stdout: Buffer.concat(out).toString('utf8'), stderr: `timed out after ${timeoutMs} ms`, missing: false });
  }, timeoutMs);
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', (e: NodeJS.ErrnoException) => finish({ code: 127, stdout: '', stderr: e.message, missing: e.code === 'ENOENT' }));
  child.on('close', (code) => finish({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), missing: false }));
});

export interface CollectOptions {
  readonly out: string;
  /** Prepended to every command (`['ip', 'netns', 'exec', 'NS']`); default none. */
  readonly prefix?: readonly string[];
  readonly run?: Runner;
  /** Where hosts.allow / hosts.deny are read (default /etc). */
  readonly etcDir?: string;
  readonly timeoutMs?: number;
  /** Called before and after each step (progress on a terminal). */
  readonly progress?: (step: string, state: 'start' | 'ok' | 'skipped', note?: string) => void;
  /** Whether we run as root (default: process.getuid() === 0). */
  readonly root?: boolean;
}

export interface CollectResult {
  readonly dir: string;
  readonly written: readonly SnapshotPartId[];
  readonly notes: readonly string[];
}

const PACKAGES: Readonly<Record<string, string>> = {
  'iptables-save': 'iptables', 'ip6tables-save': 'iptables', 'iptables-legacy-save': 'iptables', 'ip6tables-legacy-save': 'iptables',
  nft: 'nftables', ipset: 'ipset', ip: 'iproute2', ss: 'iproute2', sysctl: 'procps', ldd: 'libc-bin',
};

const SYSCTL_PATTERN = '^net\\.(ipv4\\.ip_forward|ipv6\\.conf\\.all\\.forwarding|ipv4\\.conf\\.[^.]+\\.rp_filter|ipv6\\.bindv6only|netfilter\\.nf_conntrack_(max|count|\\w*timeout\\w*)|netfilter\\.nf_log_all_netns|nf_conntrack_max)$';

interface Step {
  readonly part: SnapshotPartId;
  readonly argv: readonly string[];
  /** Only written when it has content (legacy dumps on an nft host are empty). */
  readonly optional?: boolean;
  readonly needsRoot?: boolean;
}

const STEPS: readonly Step[] = [
  { part: 'iptables', argv: ['iptables-save'], needsRoot: true },
  { part: 'ip6tables', argv: ['ip6tables-save'], needsRoot: true },
  { part: 'iptablesLegacy', argv: ['iptables-legacy-save'], optional: true, needsRoot: true },
  { part: 'ip6tablesLegacy', argv: ['ip6tables-legacy-save'], optional: true, needsRoot: true },
  { part: 'nftJson', argv: ['nft', '-j', 'list', 'ruleset'], needsRoot: true },
  { part: 'ipset', argv: ['ipset', 'save'], optional: true, needsRoot: true },
  { part: 'addr', argv: ['ip', '-j', 'addr'] },
  { part: 'route4', argv: ['ip', '-4', '-j', 'route', 'show', 'table', 'all'] },
  { part: 'route6', argv: ['ip', '-6', '-j', 'route', 'show', 'table', 'all'] },
  { part: 'rule4', argv: ['ip', '-4', '-j', 'rule'] },
  { part: 'rule6', argv: ['ip', '-6', '-j', 'rule'] },
  { part: 'sockets', argv: ['ss', '-Htlnup'] },
  { part: 'sysctl', argv: ['sysctl', '-a', '--pattern', SYSCTL_PATTERN] },
];

function pidsOf(ss: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of ss.matchAll(/\("([^"]+)",pid=(\d+)/g)) out.set(Number(m[2]), m[1] as string);
  return out;
}

export async function collectSnapshot(o: CollectOptions): Promise<CollectResult> {
  const run = o.run ?? runCommand;
  const prefix = o.prefix ?? [];
  const timeout = o.timeoutMs ?? 15_000;
  const root = o.root ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  const notes: string[] = [];
  const written: SnapshotPartId[] = [];
  mkdirSync(o.out, { recursive: true });
  const write = (part: SnapshotPartId, text: string): void => {
    writeFileSync(join(o.out, SNAPSHOT_FILES[part].file), text);
    written.push(part);
  };
  if (!root) notes.push('not root: firewall dumps (iptables-save, nft, ipset) need root and were skipped or are incomplete; ss shows no processes, so the libwrap check is skipped');
  let ssText = '';
  for (const step of STEPS) {
    const name = step.argv.join(' ');
    o.progress?.(name, 'start');
    const r = await run([...prefix, ...step.argv], timeout);
    const tool = step.argv[0] as string;
    if (r.missing || (r.code === 127 && /not found|No such file/i.test(r.stderr))) {
      if (!step.optional) notes.push(`${tool} is not installed (Debian package ${PACKAGES[tool] ?? tool}): ${SNAPSHOT_FILES[step.part].file} not collected`);
      o.progress?.(name, 'skipped', 'not installed');
      continue;
    }
    if (r.code !== 0) {
      if (!step.optional || r.stdout.trim() !== '') {
        notes.push(`${name} failed (exit ${r.code}${step.needsRoot && !root ? ', needs root' : ''}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
      }
      o.progress?.(name, 'skipped', `exit ${r.code}`);
      continue;
    }
    if (step.optional && !/\S/.test(r.stdout.replace(/^#.*$/gm, ''))) {
      o.progress?.(name, 'skipped', 'empty');
      continue;
    }
    write(step.part, r.stdout);
    if (step.part === 'sockets') ssText = r.stdout;
    o.progress?.(name, 'ok');
  }
  const etc = o.etcDir ?? '/etc';
  for (const [part, file] of [['hostsAllow', 'hosts.allow'], ['hostsDeny', 'hosts.deny']] as const) {
    try {
      write(part, readFileSync(join(etc, file), 'utf8'));
    } catch {
      // Absent: libwrap treats a missing file as empty.
    }
  }
  const wrapped: string[] = [];
  for (const [pid, proc] of pidsOf(ssText)) {
    let exe: string;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      continue;
    }
    const r = await run(['ldd', exe], timeout);
    if (r.code === 0 && /libwrap\.so/.test(r.stdout) && !wrapped.some((w) => w.startsWith(`${proc} `))) wrapped.push(`${proc} ${exe}`);
  }
  if (root && ssText !== '') write('libwrap', `# daemons with a listening socket that are linked with libwrap (ldd)\n${wrapped.map((w) => `${w}\n`).join('')}`);
  const meta: SnapshotMeta = { hostname: hostname(), collectedAt: new Date().toISOString(), fwdoctorVersion: VERSION, notes };
  write('meta', `${JSON.stringify(meta, null, 2)}\n`);
  return { dir: o.out, written, notes };
}
