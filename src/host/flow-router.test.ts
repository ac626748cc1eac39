import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../analysis/flow/flow.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';
import { hostLayer } from '../model/path.js';
import { routesJson, snapshotOf } from './testing.js';

const ROUTER_ADDR = JSON.stringify([
  { ifname: 'lo', flags: ['UP'], addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifname: 'eth0', flags: ['UP'], addr_info: [{ family: 'inet', local: '198.18.0.1', prefixlen: 24 }] },
  { ifname: 'eth1', flags: ['UP'], addr_info: [{ family: 'inet', local: '198.19.0.1', prefixlen: 24 }] },
]);
const ROUTER_ROUTES = routesJson([
  { dst: '198.18.0.0/24', dev: 'eth0' }, { dst: '198.19.0.0/24', dev: 'eth1' },
  { type: 'local', dst: '198.18.0.1', dev: 'eth0', table: 'local' }, { type: 'local', dst: '198.19.0.1', dev: 'eth1', table: 'local' },
]);
const SERVER = snapshotOf('server', {
  'ip-addr.json': JSON.stringify([{ ifname: 'eth0', flags: ['UP'], addr_info: [{ family: 'inet', local: '198.19.0.2', prefixlen: 24 }] }]),
  'ip-route.json': routesJson([{ dst: 'default', gateway: '198.19.0.1', dev: 'eth0' }, { dst: '198.19.0.0/24', dev: 'eth0' }, { type: 'local', dst: '198.19.0.2', dev: 'eth0', table: 'local' }]),
  'ss.txt': 'tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:*\n',
  'iptables.rules': '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 198.18.0.0/24 -j DROP\nCOMMIT\n',
});

function router(rules: string, forward = '1') {
  return snapshotOf('router', { 'ip-addr.json': ROUTER_ADDR, 'ip-route.json': ROUTER_ROUTES, 'iptables.rules': rules, 'sysctl.txt': `net.ipv4.ip_forward = ${forward}\n` });
}

const DNAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 198.19.0.2:80
-A POSTROUTING -o eth1 -j MASQUERADE
COMMIT
`;
const FILTER = (extra: string) => `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
${extra}COMMIT
`;

function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(r.errors.join('; '));
  return r.packet;
}

function run(rules: string, forward = '1', server = SERVER) {
  const r = router(rules, forward);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return evaluateFlow({ layers: [hostLayer('router', r.host), hostLayer('server', server.host)] }, pkt('tcp 198.18.0.5:40000 -> 198.18.0.1:8080'));
}

describe('port forwarding through a router', () => {
  it('times out in FORWARD without an accept rule for the translated destination', () => {
    const r = run(DNAT + FILTER(''));
    expect(r.outcome).toBe('timeout');
    expect(r.reason).toMatch(/FORWARD/);
    const nat = r.packets[0]?.stages.find((s) => s.nat !== undefined)?.nat;
    expect(nat?.type).toBe('dnat');
  });
  it('opens with FORWARD accepting the translated destination and ESTABLISHED replies; masquerade hides the client', () => {
    const r = run(DNAT + FILTER('-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A FORWARD -p tcp -d 198.19.0.2 --dport 80 -j ACCEPT\n'));
    expect(r.outcome).toBe('open');
    const back = r.packets[1];
    expect(back?.fate).toBe('arrived');
  });
  it('without masquerade the server sees the client address (its INPUT drops it)', () => {
    const r = run(DNAT.replace('-A POSTROUTING -o eth1 -j MASQUERADE\n', '') + FILTER('-A FORWARD -j ACCEPT\n'));
    expect(r.outcome).toBe('timeout');
    expect(r.reason).toMatch(/server input/);
  });
  it('the reply is dropped in FORWARD without an ESTABLISHED rule', () => {
    const r = run(DNAT + FILTER('-A FORWARD -p tcp -d 198.19.0.2 --dport 80 -j ACCEPT\n'));
    expect(r.outcome).toBe('timeout');
    expect(r.dropped).toBe('reply');
  });
  it('ip_forward = 0 drops the translated packet silently', () => {
    const r = run(DNAT + FILTER('-A FORWARD -j ACCEPT\n'), '0');
    expect(r.outcome).toBe('timeout');
    expect(r.reason).toMatch(/ip_forward = 0/);
  });
});
