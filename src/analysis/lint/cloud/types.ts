/**
 * What cloud lint reads: vendor-neutral layers (rulesets with origins naming the native rules)
 * plus what the exports say about targets. Front ends build it from the cloud dialects' models.
 */
import type { Rule, Ruleset } from '../../../model/ruleset.js';

export interface CloudLintLayer {
  readonly kind: 'aws-sg' | 'aws-nacl' | 'azure-nsg' | 'gcp-firewall';
  /** The native object: `sg-… (web)`, `acl-…`, `nsg-web`, `network prod`. */
  readonly name: string;
  /** First match by number / priority (NACL, NSG, GCP); false for a security group (union of allows). */
  readonly ordered: boolean;
  /** Stateless (NACL): replies are evaluated by the rules of the other direction. */
  readonly stateless: boolean;
  readonly inbound: Ruleset;
  readonly outbound: Ruleset;
  /** The instances (interfaces, NICs, subnets) the layer protects. */
  readonly targets: readonly string[];
  /** For rules that target a subset (GCP target tags): the instances each rule applies to. */
  readonly ruleTargets?: ReadonlyMap<Rule, readonly string[]>;
}

/** The layers in front of one instance, client side first (inbound rules of each are used). */
export interface CloudLintPath {
  readonly name: string;
  readonly layers: readonly CloudLintLayer[];
}

export interface CloudLintInput {
  readonly layers: readonly CloudLintLayer[];
  readonly paths: readonly CloudLintPath[];
}

export const CLOUD_FINDING_CODES = {
  'lint/cloud-admin-port-open': { severity: 'warning', summary: 'an admin or database port is open to the whole internet' },
  'lint/cloud-nacl-no-ephemeral': { severity: 'warning', summary: 'a stateless NACL allows a service but not its replies to ephemeral ports' },
  'lint/cloud-deny-shadows-allow': { severity: 'warning', summary: 'deny rules of higher priority take every packet an allow rule matches' },
  'lint/cloud-no-target': { severity: 'info', summary: 'a rule or group applies to no instance' },
  'lint/cloud-dead-across-path': { severity: 'warning', summary: 'an earlier layer on the path blocks everything this allow rule lets in' },
} as const;
