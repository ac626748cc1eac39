/**
 * Throwaway network namespaces for the kernel harness.
 *
 *   client ns (fwdk-P-N-c)                       server ns (fwdk-P-N-s)
 *     fwc1  ───────── veth ─────────  fwo1        local 198.19.0.0/16, fd00:f00d:19::/48
 *     fwc2  ───────── veth ─────────  <name 2>    (every address there is "this host")
 *     fwck  ───────── veth ─────────  fwk0        sentinel link: marks the end of a batch
 *
 * The client sends raw frames with any source in 198.18.0.0/16 or fd00:f00d:18::/48; rp_filter is
 * off so spoofed sources pass, DAD is off so IPv6 works at once, and the server reaches the client
 * range through a permanent neighbour entry (no ARP / ND traffic). With `router: true` a router
 * namespace sits between client and server (for forwarding / NAT cases); injected packets then
 * arrive at the router, which forwards them to the server.
 *
 * Every command is an argument array run with `ip -n NS` or `ip netns exec NS`; nothing is
 * configured in the host's own namespace.
 */
import { registerLab, removeStaleNamespaces, unregisterLab, registerPid, unregisterPid, NS_PREFIX } from './cleanup.js';
import { run, runOk, inNs } from './exec.js';
import { spawnSync } from 'node:child_process';

export const CLIENT_V4 = '198.18.0.0/16';
export const SERVER_V4 = '198.19.0.0/16';
export const CLIENT_V6 = 'fd00:f00d:18::/48';
export const SERVER_V6 = 'fd00:f00d:19::/48';
/** Next hop on the server side for replies to the client range (a permanent neighbour). */
const CLIENT_GW_V4 = '198.18.0.1';
const CLIENT_GW_V6 = 'fe80::1';

export const SENTINEL_IF = 'fwk0';
const SENTINEL_CLIENT_IF = 'fwck';

export interface LabLink {
  /** Interface name inside the server (or router) namespace: what `-i` sees. */
  readonly serverIf: string;
  /** Its peer inside the client namespace, where frames are written. */
  readonly clientIf: string;
  readonly serverMac: string;
  readonly clientMac: string;
}

export interface LabOptions {
  /** Server-side interface names packets can arrive on (default ['fwo1']); at most 30, 15 chars each. */
  readonly interfaces?: readonly string[];
  /** Put a router namespace between client and server. */
  readonly router?: boolean;
}

export interface Lab {
  readonly id: string;
  readonly server: string;
  readonly client: string;
  readonly router?: string;
  /** The namespace whose rules are tested: the server, or the router when there is one. */
  readonly firewall: string;
  readonly links: readonly LabLink[];
  readonly sentinel: LabLink;
  /** Records a process started inside the lab so teardown (and signal handlers) kill it. */
  adopt(pid: number | undefined): void;
  release(pid: number | undefined): void;
  destroy(): Promise<void>;
}

let counter = 0;

function mac(side: number, n: number): string {
  return `02:fd:00:00:${side.toString(16).padStart(2, '0')}:${n.toString(16).padStart(2, '0')}`;
}

/** Interface names the kernel accepts (IFNAMSIZ 16, no '/', ':' or whitespace). */
export function isValidIfName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

/** Writes sysctls inside `ns` through /proc/sys (procps may be absent; python3 is needed anyway). */
async function setSysctls(ns: string, values: Readonly<Record<string, string>>): Promise<void> {
  const pairs = Object.entries(values).map(([k, v]) => `/proc/sys/${k.replace(/\./g, '/')}=${v}`);
  const code = 'import sys\nfor a in sys.argv[1:]:\n    p, v = a.split("=", 1)\n    open(p, "w").write(v)\n';
  await runOk(inNs(ns, ['python3', '-c', code, ...pairs]));
}

async function ip(...args: string[]): Promise<void> {
  await runOk(['ip', ...args]);
}

