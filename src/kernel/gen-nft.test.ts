import { describe, expect, it } from 'vitest';
import { loadNftables } from '../dialects/nftables/index.js';
import { nftCaseLoad, sampleNftCase } from './gen-nft-case.js';
import { makeConsistent } from './gen-nft-deps.js';
import { printNftRule } from './gen-nft-print.js';
import type { NftGenRule } from './gen-nft-syntax.js';
import { normaliseNftJson, zeroCounters } from './nft-load.js';

const IFS = ['fwo1', 'fwo2', 'eth0'];

describe('nftables case generator', () => {
  it('is reproducible: the same seed gives the same ruleset and packets', () => {
    const a = sampleNftCase(42, { packets: 5, interfaces: IFS });
    const b = sampleNftCase(42, { packets: 5, interfaces: IFS });
    expect(nftCaseLoad(a.ruleset)).toEqual(nftCaseLoad(b.ruleset));
    expect(a.packets).toEqual(b.packets);
    expect(nftCaseLoad(sampleNftCase(43, { packets: 1, interfaces: IFS }).ruleset).text).not.toBe(nftCaseLoad(a.ruleset).text);
  });

  it('covers the families, priorities, sets, maps and iptables-nft companions it promises', () => {
    const texts = Array.from({ length: 60 }, (_, i) => nftCaseLoad(sampleNftCase(i + 1, { packets: 1, interfaces: IFS }).ruleset));
    const all = texts.map((t) => t.text).join('\n');
    for (const want of ['table ip ', 'table ip6 ', 'table inet ', 'priority filter + ', 'priority raw', 'policy drop', 'flags interval',
      ' . tcp dport', 'vmap @vm', 'vmap {', 'goto c', 'jump c', 'return', 'ct state', 'tcp flags', 'icmpv6 type', 'iifname', 'reject with icmpx type']) {
      expect(all).toContain(want);
    }
    expect(texts.filter((t) => t.companion !== undefined).length).toBeGreaterThan(5);
  });

  it('packets stay in the test pools', () => {
    for (let seed = 1; seed <= 30; seed++) {
      for (const p of sampleNftCase(seed, { packets: 10, interfaces: IFS }).packets) {
        const src = p.family === 'ipv4' ? p.src >> 16n === 0xc612n : p.src >> 80n === 0xfd00f00d0018n;
        const dst = p.family === 'ipv4' ? p.dst >> 16n === 0xc613n : p.dst >> 80n === 0xfd00f00d0019n;
        expect([src, dst, IFS.includes(p.iif ?? '')]).toEqual([true, true, true]);
        if (p.sport !== undefined) expect(p.sport).toBeLessThanOrEqual(65535);
      }
    }
  });

  it('generated text reads in fwdoctor without errors (200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const load = nftCaseLoad(sampleNftCase(seed, { packets: 1, interfaces: IFS }).ruleset);
      const errors = loadNftables(load.text, `seed${seed}.nft`).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => `seed ${seed}: ${d.message}`)).toEqual([]);
    }
  });
});

describe('rules nft 1.0.6 takes as written', () => {
  const rule = (r: Partial<NftGenRule>): NftGenRule => ({ matches: [], counter: false, action: { kind: 'accept' }, ...r });

  it('drops header matches of a protocol the rule already excludes', () => {
    const r = makeConsistent(rule({
      matches: [
        { kind: 'num', sel: 'tcp dport', form: { kind: 'cmp', op: '', value: 22 } },
        { kind: 'num', sel: 'udp sport', form: { kind: 'cmp', op: '', value: 53 } },
        { kind: 'num', sel: 'meta l4proto', form: { kind: 'cmp', op: '', value: 17 } },
      ],
    }));
    expect(printNftRule(r)).toBe('tcp dport 22 meta l4proto udp accept');
  });

  it('keeps one single-value != per header (nft 1.0.6 merges adjacent ones into one compare)', () => {
    const r = makeConsistent(rule({
      matches: [
        { kind: 'num', sel: 'ip protocol', form: { kind: 'cmp', op: '!=', value: 17 } },
        { kind: 'num', sel: 'ip ttl', form: { kind: 'cmp', op: '!=', value: 128 } },
        { kind: 'num', sel: 'tcp sport', form: { kind: 'cmp', op: '!=', value: 1 } },
      ],
    }));
    expect(printNftRule(r)).toBe('ip protocol != udp tcp sport != 1 accept');
  });
});

describe('loading user rulesets into the lab', () => {
  it('resets anonymous counters of a dump', () => {
    expect(zeroCounters('tcp dport 22 counter packets 12 bytes 720 accept\ncounter packets 0 bytes 0')).toBe('tcp dport 22 counter accept\ncounter');
  });

  it('orders nft -j objects so that chains exist before maps jump to them, counters at zero', () => {
    const json = JSON.stringify({ nftables: [
      { metainfo: { version: '1.0.6' } }, { table: { family: 'inet', name: 't' } },
      { map: { family: 'inet', table: 't', name: 'm', type: 'inet_service', map: 'verdict', elem: [[22, { jump: { target: 'c' } }]] } },
      { chain: { family: 'inet', table: 't', name: 'c' } },
      { rule: { family: 'inet', table: 't', chain: 'c', expr: [{ counter: { packets: 9, bytes: 99 } }] } },
    ] });
    const out = JSON.parse(normaliseNftJson(json) as string) as { nftables: Record<string, unknown>[] };
    expect(out.nftables.map((o) => Object.keys(o)[0])).toEqual(['metainfo', 'table', 'chain', 'map', 'rule']);
    expect(JSON.stringify(out.nftables[4])).toContain('"counter":{"packets":0,"bytes":0}');
    expect(normaliseNftJson('table inet t {}')).toBeUndefined();
  });
});
