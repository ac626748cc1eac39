/**
 * Can this machine run the kernel harness? Linux, root, network namespaces, and the tools
 * (iproute2, iptables with the nf_tables back-end, nftables, conntrack, python3). The answer is data
 * so the CLI can map it to an exit code and the tests to "skip" or "fail".
 */
import { spawnSync } from 'node:child_process';
import { NS_PREFIX } from './cleanup.js';

export type KernelProblemKind = 'not-linux' | 'not-root' | 'tool-missing' | 'no-netns';

export type KernelSupport =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: KernelProblemKind; readonly message: string };

/** Debian package of each tool, for the "install it" hint. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  'iptables-restore': 'iptables',
  'ip6tables-restore': 'iptables',
  nft: 'nftables',
  conntrack: 'conntrack',
  python3: 'python3',
};

function works(cmd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.error === undefined && r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Checks everything, cheapest first; creates and removes one probe namespace. */
export function checkKernelSupport(): KernelSupport {
  if (process.platform !== 'linux') {
    return { ok: false, kind: 'not-linux', message: `the kernel harness needs Linux (this is ${process.platform})` };
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, kind: 'not-root', message: 'the kernel harness needs root (it creates network namespaces and loads rules into them); run it with sudo' };
  }
  const probes: readonly [string, readonly string[]][] = [
    ['ip', ['-V']], ['iptables-restore', ['--version']], ['ip6tables-restore', ['--version']], ['nft', ['--version']],
    ['conntrack', ['--version']], ['python3', ['-c', 'import socket; socket.AF_PACKET']],
  ];
  for (const [cmd, args] of probes) {
    const r = works(cmd, args);
    if (!r.ok) {
      return { ok: false, kind: 'tool-missing', message: `'${cmd}' is missing or broken; install the Debian package '${TOOL_PACKAGES[cmd] ?? cmd}'` };
    }
    if (cmd === 'iptables-restore' && !/nf_tables/.test(r.out)) {
      return {
        ok: false, kind: 'tool-missing',
        message: `iptables-restore uses the legacy back-end (${r.out.trim()}); the harness traces rules through nf_tables: install iptables ≥ 1.8 and select iptables-nft (update-alternatives --set iptables /usr/sbin/iptables-nft)`,
      };
    }
  }
  const probe = `${NS_PREFIX}${process.pid}-0-probe`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: 10_000 });
  if (add.status !== 0) {
    return { ok: false, kind: 'no-netns', message: `cannot create a network namespace: ${(add.stderr ?? '').trim() || 'ip netns add failed'}` };
  }
  const nft = spawnSync('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset'], { encoding: 'utf8', timeout: 10_000 });
  spawnSync('ip', ['netns', 'del', probe], { timeout: 10_000 });
  if (nft.status !== 0) {
    return { ok: false, kind: 'no-netns', message: `cannot use nftables inside a network namespace: ${(nft.stderr ?? '').trim()}` };
  }
  return { ok: true };
}
