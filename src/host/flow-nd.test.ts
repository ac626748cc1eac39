/** IPv6 neighbour discovery filtered by ip6tables: NS/NA must pass OUTPUT and INPUT on both ends of a link. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../analysis/diagnose/diagnose.js';
import { ICMPV6_TCP_NOTE, evaluateFlow } from '../analysis/flow/flow.js';
import { solicitedNode } from '../analysis/flow/neighbour.js';
import { formatValue, parseAddress } from '../model/address.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';
import { hostLayer } from '../model/path.js';
import { routesJson, snapshotOf } from './testing.js';

const ROUTER_ADDR = JSON.stringify([
  { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet6', local: '::1', prefixlen: 128 }] },
  { ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet6', local: 'fd00:f00d:18::1', prefixlen: 64 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
  { ifindex: 3, ifname: 'eth1', addr_info: [{ family: 'inet6', local: 'fd00:f00d:19::1', prefixlen: 64 }, { family: 'inet6', local: 'fe80::2', prefixlen: 64 }] },
]);
const ROUTER_ROUTES = routesJson([
  { dst: 'fd00:f00d:18::/64', dev: 'eth0' }, { dst: 'fd00:f00d:19::/64', dev: 'eth1' },
  { type: 'local', dst: 'fd00:f00d:18::1', dev: 'eth0', table: 'local' }, { type: 'local', dst: 'fd00:f00d:19::1', dev: 'eth1', table: 'local' },
  { type: 'local', dst: '::1', dev: 'lo', table: 'local' },
]);
const SERVER_ADDR = JSON.stringify([
  { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet6', local: '::1', prefixlen: 128 }] },
  { ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet6', local: 'fd00:f00d:19::2', prefixlen: 64 }, { family: 'inet6', local: 'fe80::9', prefixlen: 64 }] },
]);
const SERVER_ROUTES = routesJson([
  { dst: 'default', gateway: 'fd00:f00d:19::1', dev: 'eth0' }, { dst: 'fd00:f00d:19::/64', dev: 'eth0' },
  { type: 'local', dst: 'fd00:f00d:19::2', dev: 'eth0', table: 'local' }, { type: 'local', dst: '::1', dev: 'lo', table: 'local' },
]);

function v6rules(input: string[], output: string[] = [], policy = 'DROP'): string {
  return ['*filter', `:INPUT ${policy} [0:0]`, ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...input, ...output, 'COMMIT', ''].join('\n');
}
const ND_IN = ['-A INPUT -p ipv6-icmp --icmpv6-type 135 -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type 136 -j ACCEPT'];

function path(routerRules: string, serverRules = v6rules([...ND_IN, '-A INPUT -p tcp --dport 80 -j ACCEPT'])) {
  const r = snapshotOf('router', { 'ip6tables.rules': routerRules, 'ip-addr.json': ROUTER_ADDR, 'ip6-route.json': ROUTER_ROUTES, 'sysctl.txt': 'net.ipv6.conf.all.forwarding = 1\n' });
  const s = snapshotOf('server', { 'ip6tables.rules': serverRules, 'ip-addr.json': SERVER_ADDR, 'ip6-route.json': SERVER_ROUTES, 'ss.txt': 'tcp LISTEN 0 128 [::]:80 [::]:* users:(("web",pid=5,fd=3))\n' });
  for (const x of [r, s]) expect(x.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { layers: [hostLayer('router', r.host), hostLayer('server', s.host)] };
}

function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(r.errors.join('; '));
  return r.packet;
}

const TO_SERVER = 'tcp [fd00:f00d:18::2]:40000 -> [fd00:f00d:19::2]:80';

describe('IPv6 neighbour discovery', () => {
  it('the solicited-node address keeps the low 24 bits', () => {
    expect(formatValue('ipv6', solicitedNode(parseAddress('fd00:f00d:19::2')?.value ?? 0n))).toBe('ff02::1:ff00:2');
  });
  it('an INPUT DROP policy with only ESTABLISHED,RELATED blocks the solicitation: timeout at the router', () => {
    const r = evaluateFlow(path(v6rules(['-A INPUT -p tcp --dport 22 -j ACCEPT'])), pkt(TO_SERVER));
    expect(r.outcome).toBe('timeout');
    const end = r.packets[0]?.end;
    expect(end?.stage).toBe('neighbour');
    expect(end?.layer).toBe('router');
    expect(end?.summary).toMatch(/^neighbour discovery blocked by the policy of filter\/INPUT: the neighbour solicitation for fd00:f00d:18::1/);
  });
  it('accepting ICMPv6 135 and 136 opens it', () => {
    expect(evaluateFlow(path(v6rules(ND_IN)), pkt(TO_SERVER)).outcome).toBe('open');
  });
  it('an OUTPUT DROP of advertisements blocks the answer to the client\'s solicitation', () => {
    const r = evaluateFlow(path(v6rules(ND_IN, ['-A OUTPUT -p ipv6-icmp --icmpv6-type 136 -j DROP'])), pkt(TO_SERVER));
    expect(r.outcome).toBe('timeout');
    expect(r.packets[0]?.end?.summary).toMatch(/neighbour advertisement .* dropped at router OUTPUT/);
  });
  it('the server must resolve the router\'s global address for its reply unless it learned it from the solicitation', () => {
    // Solicitations are accepted on eth0 only. The router solicits the server from its link-local
    // address (the packet's source is the client's), so the server's reply, routed via
    // fd00:f00d:19::1, needs a solicitation of its own, which router INPUT drops on eth1.
    const eth0Only = v6rules(['-A INPUT -i eth0 -p ipv6-icmp --icmpv6-type 135 -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type 136 -j ACCEPT']);
    const fwd = evaluateFlow(path(eth0Only), pkt(TO_SERVER));
    expect(fwd.outcome).toBe('timeout');
    expect(fwd.dropped).toBe('reply');
    expect(fwd.packets[1]?.end?.summary).toMatch(/neighbour solicitation for fd00:f00d:19::1 is dropped at router INPUT/);
    // Opened by the router itself, the solicitation comes from fd00:f00d:19::1: the server learns it.
    expect(evaluateFlow(path(eth0Only), pkt('tcp [fd00:f00d:19::1]:40000 -> [fd00:f00d:19::2]:80')).outcome).toBe('open');
  });
  it('a block that the other direction can lift is intermittent: open once the caches are warm', () => {
    // The server accepts solicitations on lo only, so the router cannot resolve it; but the server's
    // own solicitation of the router passes (OUTPUT ACCEPT, router INPUT accepts 135), and the router
    // learns the server's link-layer address from it (measured in namespaces: after one datagram
    // from the server, the router's connect() succeeds at once).
    const server = v6rules(['-A INPUT -i lo -p ipv6-icmp --icmpv6-type 135 -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type 136 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT']);
    const local = pkt('tcp [fd00:f00d:19::1]:40000 -> [fd00:f00d:19::2]:80');
    const cold = evaluateFlow(path(v6rules(ND_IN), server), local);
    expect(cold.outcome).toBe('timeout');
    expect(cold.packets[0]?.end?.intermittent).toMatch(/^intermittent: server's own neighbour solicitation of fd00:f00d:19::1 passes/);
    expect(evaluateFlow(path(v6rules(ND_IN), server), local, { warmNeighbours: true }).outcome).toBe('open');
    // When the router's INPUT drops solicitations too, nothing can teach it: not intermittent.
    const closed = evaluateFlow(path(v6rules([]), server), local);
    expect(closed.outcome).toBe('timeout');
    expect(closed.packets[0]?.end?.intermittent).toBeUndefined();
    expect(evaluateFlow(path(v6rules([]), server), local, { warmNeighbours: true }).outcome).toBe('timeout');
  });
  it('diagnose names the ND cause first with the ip6tables fix', () => {
    const d = diagnose({ path: path(v6rules(['-A INPUT -p tcp --dport 22 -j ACCEPT'])), packet: pkt(TO_SERVER), symptom: 'timeout' });
    expect(d.causes[0]?.code).toBe('diagnose/ipv6-nd-blocked');
    expect(d.causes[0]?.fix.join('\n')).toMatch(/ip6tables -t filter -I INPUT -p ipv6-icmp --icmpv6-type 135 -j ACCEPT/);
  });
});

describe('IPv6 ICMPv6 errors and TCP', () => {
  it('an ICMPv6 REJECT is unreachable, with the note that connect() reports it a second late', () => {
    const server = v6rules([...ND_IN, '-A INPUT -p tcp --dport 80 -j REJECT --reject-with icmp6-adm-prohibited']);
    const r = evaluateFlow(path(v6rules(ND_IN), server), pkt(TO_SERVER));
    expect(r.outcome).toBe('unreachable');
    expect(r.icmp).toMatchObject({ type: 1, code: 1 });
    expect(r.notes).toContain(ICMPV6_TCP_NOTE);
  });
});

describe('IPv6 forwarding off', () => {
  it('looks the route up first: no route is answered (ICMPv6 no route), a routable packet is dropped silently', () => {
    const r = snapshotOf('router', { 'ip6tables.rules': v6rules(ND_IN, [], 'ACCEPT'), 'ip-addr.json': ROUTER_ADDR, 'ip6-route.json': ROUTER_ROUTES, 'sysctl.txt': 'net.ipv6.conf.all.forwarding = 0\n' });
    const p = { layers: [hostLayer('router', r.host)] };
    const none = evaluateFlow(p, pkt('tcp [fd00:f00d:18::2]:40000 -> [fd00:f00d:1a::1]:80'));
    expect(none.outcome).toBe('no-route');
    expect(none.icmp).toMatchObject({ type: 1, code: 0 });
    const off = evaluateFlow(p, pkt(TO_SERVER));
    expect(off.outcome).toBe('timeout');
    expect(off.reason).toMatch(/forwarding = 0/);
  });
});
