import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../analysis/flow/flow.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';
import { hostLayer } from '../model/path.js';
import { ipAddrJson, routesJson, snapshotOf } from './testing.js';

const SERVER_ROUTES = routesJson([
  { dst: 'default', gateway: '198.19.0.1', dev: 'eth0' },
  { dst: '198.19.0.0/24', dev: 'eth0', scope: 'link' },
  { type: 'local', dst: '198.19.0.2', dev: 'eth0', table: 'local' },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local' },
]);

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp --dport 8080 -j ACCEPT
-A INPUT -p tcp --dport 9090 -j ACCEPT
-A INPUT -p udp --dport 53 -j ACCEPT
-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset
-A INPUT -p tcp --dport 81 -j REJECT
COMMIT
`;

const SS = `tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=812,fd=3))
tcp LISTEN 0 128 127.0.0.1:8080 0.0.0.0:* users:(("app",pid=900,fd=5))
`;

function server(extra: Record<string, string> = {}) {
  return snapshotOf('server', {
    'iptables.rules': RULES, 'ip-addr.json': ipAddrJson('eth0', ['198.19.0.2/24']), 'ip-route.json': SERVER_ROUTES,
    'ss.txt': SS, 'sysctl.txt': 'net.ipv4.ip_forward = 0\n', ...extra,
  });
}

function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(r.errors.join('; '));
  return r.packet;
}

function outcome(text: string, extra: Record<string, string> = {}) {
  const s = server(extra);
  expect(s.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return evaluateFlow({ layers: [hostLayer('server', s.host)] }, pkt(text));
}

describe('flows through one host', () => {
  it('opens a port that INPUT accepts and a socket listens on', () => {
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:22');
    expect(r.outcome).toBe('open');
    expect(r.packets).toHaveLength(2);
    expect(r.packets[1]?.fate).toBe('arrived');
  });
  it('is refused when the service listens on 127.0.0.1 only', () => {
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:8080');
    expect(r.outcome).toBe('refused');
    expect(r.reason).toMatch(/loopback only/);
  });
  it('is refused when nothing listens', () => {
    expect(outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:9090').outcome).toBe('refused');
  });
  it('times out on the policy DROP, naming the direction', () => {
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:443');
    expect(r.outcome).toBe('timeout');
    expect(r.dropped).toBe('forward');
    expect(r.reason).toMatch(/policy of filter\/INPUT/);
  });
  it('REJECT variants: tcp-reset refused, default ICMP port unreachable', () => {
    expect(outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:80').outcome).toBe('refused');
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:81');
    expect(r.outcome).toBe('unreachable');
    expect(r.icmp).toEqual({ type: 3, code: 3, name: 'port unreachable' });
  });
  it('UDP without a listener answers ICMP port unreachable', () => {
    const r = outcome('udp 198.18.0.5:40000 -> 198.19.0.2:53');
    expect(r.outcome).toBe('unreachable');
    expect(r.reason).toMatch(/nothing listens on udp 198\.19\.0\.2:53/);
  });
  it('times out in the reply direction when OUTPUT drops replies', () => {
    const rules = RULES.replace(':OUTPUT ACCEPT [0:0]', ':OUTPUT DROP [0:0]');
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:22', { 'iptables.rules': rules });
    expect(r.outcome).toBe('timeout');
    expect(r.dropped).toBe('reply');
    expect(r.reason).toMatch(/OUTPUT/);
  });
  it('the reply passes an OUTPUT DROP policy with an ESTABLISHED rule', () => {
    const rules = RULES.replace(':OUTPUT ACCEPT [0:0]', ':OUTPUT DROP [0:0]').replace('COMMIT', '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT');
    expect(outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:22', { 'iptables.rules': rules }).outcome).toBe('open');
  });
  it('TCP wrappers deny sshd: refused after the handshake', () => {
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:22', { 'hosts.deny': 'sshd: ALL\n', 'hosts.allow': 'sshd: 10.0.0.0/255.0.0.0\n', 'libwrap.txt': 'sshd /usr/sbin/sshd\n' });
    expect(r.outcome).toBe('refused');
    expect(r.reason).toMatch(/hosts\.deny:1/);
  });
  it('conntrack table full drops the new connection', () => {
    const r = outcome('tcp 198.18.0.5:40000 -> 198.19.0.2:22', { 'sysctl.txt': 'net.netfilter.nf_conntrack_max = 1000\nnet.netfilter.nf_conntrack_count = 1000\n' });
    expect(r.outcome).toBe('timeout');
    expect(r.reason).toMatch(/table full/);
  });
});
