/** Flows a host opens itself: OUTPUT, re-routing after OUTPUT DNAT / REDIRECT, lo, and the reply back in. */
import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../analysis/flow/flow.js';
import type { FlowResult } from '../analysis/flow/types.js';
import { formatValue } from '../model/address.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';
import { hostLayer } from '../model/path.js';
import { ipAddrJson, routesJson, snapshotOf } from './testing.js';

const ROUTER_ADDR = JSON.stringify([
  { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet', local: '198.18.0.1', prefixlen: 24 }] },
  { ifindex: 3, ifname: 'eth1', addr_info: [{ family: 'inet', local: '198.19.0.1', prefixlen: 24 }] },
]);
const ROUTER_ROUTES = routesJson([
  { dst: '198.18.0.0/24', dev: 'eth0', scope: 'link' },
  { dst: '198.19.0.0/24', dev: 'eth1', scope: 'link' },
  { type: 'local', dst: '198.18.0.1', dev: 'eth0', table: 'local' },
  { type: 'local', dst: '198.19.0.1', dev: 'eth1', table: 'local' },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local' },
]);
const SERVER_ROUTES = routesJson([
  { dst: 'default', gateway: '198.19.0.1', dev: 'eth0' },
  { dst: '198.19.0.0/24', dev: 'eth0', scope: 'link' },
  { type: 'local', dst: '198.19.0.2', dev: 'eth0', table: 'local' },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local' },
]);

function rules(o: { input?: string; output?: string; nat?: string[]; filter?: string[] }): string {
  return ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...(o.nat ?? []), 'COMMIT',
    '*filter', `:INPUT ${o.input ?? 'ACCEPT'} [0:0]`, ':FORWARD ACCEPT [0:0]', `:OUTPUT ${o.output ?? 'ACCEPT'} [0:0]`, ...(o.filter ?? []), 'COMMIT', ''].join('\n');
}

function router(rs: string) {
  return snapshotOf('router', {
    'iptables.rules': rs, 'ip-addr.json': ROUTER_ADDR, 'ip-route.json': ROUTER_ROUTES, 'sysctl.txt': 'net.ipv4.ip_forward = 1\n',
    'ss.txt': 'tcp LISTEN 0 128 127.0.0.1:3128 0.0.0.0:* users:(("proxy",pid=7,fd=3))\ntcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=8,fd=3))\nudp UNCONN 0 0 0.0.0.0:53 0.0.0.0:* users:(("dns",pid=9,fd=3))\n',
  });
}

const server = snapshotOf('server', {
  'iptables.rules': rules({ input: 'DROP', filter: ['-A INPUT -p tcp --dport 80 -j ACCEPT', '-A INPUT -p udp --dport 53 -j ACCEPT'] }),
  'ip-addr.json': ipAddrJson('eth0', ['198.19.0.2/24']), 'ip-route.json': SERVER_ROUTES,
  'ss.txt': 'tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(("web",pid=5,fd=3))\nudp UNCONN 0 0 0.0.0.0:53 0.0.0.0:* users:(("dns",pid=6,fd=3))\n',
});

function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(r.errors.join('; '));
  return r.packet;
}

function flow(rs: string, text: string): FlowResult {
  const r = router(rs);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return evaluateFlow({ layers: [hostLayer('router', r.host), hostLayer('server', server.host)] }, pkt(text));
}

