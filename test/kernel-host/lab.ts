/**
 * Three namespaces for host-path flows, named `fwdh-<pid>-<n>-{c,r,s}`:
 *
 *   client 198.18.0.2/24 (fhc0) ── (fhr0) 198.18.0.1/24  router  198.19.0.1/24 (fhr1) ── (fhs0) 198.19.0.2/24  server
 *          fd00:f00d:18::2/64            fd00:f00d:18::1/64         fd00:f00d:19::1/64        fd00:f00d:19::2/64
 *
 * Client and server route everything through the router. ICMP error rate limits are off in the
 * router and the server so that every REJECT is answered. Servers run inside the server (and
 * router) namespace; everything is removed on teardown, on exit and on signals (src/kernel/cleanup.ts
 * registry), and stale namespaces of dead runs are removed at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { registerLab, registerPid, unregisterLab } from '../../src/kernel/cleanup.js';
import { run, runOk } from '../../src/kernel/exec.js';

export const PREFIX = 'fwdh-';
let counter = 0;

export interface HostLab {
  readonly client: string;
  readonly router: string;
  readonly server: string;
  destroy(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await runOk(['ip', ...args]);
}

export async function sysctlIn(ns: string, values: Readonly<Record<string, string>>): Promise<void> {
  const code = 'import sys\nfor a in sys.argv[1:]:\n    p, v = a.split("=", 1)\n    open(p, "w").write(v)\n';
  const pairs = Object.entries(values).map(([k, v]) => `/proc/sys/${k.replace(/\./g, '/')}=${v}`);
  await runOk(['ip', 'netns', 'exec', ns, 'python3', '-c', code, ...pairs]);
}

function removeStale(): void {
  void run(['ip', 'netns', 'list']).then(async (r) => {
    for (const line of r.stdout.split('\n')) {
      const name = line.trim().split(/\s+/)[0] ?? '';
      const m = /^fwdh-(\d+)-\d+-[crs]$/.exec(name);
      if (m === null || Number(m[1]) === process.pid) continue;
      try {
        process.kill(Number(m[1]), 0);
      } catch {
        await run(['ip', 'netns', 'del', name]);
      }
    }
  });
}

/** Python servers: TCP listeners (addr, port) and UDP echo sockets, until killed. */
const SERVE = `
import socket, select, sys, json
spec = json.loads(sys.argv[1])
socks = []
for proto, addr, port in spec:
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if proto == 'tcp':
        s.listen(512)
    socks.append((proto, s))
print('ready', flush=True)
while True:
    r, _, _ = select.select([s for _, s in socks], [], [], 1.0)
    for s in r:
        if s.type == socket.SOCK_STREAM:
            try:
                c, _ = s.accept()
                c.close()
            except OSError:
                pass
        else:
            try:
                data, peer = s.recvfrom(2048)
                s.sendto(data, peer)
            except OSError:
                pass  # EPERM: OUTPUT dropped the reply
`;

export async function startServers(lab: { id: string }, ns: string, spec: readonly (readonly [string, string, number])[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', SERVE, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  registerPid(lab.id, child.pid);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('servers did not start')), 10_000);
    child.stdout?.once('data', () => { clearTimeout(timer); resolve(); });
    child.once('exit', (c) => { clearTimeout(timer); reject(new Error(`servers exited with ${c}`)); });
  });
  return child;
}

export async function createHostLab(): Promise<HostLab & { id: string }> {
  removeStale();
  counter++;
  const id = `${PREFIX}${process.pid}-${counter}`;
  const client = `${id}-c`;
  const router = `${id}-r`;
  const server = `${id}-s`;
  const all = [client, router, server];
  registerLab(id, all);
  const destroy = async (): Promise<void> => {
    for (const ns of all) {
      const pids = await run(['ip', 'netns', 'pids', ns]);
      for (const p of pids.stdout.split(/\s+/)) if (/^\d+$/.test(p)) { try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ } }
      await run(['ip', 'netns', 'del', ns]);
    }
    unregisterLab(id);
  };
  try {
    for (const ns of all) await ip('netns', 'add', ns);
    // No duplicate address detection: addresses (link-local ones too) are usable at once.
    for (const ns of all) await sysctlIn(ns, { 'net.ipv6.conf.all.accept_dad': '0', 'net.ipv6.conf.default.accept_dad': '0' });
    await ip('link', 'add', 'fhc0', 'netns', client, 'type', 'veth', 'peer', 'name', 'fhr0', 'netns', router);
    await ip('link', 'add', 'fhr1', 'netns', router, 'type', 'veth', 'peer', 'name', 'fhs0', 'netns', server);
    for (const [ns, dev] of [[client, 'fhc0'], [router, 'fhr0'], [router, 'fhr1'], [server, 'fhs0'], [client, 'lo'], [router, 'lo'], [server, 'lo']] as const) {
      await ip('-n', ns, 'link', 'set', dev, 'up');
    }
    await ip('-n', client, 'addr', 'add', '198.18.0.2/24', 'dev', 'fhc0');
    await ip('-n', client, 'addr', 'add', '198.18.0.3/24', 'dev', 'fhc0');
    await ip('-n', router, 'addr', 'add', '198.18.0.1/24', 'dev', 'fhr0');
    await ip('-n', router, 'addr', 'add', '198.19.0.1/24', 'dev', 'fhr1');
    await ip('-n', server, 'addr', 'add', '198.19.0.2/24', 'dev', 'fhs0');
    await ip('-n', client, 'route', 'add', 'default', 'via', '198.18.0.1');
    await ip('-n', server, 'route', 'add', 'default', 'via', '198.19.0.1');
    for (const [ns, cidr, dev] of [[client, 'fd00:f00d:18::2/64', 'fhc0'], [client, 'fd00:f00d:18::3/64', 'fhc0'], [router, 'fd00:f00d:18::1/64', 'fhr0'],
      [router, 'fd00:f00d:19::1/64', 'fhr1'], [server, 'fd00:f00d:19::2/64', 'fhs0']] as const) {
      await ip('-n', ns, 'addr', 'add', cidr, 'dev', dev, 'nodad');
    }
    await ip('-n', client, '-6', 'route', 'add', 'default', 'via', 'fd00:f00d:18::1');
    await ip('-n', server, '-6', 'route', 'add', 'default', 'via', 'fd00:f00d:19::1');
    const quiet = { 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0', 'net.ipv4.icmp_ratelimit': '0', 'net.ipv4.icmp_msgs_per_sec': '100000', 'net.ipv4.icmp_msgs_burst': '100000', 'net.ipv6.icmp.ratelimit': '0' };
    await sysctlIn(router, { ...quiet, 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
    await sysctlIn(server, quiet);
    await sysctlIn(client, { 'net.ipv4.conf.all.rp_filter': '0' });
    // IPv4 neighbours resolved once, so that no ARP timing enters a case. IPv6 ones are flushed every
    // round instead (flushNeighbours): neighbour discovery is filtered, and is part of what is checked.
    await runOk(['ip', 'netns', 'exec', client, 'ping', '-c', '1', '-W', '2', '198.18.0.1']).catch(() => undefined);
    await runOk(['ip', 'netns', 'exec', server, 'ping', '-c', '1', '-W', '2', '198.19.0.1']).catch(() => undefined);
    return { id, client, router, server, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}

/** Forgets every IPv6 neighbour, so that the next round resolves them again through its own rules. */
export async function flushNeighbours(lab: HostLab): Promise<void> {
  await Promise.all([lab.client, lab.router, lab.server].map((ns) => ip('-n', ns, '-6', 'neigh', 'flush', 'all')));
}
