/**
 * GCP firewall as a layer, for one network interface of one instance: stateful; the rules of the
 * interface's network that apply to it (no target tags / service accounts = every instance;
 * disabled rules ignored), sorted by priority with deny before allow at equal priority, then the
 * implied rules (deny all ingress, allow all egress, priority 65535). Metadata-server traffic
 * (169.254.169.254) is always allowed. Source tags and service accounts match the primary internal
 * address (nic0) of the instances carrying them, in the same network. Firewall policies (from
 * get-effective-firewalls) become chains evaluated before (hierarchical) or around the VPC rules
 * (network policies, per networkFirewallPolicyEnforcementOrder); `goto_next` returns to the next one.
 * CHOICES (VERIFY): an ingress rule with no source at all matches 0.0.0.0/0 (what gcloud stores by
 * default); an egress rule with no destinationRanges matches 0.0.0.0/0; `icmp` is ICMPv4 only
 * (ICMPv6 is protocol `58`); hierarchical policies are evaluated in the order the export lists them.
 */
import { type Address, type Cidr, formatCidr, parseCidr } from '../../model/address.js';
import { ANY, type Match, and, num, opaque, or, protocol } from '../../model/match.js';
import { parseProtocol } from '../../model/protocol.js';
import type { FilterLayer } from '../../model/path.js';
import { filterLayer } from '../../model/path.js';
import type { Rule, Ruleset } from '../../model/ruleset.js';
import { type CloudChain, type CloudRule, cloudRuleset } from '../scenario/cloud-ruleset.js';
import { inAddresses, inCidrs, parsePortRange } from '../scenario/cloud-match.js';
import type { GcpInstance, GcpInventory, GcpNic, GcpPolicy, GcpRule, L4Spec } from './syntax.js';

const METADATA = parseCidr('169.254.169.254/32') as Cidr;
const V4_ANY = parseCidr('0.0.0.0/0') as Cidr;

function l4Match(specs: readonly L4Spec[]): Match {
  if (specs.length === 0) return ANY;
  return or(...specs.map((s) => {
    const p = s.protocol.toLowerCase();
    if (p === 'all') return ANY;
    const n = p === 'ipv6-icmp' || p === 'icmpv6' ? 58 : parseProtocol(p);
    if (n === undefined) return opaque(`unknown protocol ${s.protocol}`, s.protocol);
    if (s.ports.length === 0 || ![6, 17, 132].includes(n)) return protocol(n);
    const ranges = s.ports.map(parsePortRange);
    if (ranges.some((r) => r === undefined)) return and(protocol(n), opaque(`bad ports ${s.ports.join(',')}`, s.ports.join(',')));
    return and(protocol(n), num('dport', ...(ranges as (readonly [number, number])[])));
  }));
}

function l4Text(specs: readonly L4Spec[]): string {
  return specs.map((s) => (s.ports.length === 0 ? s.protocol : `${s.protocol}:${s.ports.join(',')}`)).join(',') || 'all';
}

export class GcpConverter {
  readonly rules = new Map<CloudRule, Rule>();
  private readonly cloud = new Map<GcpRule, CloudRule>();

  constructor(readonly inv: GcpInventory) {}

  /** Primary internal addresses of the instances in `network` with one of the tags / service accounts. */
  sourceMembers(network: string, tags: readonly string[], sas: readonly string[]): Address[] {
    return this.inv.instances
      .filter((i) => i.tags.some((t) => tags.includes(t)) || i.serviceAccounts.some((s) => sas.includes(s)))
      .map((i) => i.nics[0])
      .filter((n): n is GcpNic & { address: Address } => n !== undefined && n.network === network && n.address !== undefined)
      .map((n) => n.address);
  }

  appliesTo(r: GcpRule, inst: GcpInstance, nic: GcpNic, policy: boolean): boolean {
    if (r.disabled) return false;
    if (!policy && r.network !== nic.network) return false;
    if (policy && r.network !== '' && !r.network.split(',').includes(nic.network)) return false;
    if (r.targetTags.length === 0 && r.targetServiceAccounts.length === 0) return true;
    return r.targetTags.some((t) => inst.tags.includes(t)) || r.targetServiceAccounts.some((s) => inst.serviceAccounts.includes(s));
  }

  /** Instances a rule targets (for lint). */
  targetsOf(r: GcpRule): GcpInstance[] {
    return this.inv.instances.filter((i) => i.nics.some((n) => this.appliesTo(r, i, n, false)));
  }

  cloudRule(r: GcpRule, policy?: GcpPolicy): CloudRule {
    const hit = this.cloud.get(r);
    if (hit !== undefined) return hit;
    const ingress = r.direction === 'INGRESS';
    const peerParts: Match[] = [];
    const peerText: string[] = [];
    const peerField = ingress ? 'src' : 'dst';
    const peerRanges = ingress ? r.sourceRanges : r.destinationRanges;
    if (peerRanges.length > 0) { peerParts.push(inCidrs(peerField, peerRanges)); peerText.push(peerRanges.map(formatCidr).join(',')); }
    if (ingress && (r.sourceTags.length > 0 || r.sourceServiceAccounts.length > 0)) {
      peerParts.push(inAddresses('src', this.sourceMembers(r.network, r.sourceTags, r.sourceServiceAccounts)));
      peerText.push(`instances with ${[...r.sourceTags.map((t) => `tag ${t}`), ...r.sourceServiceAccounts].join(', ')}`);
    }
    let peer = or(...peerParts);
    if (peerParts.length === 0) {
      peer = policy === undefined ? inCidrs(peerField, [V4_ANY]) : ANY;
      peerText.push(policy === undefined ? '0.0.0.0/0' : 'any');
    }
    const other = ingress ? r.destinationRanges : r.sourceRanges;
    const otherMatch = other.length > 0 ? inCidrs(ingress ? 'dst' : 'src', other) : ANY;
    const opq = r.opaque.map((k) => opaque(`${k} is not modelled`, k));
    const targets = [...r.targetTags.map((t) => `tag ${t}`), ...r.targetServiceAccounts].join(', ');
    const where = policy === undefined ? '' : `policy ${policy.name} `;
    const text = `${where}${r.name} priority ${r.priority}: ${r.action} ${l4Text(r.l4)} ${ingress ? 'from' : 'to'} ${peerText.join(' or ')}${targets !== '' ? ` (targets ${targets})` : ''}`;
    const out: CloudRule = {
      match: and(l4Match(r.l4), peer, otherMatch, ...opq),
      action: r.action === 'allow' ? 'accept' : r.action === 'deny' ? 'drop' : 'return', text,
      native: { rule: r.name, priority: r.priority, network: r.network, ...(policy !== undefined ? { policy: policy.name } : {}) }, at: r.at,
    };
    this.cloud.set(r, out);
    return out;
  }

