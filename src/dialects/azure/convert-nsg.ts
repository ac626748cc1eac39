/**
 * An NSG as a layer: stateful, per direction the rules sorted by priority (custom 100-4096, the
 * defaults 65000, 65001, 65500), first match decides. Every spelling of "any" is normalised: `*`,
 * `Any`, `All`, `0.0.0.0/0` (how effective rules print "any"), `0-65535`, empty strings, null and
 * empty lists. Service tags come from data only (service tags file, VNet prefixes for
 * VirtualNetwork, or the expansions of list-effective-nsg): an unknown tag is an undecided
 * (opaque) match with a diagnostic. ASGs match the private addresses of the member NICs.
 * CHOICE (VERIFY): `Icmp` matches ICMP and ICMPv6; a port-restricted rule never matches a
 * protocol without ports, even when its protocol is `*`.
 */
import { type Diagnostic, warning } from '../../diagnostics/diagnostic.js';
import { type Address, type Cidr, parseCidr } from '../../model/address.js';
import { ANY, type Match, and, num, opaque, or, protocol } from '../../model/match.js';
import type { FilterLayer } from '../../model/path.js';
import type { Rule } from '../../model/ruleset.js';
import { type CloudRule, simpleLayer } from '../scenario/cloud-ruleset.js';
import { inAddresses, inCidrs, parsePortRange } from '../scenario/cloud-match.js';
import { tagKey } from './read-network.js';
import { type AzureInventory, type NsgEnd, type NsgRule, nameOf, sameId } from './syntax.js';

const ANY_WORDS = new Set(['*', 'any', 'all', '', '0.0.0.0/0']);
/** Platform addresses NSGs do not filter (DNS, DHCP, IMDS, health: 168.63.129.16 and 169.254.169.254). */
const PLATFORM = ['168.63.129.16/32', '169.254.169.254/32'].map((t) => parseCidr(t)).filter((c) => c !== undefined);

export interface NsgSource {
  readonly id: string;
  readonly name: string;
  readonly rules: readonly NsgRule[];
}

export class NsgConverter {
  readonly diagnostics: Diagnostic[] = [];
  readonly rules = new Map<CloudRule, Rule>();
  private readonly cloud = new Map<NsgRule, CloudRule>();
  private readonly said = new Set<string>();

  constructor(readonly inv: AzureInventory) {}

  private say(r: NsgRule, code: string, message: string): void {
    if (this.said.has(message)) return;
    this.said.add(message);
    this.diagnostics.push(warning(code, `${r.at.file} ${r.at.path}: ${message}`, { file: r.at.file, start: { line: r.at.line, column: r.at.column }, end: { line: r.at.line, column: r.at.column + 1 } }));
  }

  asgMembers(asgId: string): Address[] {
    return this.inv.nics.flatMap((n) => n.ipConfigs.filter((c) => c.asgIds.some((a) => sameId(a, asgId)) && c.address !== undefined).map((c) => c.address as Address));
  }

  tagCidrs(token: string): readonly Cidr[] | undefined {
    const key = tagKey(token);
    const hit = this.inv.tags.get(key);
    if (hit !== undefined) return hit;
    if (key === 'virtualnetwork' && this.inv.vnets.length > 0) return this.inv.vnets.flatMap((v) => v.prefixes);
    return undefined;
  }

  private side(r: NsgRule, e: NsgEnd, field: 'src' | 'dst', nsg: string): Match {
    if (e.expanded !== undefined) {
      const cs = e.expanded.map((t) => parseCidr(t)).filter((c) => c !== undefined);
      if (e.expanded.some((t) => ANY_WORDS.has(t.toLowerCase()))) return ANY;
      return inCidrs(field, cs);
    }
    if (e.prefixes.length === 0 && e.asgIds.length === 0) return ANY;
    const parts: Match[] = [];
    for (const p of e.prefixes) {
      if (ANY_WORDS.has(p.trim().toLowerCase())) return ANY;
      const c = parseCidr(p.trim());
      if (c !== undefined) { parts.push(inCidrs(field, [c])); continue; }
      const tag = this.tagCidrs(p);
      if (tag !== undefined) { parts.push(inCidrs(field, tag)); continue; }
      this.say(r, 'azure/unresolved-tag', `${nsg} rule ${r.name} uses service tag ${p}, whose prefixes were not given (az network list-service-tags, or az network vnet list for VirtualNetwork); the rule is treated as undecided (may match)`);
      parts.push(opaque(`service tag ${p} not resolved from the exports`, p));
    }
    for (const a of e.asgIds) {
      if (!this.inv.hasNics) {
        this.say(r, 'azure/unresolved-asg', `${nsg} rule ${r.name} uses application security group ${nameOf(a)}, but no NIC export says which NICs are members (az network nic list); the rule is treated as undecided`);
        parts.push(opaque(`members of ASG ${nameOf(a)} unknown`, a));
      } else parts.push(inAddresses(field, this.asgMembers(a)));
    }
    return or(...parts);
  }

