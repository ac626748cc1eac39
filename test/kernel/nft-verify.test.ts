/**
 * `fwdoctor verify-kernel` on nftables rulesets: text (a `nft list ruleset` dump with counter
 * values, which the harness resets) and `nft -j` JSON (as listed by the kernel: a verdict map
 * before the chains it jumps to, which the harness reorders so nft loads it).
 */
import { expect, it } from 'vitest';
import { describeKernel, suiteSession } from './kernel-env.js';
import { nativeListing } from '../../src/kernel/product-model.js';
import { isNftablesRuleset, verifyRuleset } from '../../src/kernel/verify.js';

const RULESET = `table inet filter {
	set trusted {
		type ipv4_addr
		flags interval
		elements = { 198.18.0.0/24, 198.18.7.1-198.18.7.9 }
	}

	map ports {
		type inet_service : verdict
		flags interval
		elements = { 22 : jump ssh, 80-89 : accept, 8080 : drop }
	}

	chain input {
		type filter hook input priority filter + 5; policy drop;
		ct state invalid counter packets 3 bytes 180 drop
		iifname "fwo*" ip saddr @trusted accept
		tcp flags & (syn | ack) == syn tcp dport vmap @ports
		ip6 saddr fd00:f00d:18::/64 icmpv6 type { echo-request, nd-neighbor-solicit } accept
		meta l4proto udp udp dport 53 reject with icmpx type admin-prohibited
	}

	chain ssh {
		ip saddr 198.18.1.0/28 return
		ip6 hoplimit < 5 drop
		counter packets 12 bytes 720 accept
	}
}
table ip6 extra {
	chain input {
		type filter hook input priority -150; policy accept;
		ip6 saddr . udp dport { fd00:f00d:18::1 . 53, fd00:f00d:18::/120 . 1000-2000 } drop
		ip6 length > 1000 reject with icmpv6 type admin-prohibited
	}
}
`;

describeKernel('verify-kernel on nftables rulesets', () => {
  const session = suiteSession({ interfaces: ['fwo1', 'fwo2', 'eth0'] });

  it('recognises nftables text and JSON', () => {
    expect(isNftablesRuleset(RULESET)).toBe(true);
    expect(isNftablesRuleset('{"nftables": []}')).toBe(true);
    expect(isNftablesRuleset('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n')).toBe(false);
  });

  it('agrees with the kernel on an nft list ruleset dump (both families)', async () => {
    const r = await verifyRuleset(RULESET, { packets: 400, seed: 3, fileName: 'rules.nft', skipEnvironmentCheck: true });
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.report.dialect).toBe('nftables');
    expect(r.report.counterProblems).toEqual([]);
    expect(r.report.compared).toBeGreaterThan(380);
    expect(r.report.disagreements.map((d) => d.differences)).toEqual([]);
    expect(r.report.agreed).toBe(r.report.compared);
    expect(r.report.exercised.distinctRulesMatched).toBeGreaterThan(3);
  }, 120_000);

  it('agrees with the kernel on the nft -j JSON of the same ruleset', async () => {
    expect(await session().load(RULESET, 'nftables')).toBeUndefined();
    const json = nativeListing(await session().listJson());
    expect(isNftablesRuleset(json)).toBe(true);
    const r = await verifyRuleset(json, { packets: 300, seed: 4, fileName: 'rules.json', skipEnvironmentCheck: true });
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.report.dialect).toBe('nftables');
    expect(r.report.counterProblems).toEqual([]);
    expect(r.report.compared).toBeGreaterThan(280);
    expect(r.report.agreed).toBe(r.report.compared);
  }, 120_000);
});
