import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../diagnostics/source.js';
import { formatValue } from '../../model/address.js';
import { parseHostsAccess, parseIpAddr, parseIpRoute, parseIpRule, parseIpsetSave, parseSs, parseSysctl } from './index.js';

const f = (name: string, text: string) => sourceFile(name, text);

describe('ss -Htlnup', () => {
  it('reads netid, wildcards, IPv6-only, dual-stack, device-bound sockets and processes', () => {
    const r = parseSs(f('ss.txt', [
      'udp UNCONN 0      0         0.0.0.0:1004 0.0.0.0:* users:(("python3",pid=13958,fd=6))',
      'tcp LISTEN 0      128    0.0.0.0%lo:1005 0.0.0.0:*',
      'tcp LISTEN 0      128     127.0.0.1:1003 0.0.0.0:*',
      'tcp LISTEN 0      128          [::]:1001    [::]:*',
      'tcp LISTEN 0      128             *:1002       *:* users:(("sshd",pid=1,fd=4))',
      'LISTEN 0 128 [::1]:631 [::]:*',
    ].join('\n')));
    expect(r.diagnostics).toEqual([]);
    const s = r.value;
    expect(s.map((x) => [x.protocol, x.port, x.wildcard, x.family])).toEqual([
      ['udp', 1004, true, 'ipv4'], ['tcp', 1005, true, 'ipv4'], ['tcp', 1003, false, 'ipv4'], ['tcp', 1001, true, 'ipv6'], ['tcp', 1002, true, 'ipv6'], ['tcp', 631, false, 'ipv6'],
    ]);
    expect(s[1]?.device).toBe('lo');
    expect(s[3]?.v6only).toBe(true);
    expect(s[4]?.v6only).toBe(false);
    expect(s[4]?.process).toBe('sshd');
    expect(formatValue('ipv4', s[2]?.address ?? 0n)).toBe('127.0.0.1');
  });
  it('points at a bad address with file:line:column', () => {
    const r = parseSs(f('ss.txt', 'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\ntcp LISTEN 0 128 300.1.2.3:80 0.0.0.0:*\n'));
    expect(r.value).toHaveLength(1);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.span?.start).toEqual({ line: 2, column: 18 });
    expect(r.diagnostics[0]?.message).toMatch(/expected an IP address.*got '300\.1\.2\.3'/);
  });
});

describe('sysctl', () => {
  it('reads sysctl -a lines and the facts the pipeline needs', () => {
    const r = parseSysctl(f('sysctl.txt', 'net.ipv4.ip_forward = 1\n# c\nnet.ipv4.conf.all.rp_filter=2\nnet.ipv4.conf.eth0.rp_filter = 1\nnet.netfilter.nf_conntrack_max = 100\nnet.netfilter.nf_conntrack_count = 99\nnet.netfilter.nf_conntrack_tcp_timeout_established = 432000\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.value.ipForward).toEqual({ ipv4: true });
    expect(r.value.rpFilter?.get('eth0')).toBe(1);
    expect(r.value.conntrackCount).toBe(99);
    expect(r.value.conntrackTimeouts?.get('nf_conntrack_tcp_timeout_established')).toBe(432000);
    expect(r.value.origins?.get('net.netfilter.nf_conntrack_max')?.line).toBe(5);
  });
  it('reports a line without = at its position', () => {
    const r = parseSysctl(f('sysctl.txt', 'net.ipv4.ip_forward = 1\n  garbage here\n'));
    expect(r.diagnostics[0]?.span?.start).toEqual({ line: 2, column: 3 });
    expect(r.diagnostics[0]?.message).toBe("expected 'name = value', got 'garbage here'");
  });
});

describe('hosts.allow / hosts.deny', () => {
  it('parses lists, EXCEPT nesting, continuation lines and the allow/deny option', () => {
    const r = parseHostsAccess(f('hosts.allow', '# x\nsshd, vsftpd: 10.0.0.0/255.0.0.0 EXCEPT 10.1.0.0/255.255.0.0 EXCEPT 10.1.2.3\nALL: \\\n  [fd00::]/16 : deny\nbroken line\n'));
    expect(r.value).toHaveLength(2);
    expect(r.value[0]?.daemons.items).toEqual(['sshd', 'vsftpd']);
    expect(r.value[0]?.clients.except?.except?.items).toEqual(['10.1.2.3']);
    expect(r.value[1]?.clients.items).toEqual(['[fd00::]/16']);
    expect(r.value[1]?.verdict).toBe('deny');
    expect(r.value[1]?.origin.line).toBe(3);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.span?.start.line).toBe(5);
  });
});

describe('ip -j', () => {
  it('addr: interfaces and addresses; invalid JSON has a position', () => {
    const ok = parseIpAddr(f('ip-addr.json', '[{"ifname":"eth0","flags":["UP"],"addr_info":[{"family":"inet","local":"198.19.0.2","prefixlen":24}]}]'));
    expect(ok.value[0]?.addresses[0]?.prefixLength).toBe(24);
    const bad = parseIpAddr(f('ip-addr.json', '[{"ifname":"eth0",\n  "flags": [UP]}]'));
    expect(bad.diagnostics[0]?.code).toBe('host/ip-addr');
    expect(bad.diagnostics[0]?.span?.start.line).toBe(2);
  });
  it('route: default, local table, unknown type reported at the element', () => {
    const r = parseIpRoute(f('ip-route.json', '[{"dst":"default","gateway":"198.19.0.1","dev":"eth0"},\n {"type":"local","dst":"198.19.0.2","dev":"eth0","table":"local"},\n {"type":"weird","dst":"1.2.3.4"}]'), 'ipv4');
    expect(r.value.map((x) => [x.type, x.table, x.dst.length])).toEqual([['unicast', 'main', 0], ['local', 'local', 32]]);
    expect(r.diagnostics[0]?.span?.start).toEqual({ line: 3, column: 2 });
  });
  it('rule: priorities, selectors, fwmark', () => {
    const r = parseIpRule(f('ip-rule.json', '[{"priority":32766,"src":"all","table":"main"},{"priority":100,"src":"198.18.0.0","srclen":16,"fwmark":"0x1","table":"7"}]'), 'ipv4');
    expect(r.value.map((x) => x.priority)).toEqual([100, 32766]);
    expect(r.value[0]?.from?.length).toBe(16);
    expect(r.value[0]?.fwmark).toEqual({ value: 1, mask: 0xffffffff });
  });
});

describe('ipset save', () => {
  it('resolves address sets and leaves others undecided', () => {
    const r = parseIpsetSave(f('ipset.save', 'create admins hash:net family inet hashsize 1024 maxelem 65536\nadd admins 198.18.0.0/24\nadd admins 198.18.5.5\ncreate svc hash:ip,port family inet\nadd svc 1.2.3.4,tcp:80\nadd admins nonsense\n'));
    expect(r.value.has('svc')).toBe(false);
    expect(r.value.get('admins')?.set.intervals.length).toBe(2);
    expect(r.diagnostics.map((d) => [d.severity, d.span?.start.line])).toEqual([['info', 4], ['error', 6]]);
  });
});