/** Creates the namespaces and links; on any failure, removes what was created and rethrows. */
export async function createLab(opts: LabOptions = {}): Promise<Lab> {
  removeStaleNamespaces();
  const names = opts.interfaces ?? ['fwo1'];
  if (names.length === 0 || names.length > 30) throw new Error(`a lab needs 1 to 30 interfaces, got ${names.length}`);
  for (const n of names) {
    if (!isValidIfName(n) || n === 'lo' || n === SENTINEL_IF) throw new Error(`cannot create a test interface named '${n}'`);
  }
  if (new Set(names).size !== names.length) throw new Error('duplicate interface names');
  counter += 1;
  const id = `${NS_PREFIX}${process.pid}-${counter}`;
  const server = `${id}-s`;
  const client = `${id}-c`;
  const router = opts.router ? `${id}-r` : undefined;
  const all = [client, server, ...(router ? [router] : [])];
  registerLab(id, all);
  const pids = new Set<number>();
  const destroy = async (): Promise<void> => {
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const ns of all) await run(['ip', 'netns', 'del', ns], { timeoutMs: 10_000 });
    unregisterLab(id);
  };
  try {
    for (const ns of all) await ip('netns', 'add', ns);
    const fw = router ?? server;
    const quiet: Record<string, string> = {
      'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0',
      'net.ipv6.conf.all.accept_dad': '0', 'net.ipv6.conf.default.accept_dad': '0',
      'net.ipv6.conf.default.router_solicitations': '0', 'net.ipv6.conf.all.router_solicitations': '0',
    };
    await setSysctls(server, quiet);
    await setSysctls(client, { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' });
    if (router) {
      await setSysctls(router, { ...quiet, 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
    }
    const links: LabLink[] = [];
    const linkNames = [...names.map((n, i) => [n, `fwc${i + 1}`] as const), [SENTINEL_IF, SENTINEL_CLIENT_IF] as const];
    for (const [i, [serverIf, clientIf]] of linkNames.entries()) {
      const link: LabLink = { serverIf, clientIf, serverMac: mac(1, i + 1), clientMac: mac(0, i + 1) };
      await ip('link', 'add', clientIf, 'netns', client, 'address', link.clientMac, 'type', 'veth',
        'peer', 'name', serverIf, 'netns', fw, 'address', link.serverMac);
      await ip('-n', client, 'link', 'set', clientIf, 'up');
      await ip('-n', fw, 'link', 'set', serverIf, 'up');
      links.push(link);
    }
    for (const ns of all) await ip('-n', ns, 'link', 'set', 'lo', 'up');
    const first = links[0] as LabLink;
    await ip('-n', client, 'addr', 'add', `${CLIENT_GW_V4}/16`, 'dev', first.clientIf);
    if (router) {
      await ip('link', 'add', 'fwr0', 'netns', router, 'address', mac(2, 1), 'type', 'veth',
        'peer', 'name', 'fwo1', 'netns', server, 'address', mac(2, 2));
      await ip('-n', router, 'link', 'set', 'fwr0', 'up');
      await ip('-n', server, 'link', 'set', 'fwo1', 'up');
      await ip('-n', router, 'addr', 'add', '198.18.255.254/32', 'dev', 'fwr0');
      await ip('-n', router, 'route', 'add', SERVER_V4, 'dev', 'fwr0');
      await ip('-n', router, '-6', 'route', 'add', SERVER_V6, 'dev', 'fwr0');
      await ip('-n', router, 'neigh', 'add', '198.19.255.254', 'lladdr', mac(2, 2), 'dev', 'fwr0', 'nud', 'permanent');
      await ip('-n', router, 'route', 'replace', SERVER_V4, 'via', '198.19.255.254', 'dev', 'fwr0', 'onlink');
      await ip('-n', router, '-6', 'neigh', 'add', 'fe80::2', 'lladdr', mac(2, 2), 'dev', 'fwr0', 'nud', 'permanent');
      await ip('-n', router, '-6', 'route', 'replace', SERVER_V6, 'via', 'fe80::2', 'dev', 'fwr0');
      await ip('-n', server, 'neigh', 'add', '198.18.255.254', 'lladdr', mac(2, 1), 'dev', 'fwo1', 'nud', 'permanent');
      await ip('-n', server, 'route', 'add', CLIENT_V4, 'via', '198.18.255.254', 'dev', 'fwo1', 'onlink');
      await ip('-n', server, '-6', 'neigh', 'add', 'fe80::3', 'lladdr', mac(2, 1), 'dev', 'fwo1', 'nud', 'permanent');
      await ip('-n', server, '-6', 'route', 'add', CLIENT_V6, 'via', 'fe80::3', 'dev', 'fwo1');
    }
    await ip('-n', server, 'route', 'add', 'local', SERVER_V4, 'dev', 'lo');
    await ip('-n', server, '-6', 'route', 'add', 'local', SERVER_V6, 'dev', 'lo');
    // Replies (RST, ICMP errors) go back to the client without address resolution.
    await ip('-n', fw, 'neigh', 'add', CLIENT_GW_V4, 'lladdr', first.clientMac, 'dev', first.serverIf, 'nud', 'permanent');
    await ip('-n', fw, 'route', 'add', CLIENT_V4, 'via', CLIENT_GW_V4, 'dev', first.serverIf, 'onlink');
    await ip('-n', fw, '-6', 'neigh', 'add', CLIENT_GW_V6, 'lladdr', first.clientMac, 'dev', first.serverIf, 'nud', 'permanent');
    await ip('-n', fw, '-6', 'route', 'add', CLIENT_V6, 'via', CLIENT_GW_V6, 'dev', first.serverIf);
    const sentinel = links.pop() as LabLink;
    return {
      id, server, client, firewall: fw, links, sentinel,
      ...(router ? { router } : {}),
      adopt: (pid) => { if (pid !== undefined) { pids.add(pid); registerPid(id, pid); } },
      release: (pid) => { if (pid !== undefined) { pids.delete(pid); unregisterPid(id, pid); } },
      destroy,
    };
  } catch (e) {
    await destroy();
    throw e;
  }
}

/** Namespace names currently present (for tests that check nothing leaked). */
export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.length > 0);
}
