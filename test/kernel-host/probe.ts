/**
 * The client's view of many flows at once, with real sockets: TCP connect (non-blocking, one SYN
 * within the timeout) and UDP send/receive, IPv4 and IPv6, while an AF_PACKET socket records every
 * TCP reset and ICMP / ICMPv6 error that answers a flow (matched by the flow's source port).
 * Outcome per flow: open, refused (RST), unreachable (ICMP type/code), timeout, and for flows the
 * probing host opens to itself or through its own OUTPUT (`local`): denied (send() fails with
 * EPERM) and no-route (connect() fails at once with ENETUNREACH). In `local` mode the sniffer
 * listens on every interface (lo included) and an answer counts only when the socket reported an
 * error: an answer INPUT drops is seen on the wire but never reaches the socket.
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
  readonly outcome: 'open' | 'refused' | 'unreachable' | 'timeout' | 'denied' | 'no-route';
  readonly icmp?: readonly [number, number];
}

const PROBE = `
import socket, select, struct, sys, json, time, errno
flows = json.loads(sys.stdin.read())
iface, timeout, local = sys.argv[1], float(sys.argv[2]), sys.argv[3] == 'local'
sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
if iface: sniff.bind((iface, 0))
sniff.setblocking(False)
res = [None] * len(flows)
socks = {}
for i, f in enumerate(flows):
    fam = socket.AF_INET6 if ':' in f['dst'] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if f['proto'] == 'tcp' else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f.get('src', '::' if fam == socket.AF_INET6 else '0.0.0.0'), f['sport']))
    s.setblocking(False)
    if f['proto'] == 'tcp':
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        e = s.connect_ex((f['dst'], f['dport']))
        if e not in (0, errno.EINPROGRESS): res[i] = e
    else:
        try:
            s.connect((f['dst'], f['dport']))
            s.send(b'ping')
        except OSError as ex:
            res[i] = ex.errno
    if res[i] is None: socks[s.fileno()] = (i, s)
    else: s.close()
by_sport = {f['sport']: i for i, f in enumerate(flows)}
seen = {}
def ports(l4):
    return struct.unpack('!HH', l4[:4]) if len(l4) >= 4 else (None, None)
def read_sniff():
    while True:
        try: pkt, addr = sniff.recvfrom(65535)
        except BlockingIOError: return
        if addr[2] == socket.PACKET_OUTGOING: continue
        etype = struct.unpack('!H', pkt[12:14])[0]
        ip = pkt[14:]
        if etype == 0x0800 and len(ip) >= 20:
            ihl = (ip[0] & 15) * 4
            proto, l4 = ip[9], ip[ihl:]
            err_types = (3, 11, 12)
        elif etype == 0x86dd and len(ip) >= 40:
            proto, l4 = ip[6], ip[40:]
            err_types = (1, 3, 4)
        else: continue
        if proto == 6 and len(l4) >= 14:
            sp, dp = ports(l4)
            if l4[13] & 4 and dp in by_sport: seen.setdefault(by_sport[dp], ('rst',))
        elif proto in (1, 58) and len(l4) >= 8:
            t, c = l4[0], l4[1]
            inner = l4[8:]
            if etype == 0x0800 and len(inner) >= 20: inner = inner[(inner[0] & 15) * 4:]
            elif etype == 0x86dd and len(inner) >= 40: inner = inner[40:]
            else: continue
            sp, dp = ports(inner)
            if sp in by_sport and t in err_types: seen.setdefault(by_sport[sp], ('icmp', t, c))
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
            res[i] = 'open' if err == 0 else err
        else:
            try:
                s.recv(2048); res[i] = 'open'
            except OSError as ex:
                res[i] = ex.errno
        del pending[fd]
time.sleep(0.05)
read_sniff()
out = []
for i, f in enumerate(flows):
    sn = seen.get(i)
    err = res[i] if isinstance(res[i], int) else None
    if res[i] == 'open': out.append({'outcome': 'open'})
    elif local and err == errno.EPERM: out.append({'outcome': 'denied'})
    elif local and err == errno.ENETUNREACH and sn is None: out.append({'outcome': 'no-route'})
    elif local and err is None: out.append({'outcome': 'timeout'})
    elif sn is not None and sn[0] == 'rst': out.append({'outcome': 'refused'})
    elif sn is not None: out.append({'outcome': 'unreachable', 'icmp': [sn[1], sn[2]]})
    else: out.append({'outcome': 'timeout'})
    if err is not None and len(sys.argv) > 4: out[-1]['errno'] = errno.errorcode.get(err, err)
for fd, (i, s) in socks.items(): s.close()
print(json.dumps(out))
`;

/** `iface` '' with `local`: sniff on every interface of the namespace (flows it opens itself). */
export async function probe(ns: string, iface: string, flows: readonly ProbeFlow[], timeoutSec: number, local = false): Promise<ProbeResult[]> {
  const args = [iface, String(timeoutSec), local ? 'local' : 'remote', ...(process.env.FWDOCTOR_HOST_KERNEL_DEBUG ? ['debug'] : [])];
  const r = await runOk(['ip', 'netns', 'exec', ns, 'python3', '-c', PROBE, ...args], { input: JSON.stringify(flows), timeoutMs: 30_000 });
  return JSON.parse(r.stdout) as ProbeResult[];
}
