/**
 * The cloud models as cloud-lint input (src/analysis/lint/cloud/types.ts, matched structurally so
 * that dialects do not import analysis): one layer per native object (security group, NACL, NSG,
 * GCP network) with the instances it protects, and one path per instance.
 */
import type { FilterLayer } from '../../model/path.js';
import type { Rule } from '../../model/ruleset.js';
import { AwsModel } from '../aws/index.js';
import { AzureModel } from '../azure/index.js';
import { GcpModel } from '../gcp/index.js';
import type { CloudModel } from './build-path.js';
import { cloudRuleset } from './cloud-ruleset.js';

export interface LintLayer {
  readonly kind: 'aws-sg' | 'aws-nacl' | 'azure-nsg' | 'gcp-firewall';
  readonly name: string;
  readonly ordered: boolean;
  readonly stateless: boolean;
  readonly inbound: FilterLayer['inbound'];
  readonly outbound: FilterLayer['outbound'];
  readonly targets: readonly string[];
  readonly ruleTargets?: ReadonlyMap<Rule, readonly string[]>;
}

export interface LintInput {
  readonly layers: LintLayer[];
  readonly paths: { readonly name: string; readonly layers: readonly LintLayer[] }[];
}

function lintLayer(kind: LintLayer['kind'], name: string, l: FilterLayer, targets: readonly string[], ordered: boolean): LintLayer {
  return { kind, name, ordered, stateless: !l.stateful, inbound: l.inbound, outbound: l.outbound, targets };
}

function addAws(m: AwsModel, out: LintInput): void {
  const groups = new Set([...m.inv.groups.keys(), ...m.inv.sgRules.map((r) => r.groupId)]);
  for (const g of groups) out.layers.push(lintLayer('aws-sg', m.sg.groupLabel(g), m.sg.layer(`aws-sg ${g}`, [g], 'destination'), m.sg.members(g).map((e) => e.id), false));
  const nacls = new Map(m.inv.nacls.map((n) => [n.id, lintLayer('aws-nacl', n.id, m.nacl.layer(n, 'destination'), n.subnetIds, true)]));
  out.layers.push(...nacls.values());
  for (const e of m.inv.enis) {
    const n = m.naclOf(e);
    const sg = lintLayer('aws-sg', `security groups of ${e.id}`, m.sg.eniLayer(e, 'destination'), [e.id], false);
    out.paths.push({ name: e.id, layers: n === undefined ? [sg] : [nacls.get(n.id) as LintLayer, sg] });
  }
}

function addAzure(m: AzureModel, out: LintInput): void {
  const byName = new Map<string, LintLayer>();
  for (const n of m.inv.nsgs) {
    const targets = [
      ...m.inv.subnets.filter((s) => s.nsgId?.toLowerCase() === n.id.toLowerCase()).map((s) => s.name),
      ...m.inv.nics.filter((x) => x.nsgId?.toLowerCase() === n.id.toLowerCase()).map((x) => x.name),
      ...n.subnetIds.map((s) => s.split('/').pop() ?? s), ...n.nicIds.map((s) => s.split('/').pop() ?? s),
    ];
    const l = lintLayer('azure-nsg', n.name, m.conv.layer(n, 'nic', 'destination'), [...new Set(targets)], true);
    byName.set(n.name, l);
    out.layers.push(l);
  }
  for (const nic of m.inv.nics) {
    const layers = [m.subnetNsg(nic), m.nicNsg(nic)].filter((x) => x !== undefined).map((x) => byName.get(x.name)).filter((x) => x !== undefined);
    out.paths.push({ name: nic.name, layers });
  }
}

function addGcp(m: GcpModel, out: LintInput): void {
  const networks = new Set(m.inv.rules.map((r) => r.network));
  for (const net of networks) {
    const ruleTargets = new Map<Rule, readonly string[]>();
    const rs = (dir: 'INGRESS' | 'EGRESS'): FilterLayer['inbound'] => {
      const list = m.conv.networkRules(net, dir);
      const built = cloudRuleset('gcp', `vpc-${net}`, [{ name: dir.toLowerCase(), rules: list.map((x) => x.cloud), base: { hook: dir === 'INGRESS' ? 'input' : 'output', policy: dir === 'INGRESS' ? 'drop' : 'accept', policyText: 'implied rule' } }], m.conv.rules);
      list.forEach((x, i) => {
        const rule = built.tables[0]?.chains[0]?.rules[i];
        if (rule !== undefined) ruleTargets.set(rule, m.conv.targetsOf(x.rule).map((t) => t.name));
      });
      return built;
    };
    const inbound = rs('INGRESS');
    const outbound = rs('EGRESS');
    const instances = m.inv.instances.filter((i) => i.nics.some((n) => n.network === net)).map((i) => i.name);
    out.layers.push({ kind: 'gcp-firewall', name: `network ${net}`, ordered: true, stateless: false, inbound, outbound, targets: instances, ruleTargets });
  }
}

export function lintInputOf(models: readonly CloudModel[]): LintInput {
  const out: LintInput = { layers: [], paths: [] };
  for (const m of models) {
    if (m instanceof AwsModel) addAws(m, out);
    else if (m instanceof AzureModel) addAzure(m, out);
    else if (m instanceof GcpModel) addGcp(m, out);
  }
  return out;
}