  vpcRules(inst: GcpInstance, nic: GcpNic, dir: 'INGRESS' | 'EGRESS'): CloudRule[] {
    return this.inv.rules
      .filter((r) => r.direction === dir && this.appliesTo(r, inst, nic, false))
      .sort((a, b) => a.priority - b.priority || (a.action === 'deny' ? 0 : 1) - (b.action === 'deny' ? 0 : 1) || a.name.localeCompare(b.name))
      .map((r) => this.cloudRule(r));
  }

  private ruleset(inst: GcpInstance, nic: GcpNic, dir: 'INGRESS' | 'EGRESS'): Ruleset {
    const ingress = dir === 'INGRESS';
    const chainName = ingress ? 'ingress' : 'egress';
    const base: CloudRule[] = [{
      match: inCidrs(ingress ? 'src' : 'dst', [METADATA]), action: 'accept',
      text: 'always allowed: the metadata server 169.254.169.254 (firewall rules do not apply)', native: { rule: 'metadata' },
    }];
    const implied: CloudRule = ingress
      ? { match: ANY, action: 'drop', text: 'implied rule priority 65535: deny all ingress', native: { rule: 'implied-deny-ingress', priority: 65535 } }
      : { match: ANY, action: 'accept', text: 'implied rule priority 65535: allow all egress', native: { rule: 'implied-allow-egress', priority: 65535 } };
    const vpc = this.vpcRules(inst, nic, dir);
    const policies = this.inv.policies.map((p) => ({ p, rules: p.rules.filter((r) => r.direction === dir && this.appliesTo(r, inst, nic, true)).sort((a, b) => a.priority - b.priority) }));
    const chains: CloudChain[] = [];
    if (policies.length === 0) {
      chains.push({ name: chainName, rules: [...base, ...vpc, implied], base: { hook: ingress ? 'input' : 'output', policy: ingress ? 'drop' : 'accept', policyText: 'no rule matched' } });
      return cloudRuleset('gcp', `vpc-${nic.network}`, chains, this.rules);
    }
    const jumpTo = (name: string, why: string): CloudRule => ({ match: ANY, action: { jump: name }, text: why, native: { chain: name } });
    const hier = policies.filter((x) => x.p.type === 'HIERARCHY' || x.p.type.startsWith('SYSTEM'));
    const net = policies.filter((x) => !hier.includes(x));
    const before = this.inv.enforcementOrder.get(nic.network) === 'BEFORE_CLASSIC_FIREWALL';
    const seq: CloudRule[] = [...base];
    const policyChain = (x: (typeof policies)[number]): void => {
      const name = `policy ${x.p.name}`;
      chains.push({ name, rules: x.rules.map((r) => this.cloudRule(r, x.p)) });
      seq.push(jumpTo(name, `evaluate firewall policy ${x.p.name} (${x.p.type.toLowerCase()}); goto_next or no match continues`));
    };
    hier.forEach(policyChain);
    const vpcStep = (): void => {
      chains.push({ name: 'vpc-rules', rules: vpc });
      seq.push(jumpTo('vpc-rules', `evaluate the VPC firewall rules of ${nic.network}`));
    };
    if (!before) vpcStep();
    net.forEach(policyChain);
    if (before) vpcStep();
    seq.push(implied);
    chains.unshift({ name: chainName, rules: seq, base: { hook: ingress ? 'input' : 'output', policy: ingress ? 'drop' : 'accept', policyText: 'no rule matched' } });
    return cloudRuleset('gcp', `vpc-${nic.network}`, chains, this.rules);
  }

  /** Every enabled VPC rule of a network, in evaluation order, for lint (targets resolved per rule). */
  networkRules(network: string, dir: 'INGRESS' | 'EGRESS'): { rule: GcpRule; cloud: CloudRule }[] {
    return this.inv.rules
      .filter((r) => r.direction === dir && r.network === network && !r.disabled)
      .sort((a, b) => a.priority - b.priority || (a.action === 'deny' ? 0 : 1) - (b.action === 'deny' ? 0 : 1) || a.name.localeCompare(b.name))
      .map((r) => ({ rule: r, cloud: this.cloudRule(r) }));
  }

  layer(inst: GcpInstance, nic: GcpNic, protects: 'destination' | 'source'): FilterLayer {
    return filterLayer(`gcp-firewall ${inst.name}/${nic.name}`, {
      stateful: true, protects, inbound: this.ruleset(inst, nic, 'INGRESS'), outbound: this.ruleset(inst, nic, 'EGRESS'),
    });
  }
}
