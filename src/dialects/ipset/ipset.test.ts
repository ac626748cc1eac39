import { describe, expect, it } from 'vitest';
import { addressSetOf, describeAddresses } from '../../model/address.js';
import { isIpsetSave, loadIpsets } from './index.js';

const SAVE = `create trusted hash:ip family inet hashsize 1024 maxelem 65536
add trusted 198.18.0.1
add trusted 198.18.0.2 timeout 300
create nets hash:net family inet hashsize 1024 maxelem 65536
add nets 198.18.0.0/16
add nets 198.18.5.0/24 nomatch
add nets 198.18.5.128/25
create v6 hash:net family inet6
add v6 fd00:f00d::/32
create hosts24 hash:ip family inet netmask 24
add hosts24 198.19.7.9
create bm bitmap:ip range 198.18.0.0-198.18.255.255
add bm 198.18.1.1-198.18.1.3
create both list:set size 8
add both trusted
add both hosts24
create svc hash:ip,port family inet
add svc 198.18.0.1,tcp:80
`;

describe('ipset save files', () => {
  const { sets, diagnostics } = loadIpsets(SAVE, 'sets.save');
  const show = (n: string): string => { const s = sets.get(n); return s === undefined ? 'absent' : `${s.family} ${describeAddresses(s)}`; };

  it('recognises the format', () => {
    expect(isIpsetSave(SAVE)).toBe(true);
    expect(isIpsetSave('*filter\nCOMMIT\n')).toBe(false);
  });

  it('reads hash:ip, hash:net (nomatch exceptions by prefix length), netmask, bitmap ranges and list:set', () => {
    expect(show('trusted')).toBe('ipv4 198.18.0.1,198.18.0.2');
    expect(sets.get('nets')).toEqual(addressSetOf('ipv4', [[0xc6120000n, 0xc61204ffn], [0xc6120580n, 0xc612ffffn]]));
    expect(show('v6')).toBe('ipv6 fd00:f00d::/32');
    expect(show('hosts24')).toBe('ipv4 198.19.7.0/24');
    expect(show('bm')).toBe('ipv4 198.18.1.1,198.18.1.2/31');
    expect(show('both')).toBe('ipv4 198.18.0.1,198.18.0.2,198.19.7.0/24');
  });

  it('says which sets could not be used', () => {
    expect(show('svc')).toBe('absent');
    expect(diagnostics.map((d) => `${d.span?.start.line} ${d.code} ${d.message}`)).toEqual([
      '17 ipset/unsupported-type set \'svc\' has type hash:ip,port: only address sets (hash:ip, hash:net, bitmap:ip and list:set of them) are used, so rules matching it stay unresolved',
    ]);
  });

  it('reports lines it cannot read, with their position, and keeps going', () => {
    const r = loadIpsets('create a hash:ip\nadd a 300.1.1.1\nadd b 1.2.3.4\nflush a\nadd a 198.18.0.1\n', 'bad.save');
    expect(r.diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.severity} ${d.code} ${d.message}`)).toEqual([
      "3:5 error ipset/unknown-set 'add' to set 'b', which no earlier 'create' line defines",
      "4:1 error ipset/syntax expected 'create' or 'add', got 'flush'",
      "2:7 warning ipset/bad-entry set 'a': expected an IPv4 address, got '300.1.1.1' (entry ignored)",
    ]);
    expect(describeAddresses(r.sets.get('a') ?? addressSetOf('ipv4', []))).toBe('198.18.0.1');
  });
});
