/** UDP services: TCP wrappers on a datagram daemon, and what a UDP timeout means. */
import { describe, expect, it } from 'vitest';
import { UDP_TIMEOUT_NOTE, evaluateFlow } from '../analysis/flow/flow.js';
import { packetFromText } from '../model/packet-input.js';
import type { Packet } from '../model/packet.js';
import { hostLayer } from '../model/path.js';
import { ipAddrJson, snapshotOf } from './testing.js';

const SS = `udp UNCONN 0 0 0.0.0.0:69 0.0.0.0:* users:(("in.tftpd",pid=300,fd=0))
udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:* users:(("named",pid=301,fd=5))
tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=302,fd=3))
`;

function host(files: Record<string, string>) {
  const s = snapshotOf('server', {
    'iptables.rules': '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p udp --dport 5000 -j DROP\nCOMMIT\n',
    'ip-addr.json': ipAddrJson('eth0', ['198.19.0.2/24']), 'ss.txt': SS, ...files,
  });
  expect(s.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return s.host;
}

function pkt(text: string): Packet {
  const r = packetFromText(text);
  if (r.packet === undefined) throw new Error(r.errors.join('; '));
  return r.packet;
}

const WRAPPED = { 'hosts.allow': 'in.tftpd: 198.18.1.0/255.255.255.0\n', 'hosts.deny': 'ALL: ALL\n', 'libwrap.txt': 'in.tftpd /usr/sbin/in.tftpd\nsshd /usr/sbin/sshd\n' };

function run(text: string, files: Record<string, string> = WRAPPED) {
  return evaluateFlow({ layers: [hostLayer('server', host(files))] }, pkt(text));
}

describe('UDP services', () => {
  it('a wrapped UDP daemon denied by hosts.deny sends nothing: timeout, with the line', () => {
    const r = run('udp 198.18.0.5:40000 -> 198.19.0.2:69');
    expect(r.outcome).toBe('timeout');
    expect(r.reason).toMatch(/TCP wrappers denied it \(UDP: no answer\).*hosts\.deny:1/);
    expect(r.packets).toHaveLength(1);
    expect(r.packets[0]?.end?.stage).toBe('wrappers');
    expect(r.notes).toContain(UDP_TIMEOUT_NOTE);
  });
  it('hosts.allow grants the UDP daemon its network; TCP keeps accept-then-close', () => {
    expect(run('udp 198.18.1.7:40000 -> 198.19.0.2:69').outcome).toBe('open');
    const t = run('tcp 198.18.0.5:40000 -> 198.19.0.2:22');
    expect(t.outcome).toBe('refused');
    expect(t.reason).toMatch(/closes the connection/);
  });
  it('a UDP daemon not linked with libwrap is not affected', () => {
    expect(run('udp 198.18.0.5:40000 -> 198.19.0.2:53').outcome).toBe('open');
  });
  it('a dropped datagram is a timeout with the nmap open|filtered note; a closed port is unreachable', () => {
    const d = run('udp 198.18.0.5:40000 -> 198.19.0.2:5000');
    expect(d.outcome).toBe('timeout');
    expect(d.notes.some((n) => n.includes('open|filtered'))).toBe(true);
    const c = run('udp 198.18.0.5:40000 -> 198.19.0.2:5001');
    expect(c.outcome).toBe('unreachable');
    expect(c.notes).not.toContain(UDP_TIMEOUT_NOTE);
  });
});
