import { describe, expect, it } from 'vitest';
import { loadNftables } from './index.js';

/** `line:col code message` of every error for a chain body in a table of the given family. */
function errorsOf(body: string, family = 'inet', header = 'type filter hook input priority 0;', extra = ''): string[] {
  const text = `table ${family} t {\n${extra}chain c {\n${header}\n${body}\n}\nchain other { }\n}\n`;
  return loadNftables(text, 'x.nft', { readFile: () => undefined }).diagnostics
    .filter((d) => d.severity === 'error').map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.code} ${d.message}`);
}

describe('checks nft -c -f performs', () => {
  it('undefined chains and sets, including in verdict maps, and set type mismatches', () => {
    const sets = 'set v4 { type ipv4_addr; }\nmap ports { type inet_service : ipv4_addr; }\n';
    expect(errorsOf('tcp dport vmap { 22 : jump nowhere }\nip6 saddr @v4\nip saddr @nope\ntcp dport vmap @ports\ngoto other', 'inet', 'type filter hook input priority 0;', sets)).toEqual([
      "6:23 nftables/undefined-chain chain 'nowhere' does not exist in table inet t: expected the name of a chain of this table",
      "7:11 nftables/type-mismatch set '@v4' holds ipv4_addr, expected ipv6_addr",
      "8:10 nftables/undefined-set set '@nope' does not exist in table inet t: expected a set or map declared in this table",
      "9:16 nftables/type-mismatch map '@ports' does not map to verdicts: expected a verdict map",
    ]);
  });

  it('values that do not fit the datatype, reversed ranges, prefixes too long, wrong operators', () => {
    expect(errorsOf('tcp dport 100-10\nip saddr 10.0.0.0/33\nip ttl < { 1, 2 }\nct state new,bogus\nmeta mark set { 1, 2 }')).toEqual([
      '4:11 nftables/type-mismatch range 100-10 is reversed: expected the low bound first',
      '5:10 nftables/type-mismatch prefix length 33 is longer than the 32 bits of ipv4_addr',
      "6:10 nftables/syntax a set cannot be compared with '<'",
      "7:14 nftables/type-mismatch expected a value of type ct_state (invalid, established, related, new, untracked), got 'bogus'",
      '8:15 nftables/type-mismatch cannot set mark to a set of values: expected one value or an expression',
    ]);
  });

  it('conflicting protocols within a rule', () => {
    expect(errorsOf('udp dport 53 tcp dport 22\nip saddr 1.1.1.1 ip6 daddr ::1\nmeta l4proto udp reject with tcp reset')).toEqual([
      '4:14 nftables/conflicting-protocols conflicting protocols specified: udp vs. tcp',
      '5:18 nftables/conflicting-protocols conflicting protocols specified: ip vs. ip6',
      "6:18 nftables/conflicting-protocols 'reject with tcp reset' applies to tcp, but the rule matches udp",
    ]);
    expect(errorsOf('ip6 saddr ::1', 'ip')).toEqual(['4:1 nftables/conflicting-protocols conflicting protocols specified: ip vs. ip6']);
  });

  it('an explicit protocol match after a header match of another protocol is accepted, as nft does', () => {
    // Found by the kernel harness: nft 1.0.6 loads these (the rules never match); only a later header match conflicts.
    expect(errorsOf('tcp dport 22 meta l4proto udp\ntcp dport 22 ip protocol udp\nip saddr 1.1.1.1 meta nfproto ipv6 ip6 saddr ::1')).toEqual([]);
    expect(errorsOf('meta l4proto udp tcp dport 22\nip saddr 1.1.1.1 meta nfproto ipv6 ip saddr 1.1.1.2')).toEqual([
      '4:18 nftables/conflicting-protocols conflicting protocols specified: udp vs. tcp',
      '5:36 nftables/conflicting-protocols conflicting protocols specified: ip6 vs. ip',
    ]);
  });

  it('statements after a verdict are reported', () => {
    expect(errorsOf('accept counter\nreject drop')).toEqual([
      "4:8 nftables/statement-after-verdict statement after 'accept' is never reached: the verdict must be the last statement",
      "5:8 nftables/statement-after-verdict statement after 'reject' is never reached: the verdict must be the last statement",
    ]);
  });

  it('hooks, chain types, priorities and policies the family does not have', () => {
    expect(errorsOf('', 'arp', 'type filter hook forward priority 0;')).toEqual(["3:1 nftables/bad-hook hook 'forward' does not exist for family arp: expected one of input, output"]);
    expect(errorsOf('', 'bridge', 'type nat hook prerouting priority dstnat;')).toEqual(['3:1 nftables/bad-chain-type chain type nat does not exist for family bridge']);
    expect(errorsOf('', 'netdev', 'type filter hook ingress device "lo" priority mangle;')).toEqual(["3:1 nftables/bad-priority 'mangle' is not a priority name of family netdev: expected a number or filter"]);
    expect(errorsOf('', 'ip', 'type route hook input priority 0;')).toEqual(['3:1 nftables/bad-chain-type chain type route exists only on the output hook of ip, ip6 and inet tables']);
  });

  it('NAT: only in nat chains on the right hooks, with an address family in inet, and ports after a transport match', () => {
    expect(errorsOf('dnat to 1.2.3.4')).toEqual(["4:1 nftables/missing-protocol dnat in an inet table needs 'dnat ip' or 'dnat ip6' (or an ip/ip6 match before it)", '4:1 nftables/bad-chain-type dnat is only valid in a chain of type nat']);
    expect(errorsOf('dnat ip to 1.2.3.4:80', 'inet', 'type nat hook prerouting priority dstnat;')).toEqual(['4:1 nftables/missing-protocol dnat with a port needs a transport protocol match first (tcp dport …, meta l4proto tcp …)']);
    expect(errorsOf('masquerade', 'ip', 'type nat hook prerouting priority dstnat;')).toEqual(['4:1 nftables/bad-hook masquerade is only valid on the postrouting hooks, not prerouting']);
    expect(errorsOf('ip6 daddr ::1 dnat to 10.0.0.1', 'inet', 'type nat hook prerouting priority dstnat;')).toEqual(['4:15 nftables/conflicting-protocols conflicting protocols specified: ip6 vs. ip']);
    expect(errorsOf('tcp dport 80 dnat ip to 10.0.0.1:8080\nmeta l4proto { tcp, udp } dnat ip to 10.0.0.2:53', 'inet', 'type nat hook prerouting priority dstnat;')).toEqual([]);
  });

  it('reject types must fit the family', () => {
    expect(errorsOf('reject with icmpx port-unreachable', 'ip')).toEqual(["4:1 nftables/type-mismatch 'reject with icmpx' is only valid in inet, bridge and netdev tables"]);
    expect(errorsOf('ip6 saddr ::1 reject with icmp host-unreachable\nreject with icmp bogus')).toEqual([
      "4:15 nftables/conflicting-protocols 'reject with icmp' on IPv6 traffic: expected icmpv6 or icmpx",
      "5:1 nftables/type-mismatch unknown icmp code 'bogus': expected one of net-unreachable, host-unreachable, prot-unreachable, port-unreachable, frag-needed, net-prohibited, host-prohibited, admin-prohibited",
    ]);
  });

  it('overlapping intervals in a verdict map; queue numbers; ct addresses without a family', () => {
    expect(errorsOf('ip saddr vmap { 10.0.0.0/8 : accept, 10.1.0.0/16 : drop }\nqueue num 70000\nct original saddr 1.2.3.4')).toEqual([
      '4:38 nftables/conflicting-intervals conflicting intervals in verdict map: 10.1.0.0/16 overlaps 10.0.0.0/8',
      "5:11 nftables/type-mismatch expected an integer of 16 bits, got '70000' (too large for 16 bits)",
      "6:1 nftables/type-mismatch ct saddr in a inet table needs 'ip' or 'ip6' (or a meta nfproto match before it) to know the address family",
    ]);
    expect(errorsOf('meta nfproto ipv4 ct original saddr 1.2.3.4\nct original ip saddr 1.2.3.4')).toEqual([]);
  });
});