  private ports(r: NsgRule, tokens: readonly string[], field: 'sport' | 'dport'): Match {
    const ranges: (readonly [number, number])[] = [];
    for (const t of tokens) {
      const pr = parsePortRange(t);
      if (pr === undefined) {
        this.say(r, 'azure/bad-port', `rule ${r.name}: expected a port, a range like 8000-8080 or *, got "${t}"`);
        return opaque(`bad port ${t}`, t);
      }
      ranges.push(pr);
    }
    if (ranges.length === 0 || ranges.some(([lo, hi]) => lo === 0 && hi === 65535)) return ANY;
    return num(field, ...ranges);
  }

  private proto(r: NsgRule): Match {
    switch (r.protocol.trim().toLowerCase()) {
      case '*': case 'any': case 'all': case '': return ANY;
      case 'tcp': return protocol(6);
      case 'udp': return protocol(17);
      case 'icmp': return or(protocol(1), protocol(58));
      case 'esp': return protocol(50);
      case 'ah': return protocol(51);
      default:
        this.say(r, 'azure/bad-protocol', `rule ${r.name}: expected Tcp, Udp, Icmp, Esp, Ah or *, got "${r.protocol}"`);
        return opaque(`protocol ${r.protocol}`, r.protocol);
    }
  }

  private endText(e: NsgEnd): string {
    const who = [...e.prefixes, ...e.asgIds.map(nameOf)].join(',') || '*';
    const ports = e.ports.join(',') || '*';
    return `${who}:${ports}`;
  }

  cloudRule(nsg: NsgSource, r: NsgRule): CloudRule {
    const hit = this.cloud.get(r);
    if (hit !== undefined) return hit;
    const m = and(
      this.proto(r), this.side(r, r.source, 'src', nsg.name), this.side(r, r.destination, 'dst', nsg.name),
      this.ports(r, r.source.ports, 'sport'), this.ports(r, r.destination.ports, 'dport'),
    );
    const access = r.access === 'allow' ? 'Allow' : 'Deny';
    const text = `${nsg.name} priority ${r.priority} ${r.name}: ${access} ${r.protocol} from ${this.endText(r.source)} to ${this.endText(r.destination)}`;
    const out: CloudRule = {
      match: m, action: r.access === 'allow' ? 'accept' : 'drop', text,
      native: { nsg: nsg.name, name: r.name, priority: r.priority, direction: r.direction }, at: r.at,
    };
    this.cloud.set(r, out);
    return out;
  }

  private direction(nsg: NsgSource, dir: 'inbound' | 'outbound'): CloudRule[] {
    const rules = nsg.rules.filter((r) => r.direction === dir).sort((a, b) => a.priority - b.priority).map((r) => this.cloudRule(nsg, r));
    if (dir === 'inbound') return rules;
    const platform: CloudRule = {
      match: inCidrs('dst', PLATFORM), action: 'accept',
      text: 'platform traffic (168.63.129.16, 169.254.169.254: DNS, DHCP, IMDS, health) is not subject to NSGs', native: { nsg: nsg.name, name: 'platform' },
    };
    return [platform, ...rules];
  }

  layer(nsg: NsgSource, level: 'subnet' | 'nic', protects: 'destination' | 'source'): FilterLayer {
    return simpleLayer({
      dialect: 'azure', name: `azure-nsg ${nsg.name} (${level})`, table: nsg.name, stateful: true, protects,
      inbound: { chain: 'inbound', rules: this.direction(nsg, 'inbound'), policy: 'drop', policyText: `${nsg.name}: no inbound rule matched` },
      outbound: { chain: 'outbound', rules: this.direction(nsg, 'outbound'), policy: 'drop', policyText: `${nsg.name}: no outbound rule matched` },
    }, this.rules);
  }
}
