/** A REJECT in a filter layer (a ruleset-only enforcement point) answers like a host's REJECT. */
import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../analysis/flow/flow.js';
import { formatValue } from '../model/address.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';
import { filterLayer, hostLayer } from '../model/path.js';
import { ipAddrJson, snapshotOf } from './testing.js';

function rulesetOf(text: string) {
  const s = snapshotOf('rules', { 'iptables.rules': text });
  expect(s.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return s.host.ruleset;
}

const INBOUND = rulesetOf(`*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset
-A INPUT -p tcp --dport 25 -j REJECT --reject-with icmp-admin-prohibited
-A INPUT -p udp --dport 69 -j REJECT
-A INPUT -p tcp --dport 26 -j DROP
COMMIT
`);
const OUTBOUND_DROP = rulesetOf('*filter\n:OUTPUT DROP [0:0]\nCOMMIT\n');

const server = snapshotOf('server', {
  'iptables.rules': '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', 'ip-addr.json': ipAddrJson('eth0', ['198.19.0.2/24']),
  'ss.txt': 'tcp LISTEN 0 128 0.0.0.0:23 0.0.0.0:* users:(("telnetd",pid=5,fd=3))\n',
});

function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(r.errors.join('; '));
  return r.packet;
}

function run(text: string, stateful = true) {
  const fw = filterLayer('fw', { stateful, protects: 'destination', inbound: INBOUND, outbound: stateful ? INBOUND : OUTBOUND_DROP });
  return evaluateFlow({ layers: [fw, hostLayer('server', server.host)] }, pkt(text));
}

describe('REJECT in a filter layer', () => {
  it('tcp-reset: the client is refused by a reset sent from the layer', () => {
    const r = run('tcp 198.18.0.5:40000 -> 198.19.0.2:23');
    expect(r.outcome).toBe('refused');
    expect(r.packets[1]?.role).toBe('reset');
    expect(r.packets[1]?.from).toBe('fw');
    expect(r.packets[0]?.stages.some((s) => s.layer === 'server')).toBe(false);
  });
  it('an ICMP type: unreachable with that type and code, from the destination address', () => {
    const r = run('tcp 198.18.0.5:40000 -> 198.19.0.2:25');
    expect(r.outcome).toBe('unreachable');
    expect(r.icmp).toMatchObject({ type: 3, code: 13 });
    expect(formatValue('ipv4', r.packets[1]?.packet.src ?? 0n)).toBe('198.19.0.2');
    expect(run('udp 198.18.0.5:40000 -> 198.19.0.2:69').icmp).toMatchObject({ type: 3, code: 3 });
  });
  it('is not filtered again by the layer that sent it, even a stateless one that drops everything outbound', () => {
    expect(run('tcp 198.18.0.5:40000 -> 198.19.0.2:23', false).outcome).toBe('refused');
  });
  it('DROP still times out', () => {
    expect(run('tcp 198.18.0.5:40000 -> 198.19.0.2:26').outcome).toBe('timeout');
  });
});
