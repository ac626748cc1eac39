/**
 * The client's view of many flows at once, with real sockets: TCP connect (non-blocking, one SYN
 * within the timeout) and UDP send/receive, while an AF_PACKET socket on the client's interface
 * records every TCP reset and ICMP error that answers a flow (matched by the flow's source port).
 * Outcome per flow: open, refused (RST), unreachable (ICMP type/code), timeout.
 */
import { runOk } from '../../src/kernel/exec.js';

export interface ProbeFlow {
  readonly proto: 'tcp' | 'udp';
  readonly dst: string;
  readonly dport: number;
  readonly sport: number;
  /** Source address (default: the interface's). */
  readonly src?: string;
}

export interface ProbeResult {
  readonly outcome: 'open' | 'refused' | 'unreachable' | 'timeout';
  readonly icmp?: readonly [number, number];
}

const PROBE = `
import socket, select, struct, sys, json, time, errno
flows = json.loads(sys.stdin.read())
timeout = float(sys.argv[2])
sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
sniff.bind((sys.argv[1], 0))
sniff.setblocking(False)
res = [None] * len(flows)
socks = {}
for i, f in enumerate(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if f['proto'] == 'tcp' else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f.get('src', '0.0.0.0'), f['sport']))
    s.setblocking(False)
    if f['proto'] == 'tcp':
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        s.connect_ex((f['dst'], f['dport']))
    else:
        s.connect((f['dst'], f['dport']))
        try: s.send(b'ping')
        except OSError: pass
    socks[s.fileno()] = (i, s)
by_sport = {f['sport']: i for i, f in enumerate(flows)}
seen = {}
def read_sniff():
    while True:
        try: pkt = sniff.recv(65535)
        except BlockingIOError: return
        ip = pkt[14:]
        if len(ip) < 20: continue
        ihl = (ip[0] & 15) * 4
        proto = ip[9]
        l4 = ip[ihl:]
        if proto == 6 and len(l4) >= 14:
            sp, dp = struct.unpack('!HH', l4[:4])
            if l4[13] & 4 and dp in by_sport: seen.setdefault(by_sport[dp], ('rst',))
        elif proto == 1 and len(l4) >= 8 + 20 + 4:
            t, c = l4[0], l4[1]
            inner = l4[8:]
            iihl = (inner[0] & 15) * 4
            if len(inner) >= iihl + 4:
                sp, = struct.unpack('!H', inner[iihl:iihl+2])
                if sp in by_sport and t in (3, 11, 12): seen.setdefault(by_sport[sp], ('icmp', t, c))
deadline = time.time() + timeout
pending = dict(socks)
while pending and time.time() < deadline:
    wl = [fd for fd, (i, s) in pending.items() if flows[i]['proto'] == 'tcp']
    rl = [fd for fd, (i, s) in pending.items() if flows[i]['proto'] == 'udp'] + [sniff.fileno()]
    r, w, _ = select.select(rl, wl, [], max(0.0, min(0.05, deadline - time.time())))
    read_sniff()
    for fd in set(r + w):
        if fd not in pending: continue
        i, s = pending[fd]
        if flows[i]['proto'] == 'tcp':
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            res[i] = 'open' if err == 0 else 'error%d' % err
        else:
            try:
                s.recv(2048); res[i] = 'open'
            except OSError:
                res[i] = 'error'
        del pending[fd]
time.sleep(0.05)
read_sniff()
out = []
for i, f in enumerate(flows):
    sn = seen.get(i)
    if res[i] == 'open': out.append({'outcome': 'open'})
    elif sn is not None and sn[0] == 'rst': out.append({'outcome': 'refused'})
    elif sn is not None: out.append({'outcome': 'unreachable', 'icmp': [sn[1], sn[2]]})
    else: out.append({'outcome': 'timeout'})
    if res[i] is not None and res[i].startswith('error') and len(sys.argv) > 3: out[-1]['errno'] = res[i]
for fd, (i, s) in socks.items(): s.close()
print(json.dumps(out))
`;

export async function probe(ns: string, iface: string, flows: readonly ProbeFlow[], timeoutSec: number): Promise<ProbeResult[]> {
  const r = await runOk(['ip', 'netns', 'exec', ns, 'python3', '-c', PROBE, iface, String(timeoutSec), ...(process.env.FWDOCTOR_HOST_KERNEL_DEBUG ? ['debug'] : [])], { input: JSON.stringify(flows), timeoutMs: 30_000 });
  return JSON.parse(r.stdout) as ProbeResult[];
}
