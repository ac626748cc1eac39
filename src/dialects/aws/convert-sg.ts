/**
 * Security groups as a layer: stateful, allow-only, the union of every rule of every group on the
 * network interface, no order. The model's ordered form: each allow rule accepts, the chain policy
 * drops ("no rule allows it"). An empty egress list therefore denies all egress: no implicit allow
 * is ever added. Group references match the private addresses of the interfaces that carry the
 * referenced group; prefix lists expand to their entries.
 */
import type { FilterLayer } from '../../model/path.js';
import { type Match, and, opaque, NONE } from '../../model/match.js';
import type { Rule } from '../../model/ruleset.js';
import { formatCidr } from '../../model/address.js';
import { type CloudRule, simpleLayer } from '../scenario/cloud-ruleset.js';
import { inAddresses, inCidrs } from '../scenario/cloud-match.js';
import { knownGroups } from './inventory.js';
import { l4Match } from './protocol.js';
import type { AwsInventory, Eni, SgRule } from './syntax.js';

export class SgConverter {
  private readonly cloud = new Map<SgRule, CloudRule>();
  /** Shared model rules: the same native rule is one Rule object in every layer it appears in. */
  readonly rules = new Map<CloudRule, Rule>();
  private readonly known: Set<string>;

  constructor(readonly inv: AwsInventory) {
    this.known = knownGroups(inv);
  }

  groupLabel(id: string): string {
    const n = this.inv.groups.get(id)?.name;
    return n === undefined ? id : `${id} (${n})`;
  }

  members(groupId: string): Eni[] {
    return this.inv.enis.filter((e) => e.groupIds.includes(groupId));
  }

  private peer(r: SgRule): { m: Match; t: string } {
    const field = r.egress ? 'dst' : 'src';
    const p = r.peer;
    switch (p.kind) {
      case 'cidr': return { m: inCidrs(field, [p.cidr]), t: formatCidr(p.cidr) };
      case 'prefix-list': {
        const pl = this.inv.prefixLists.get(p.id);
        if (pl?.cidrs === undefined) return { m: opaque(`entries of prefix list ${p.id} not exported`, p.id), t: `prefix list ${p.id} (entries unknown)` };
        return { m: inCidrs(field, pl.cidrs), t: `prefix list ${p.id}${pl.name !== undefined ? ` (${pl.name})` : ''}` };
      }
      case 'group': {
        const members = this.members(p.groupId);
        if (members.length === 0 && !this.known.has(p.groupId)) {
          return { m: opaque(`members of security group ${p.groupId} unknown`, p.groupId), t: `members of ${p.groupId} (group not exported)` };
        }
        const addrs = members.flatMap((e) => e.privateAddresses);
        return { m: addrs.length === 0 ? NONE : inAddresses(field, addrs), t: `private addresses of ${this.groupLabel(p.groupId)} members (${members.length} interface${members.length === 1 ? '' : 's'})` };
      }
    }
  }

  cloudRule(r: SgRule): CloudRule {
    const hit = this.cloud.get(r);
    if (hit !== undefined) return hit;
    const l4 = l4Match(r.protocol, r.fromPort, r.toPort, 'sg');
    const peer = this.peer(r);
    const id = r.ruleId ?? r.at.path;
    const desc = r.description !== undefined && r.description !== '' ? ` "${r.description}"` : '';
    const who = r.ruleId === undefined ? this.groupLabel(r.groupId) : `${this.groupLabel(r.groupId)} ${r.ruleId}`;
    const text = `${who}: allow ${l4.text} ${r.egress ? 'to' : 'from'} ${peer.t}${desc}`;
    const out: CloudRule = {
      match: and(l4.match, peer.m), action: 'accept', text,
      native: { groupId: r.groupId, rule: id, direction: r.egress ? 'egress' : 'ingress' }, at: r.at,
    };
    this.cloud.set(r, out);
    return out;
  }

  rulesOf(groupIds: readonly string[], egress: boolean): CloudRule[] {
    const out: CloudRule[] = [];
    for (const g of groupIds) for (const r of this.inv.sgRules) if (r.groupId === g && r.egress === egress) out.push(this.cloudRule(r));
    return out;
  }

  /** The security-group layer of a set of groups (an interface's, or one group alone for lint). */
  layer(name: string, groupIds: readonly string[], protects: 'destination' | 'source'): FilterLayer {
    const names = groupIds.map((g) => this.groupLabel(g)).join(', ') || 'no security group';
    return simpleLayer({
      dialect: 'aws', name, table: 'sg', stateful: true, protects,
      inbound: { chain: 'inbound', rules: this.rulesOf(groupIds, false), policy: 'drop', policyText: `no inbound rule of ${names} allows it (security groups deny what no rule allows)` },
      outbound: { chain: 'outbound', rules: this.rulesOf(groupIds, true), policy: 'drop', policyText: `no outbound rule of ${names} allows it (an empty egress list denies all egress)` },
    }, this.rules);
  }

  eniLayer(eni: Eni, protects: 'destination' | 'source'): FilterLayer {
    return this.layer(`aws-sg ${eni.id}`, eni.groupIds, protects);
  }
}