describe('locally originated flows', () => {
  it('leaves through OUTPUT and POSTROUTING, says so, and opens', () => {
    const r = flow(rules({}), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(r.outcome).toBe('open');
    expect(r.notes.some((n) => n.startsWith('locally originated'))).toBe(true);
    expect(r.packets[0]?.stages.filter((s) => s.layer === 'router').map((s) => s.stage)).toEqual(['routing', 'output', 'postrouting']);
  });
  it('an OUTPUT DROP fails a datagram at once (denied) and times a TCP connect out', () => {
    const rs = rules({ output: 'DROP' });
    expect(flow(rs, 'udp 198.19.0.1:40000 -> 198.19.0.2:53').outcome).toBe('denied');
    const t = flow(rs, 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(t.outcome).toBe('timeout');
    expect(t.reason).toMatch(/ETIMEDOUT/);
  });
  it('the ICMP error or reset of an OUTPUT REJECT comes back over lo through OUTPUT and INPUT', () => {
    const rej = ['-A OUTPUT -p tcp --dport 80 -j REJECT --reject-with icmp-host-unreachable'];
    const r = flow(rules({ filter: rej }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(r.outcome).toBe('unreachable');
    expect(r.icmp).toMatchObject({ type: 3, code: 1 });
    expect(flow(rules({ input: 'DROP', filter: rej }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80').outcome).toBe('timeout');
    const rst = flow(rules({ filter: ['-A OUTPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset'] }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(rst.outcome).toBe('refused');
    // A REJECT of every TCP packet in OUTPUT also rejects the reset it builds: nothing comes back.
    const all = flow(rules({ filter: ['-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset'] }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(all.outcome).toBe('timeout');
  });
  it('OUTPUT DNAT re-routes the first packet and the reply comes back un-NATed', () => {
    const rs = rules({ nat: ['-A OUTPUT -d 198.18.0.99 -p tcp --dport 8080 -j DNAT --to-destination 198.19.0.2:80'] });
    const r = flow(rs, 'tcp 198.19.0.1:40000 -> 198.18.0.99:8080');
    expect(r.outcome).toBe('open');
    expect(r.packets[0]?.stages.some((s) => s.stage === 'routing' && /re-routing/.test(s.summary) && /eth1/.test(s.summary))).toBe(true);
    const last = r.packets[1]?.stages.at(-1);
    expect(last?.stage).toBe('input');
    const back = r.packets[1]?.stages.find((s) => s.nat?.type === 'un-dnat');
    expect(back?.nat?.after.src !== undefined ? formatValue('ipv4', back.nat.after.src) : '').toBe('198.18.0.99');
  });
  it('OUTPUT REDIRECT delivers to a local socket over lo (127.0.0.1 listeners take it)', () => {
    const nat = ['-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 3128'];
    const r = flow(rules({ nat }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(r.outcome).toBe('open');
    expect(r.packets[0]?.stages.map((s) => s.stage)).toContain('socket');
    const wrong = flow(rules({ nat: ['-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 3129'] }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(wrong.outcome).toBe('refused');
    expect(wrong.reason).toMatch(/nothing listens on tcp 127\.0\.0\.1:3129/);
  });
  it('local to local passes INPUT: a DROP policy there times it out, an ICMP REJECT answers', () => {
    expect(flow(rules({ input: 'DROP' }), 'tcp 198.18.0.1:40000 -> 198.19.0.1:22').outcome).toBe('timeout');
    expect(flow(rules({ input: 'DROP', filter: ['-A INPUT -i lo -j ACCEPT'] }), 'tcp 198.18.0.1:40000 -> 198.19.0.1:22').outcome).toBe('open');
    const u = flow(rules({ filter: ['-A INPUT -p udp -j REJECT'] }), 'udp 198.18.0.1:40000 -> 198.19.0.1:53');
    expect(u.outcome).toBe('unreachable');
  });
  it('the reply needs INPUT to accept it: an INPUT DROP policy without ESTABLISHED drops it', () => {
    const r = flow(rules({ input: 'DROP' }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(r.outcome).toBe('timeout');
    expect(r.dropped).toBe('reply');
    const ok = flow(rules({ input: 'DROP', filter: ['-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'] }), 'tcp 198.19.0.1:40000 -> 198.19.0.2:80');
    expect(ok.outcome).toBe('open');
  });
  it('no route fails at once', () => {
    const r = flow(rules({}), 'tcp 198.19.0.1:40000 -> 198.20.0.9:80');
    expect(r.outcome).toBe('no-route');
    expect(r.reason).toMatch(/Network is unreachable/);
  });
});

describe('locally originated UDP and ICMP errors', () => {
  it('a soft ICMP error (host unreachable) is invisible to the UDP socket; port unreachable is not', () => {
    const soft = flow(rules({ filter: ['-A OUTPUT -p udp --dport 53 -j ACCEPT'] }), 'udp 198.19.0.1:40000 -> 198.19.0.1:5353');
    expect(soft.outcome).toBe('unreachable');
    const host = flow(rules({ filter: ['-A INPUT -p udp --dport 5353 -j REJECT --reject-with icmp-host-unreachable'] }), 'udp 198.19.0.1:40000 -> 198.19.0.1:5353');
    expect(host.outcome).toBe('timeout');
    expect(host.reason).toMatch(/IP_RECVERR/);
  });
});
