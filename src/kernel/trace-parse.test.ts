import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatTraceEvent, packetField, packetTag, parseTraceLine } from './trace-parse.js';
import { corpusPath, hasCorpus } from '../../test/support/corpus.js';

describe('nft monitor trace lines', () => {
  it('rule lines with the rule text and handle, with stale cache, and with a mark suffix', () => {
    expect(parseTraceLine('trace id 9ee11e85 ip filter INPUT rule tcp dport 22 counter packets 1 bytes 40 log prefix "x " # handle 5 (verdict continue)'))
      .toEqual({ kind: 'rule', id: '9ee11e85', family: 'ip', table: 'filter', chain: 'INPUT', handle: 5, verdict: 'continue' });
    expect(parseTraceLine('trace id 9ee11e85 ip filter INPUT rule meta l4proto tcp tcp dport 20-30 counter packets 2 bytes 80 jump USER0 # handle 6 (verdict jump USER0)'))
      .toMatchObject({ kind: 'rule', handle: 6, verdict: 'jump', target: 'USER0' });
    expect(parseTraceLine('trace id 7dd21ac9 ip filter USER1 unknown rule handle 6 (verdict drop)'))
      .toMatchObject({ kind: 'rule', chain: 'USER1', handle: 6, verdict: 'drop' });
    expect(parseTraceLine('trace id 0a ip6 filter INPUT rule ip6 saddr fd00::/8 counter packets 0 bytes 0 accept # handle 9 (verdict accept) meta mark 0x0000002a'))
      .toMatchObject({ kind: 'rule', family: 'ip6', handle: 9, verdict: 'accept' });
  });

  it('policy lines, with and without a mark', () => {
    expect(parseTraceLine('trace id 16db4704 inet filter input policy drop')).toEqual({ kind: 'policy', id: '16db4704', family: 'inet', table: 'filter', chain: 'input', policy: 'drop' });
    expect(parseTraceLine('trace id 23c92da9 ip6 filter INPUT policy drop meta mark 0xb571f4e3')).toMatchObject({ kind: 'policy', policy: 'drop' });
  });

  it('packet lines and the harness tag (IPv4 id, IPv6 flow label) with the interface', () => {
    const v4 = parseTraceLine('trace id ae95d7ce inet fwdk pre packet: iif "fwo1" ether saddr 02:fd:00:00:00:01 ether daddr 02:fd:00:00:01:01 ip saddr 198.18.1.2 ip daddr 198.19.3.4 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 1000 ip protocol tcp ip length 40 tcp sport 40000 tcp dport 22 tcp flags == syn tcp window 65535');
    expect(v4?.kind).toBe('packet');
    if (v4?.kind !== 'packet') return;
    expect(packetTag(v4.fields)).toEqual({ family: 'ipv4', tag: 1000, iif: 'fwo1' });
    expect(packetField(v4.fields, 'tcp dport')).toBe('22');
    const v6 = parseTraceLine('trace id 02dc2793 inet fwdk pre packet: iif "eth0" ether saddr 02:fd:00:00:00:01 ether daddr 02:fd:00:00:01:01 ip6 saddr fd00:f00d:18::5 ip6 daddr fd00:f00d:19::7 ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 77 ip6 nexthdr udp ip6 length 18 udp sport 5353 udp dport 53 udp length 18 @th,64,80 0x0');
    if (v6?.kind !== 'packet') throw new Error('not a packet line');
    expect(packetTag(v6.fields)).toEqual({ family: 'ipv6', tag: 77, iif: 'eth0' });
  });

  it('ignores what is not a trace event, keeps unknown trace kinds as other', () => {
    expect(parseTraceLine('conntrack v1.4.7: 2 flow entries')).toBeUndefined();
    expect(parseTraceLine('trace id 12 foo filter INPUT policy drop')).toBeUndefined();
    expect(parseTraceLine('trace id 12 ip filter USER0 verdict continue')).toMatchObject({ kind: 'other', text: 'verdict continue' });
  });

  it('normalises events to the recorded form', () => {
    const e = parseTraceLine('trace id 9ee11e85 ip filter INPUT rule tcp dport 22 # handle 5 (verdict jump USER0)');
    if (!e) throw new Error('no event');
    expect(formatTraceEvent(e)).toBe('trace id 9ee11e85 ip filter INPUT unknown rule handle 5 (verdict jump USER0)');
  });

  it.skipIf(!hasCorpus)('parses every event recorded from a real kernel in the nftables corpus', () => {
    const path = corpusPath('kernel/nftables-input-sample.jsonl');
    if (!path) throw new Error('missing corpus file');
    let n = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line) continue;
      for (const ev of (JSON.parse(line) as { events: string[] }).events) {
        const e = parseTraceLine(ev);
        expect(e, ev).toBeDefined();
        expect(e?.kind === 'rule' || e?.kind === 'policy', ev).toBe(true);
        if (e) expect(formatTraceEvent(e)).toBe(ev);
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
  });
});
