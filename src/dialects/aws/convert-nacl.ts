/**
 * A network ACL as a layer: stateless, entries sorted by rule number, first match decides, IPv4
 * and IPv6 entries apart (an entry's CIDR has one family, so it never matches the other), the `*`
 * default deny (32767 IPv4, 32768 IPv6) kept as the ordinary last entries it is in the export.
 * Ingress entries test the source, egress entries the destination; the port range is always the
 * destination port, so a reply needs its own entry for the client's ephemeral ports.
 * Traffic NACLs cannot filter (instance metadata, Amazon DNS, time sync) is let through first.
 */
import { formatCidr } from '../../model/address.js';
import { type Match, and, or } from '../../model/match.js';
import type { FilterLayer } from '../../model/path.js';
import type { Rule } from '../../model/ruleset.js';
import { type CloudRule, simpleLayer } from '../scenario/cloud-ruleset.js';
import { inCidrs } from '../scenario/cloud-match.js';
import { l4Match } from './protocol.js';
import type { Nacl, NaclEntry } from './syntax.js';
import { parseCidr } from '../../model/address.js';

/** Link-local services AWS documents as not filtered by network ACLs. */
const UNFILTERED = ['169.254.169.254/32', '169.254.169.253/32', '169.254.169.123/32', 'fd00:ec2::254/128', 'fd00:ec2::253/128', 'fd00:ec2::123/128']
  .map((t) => parseCidr(t)).filter((c) => c !== undefined);

function entryText(n: Nacl, e: NaclEntry, l4: string): string {
  const num = e.ruleNumber >= 32767 ? `rule * (${e.ruleNumber})` : `rule ${e.ruleNumber}`;
  return `${n.id} ${num}: ${e.action} ${l4} ${e.egress ? 'to' : 'from'} ${e.cidrText || formatCidr(e.cidr)}`;
}

export class NaclConverter {
  private readonly cloud = new Map<NaclEntry, CloudRule>();
  readonly rules = new Map<CloudRule, Rule>();

  entryRule(n: Nacl, e: NaclEntry): CloudRule {
    const hit = this.cloud.get(e);
    if (hit !== undefined) return hit;
    const isIcmp = e.protocol === '1' || e.protocol === '58';
    const l4 = isIcmp
      ? l4Match(e.protocol, e.icmp?.type, e.icmp?.code, 'nacl')
      : l4Match(e.protocol, e.portRange?.[0], e.portRange?.[1], 'nacl');
    const peer = inCidrs(e.egress ? 'dst' : 'src', [e.cidr]);
    const r: CloudRule = {
      match: and(l4.match, peer), action: e.action === 'allow' ? 'accept' : 'drop', text: entryText(n, e, l4.text),
      native: { naclId: n.id, ruleNumber: e.ruleNumber, direction: e.egress ? 'egress' : 'ingress' }, at: e.at,
    };
    this.cloud.set(e, r);
    return r;
  }

  private direction(n: Nacl, egress: boolean): CloudRule[] {
    const entries = n.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
    const exempt: Match = or(inCidrs(egress ? 'dst' : 'src', UNFILTERED));
    return [
      { match: exempt, action: 'accept', text: 'not filtered by network ACLs: instance metadata, Amazon DNS and time sync (169.254.169.254/.253/.123)', native: { naclId: n.id, rule: 'platform' } },
      ...entries.map((e) => this.entryRule(n, e)),
    ];
  }

  layer(n: Nacl, protects: 'destination' | 'source'): FilterLayer {
    return simpleLayer({
      dialect: 'aws', name: `aws-nacl ${n.id}`, table: 'nacl', stateful: false, protects,
      inbound: { chain: 'ingress', rules: this.direction(n, false), policy: 'drop', policyText: `${n.id}: no entry matched (the * rule denies)` },
      outbound: { chain: 'egress', rules: this.direction(n, true), policy: 'drop', policyText: `${n.id}: no entry matched (the * rule denies)` },
    }, this.rules);
  }
}
