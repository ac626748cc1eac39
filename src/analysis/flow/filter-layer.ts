/**
 * A layer reduced to rulesets (security group, network ACL, NSG, GCP firewall): the forward packet
 * is evaluated by the rules for its direction; a stateful layer lets the answer of a flow it
 * accepted through, a stateless one evaluates the answer by the rules of the other direction. A
 * REJECT answers like a host's REJECT does (the flow's code in flow.ts sends the ICMP error or
 * the reset back from this layer).
 */
import type { Packet } from '../../model/packet.js';
import type { FilterLayer } from '../../model/path.js';
import { prepare, type Simulator } from '../simulate/index.js';
import { withFields } from './connection.js';
import type { Stage } from './types.js';

export class FilterEngine {
  private readonly inbound: Simulator;
  private readonly outbound: Simulator;
  accepted = false;

  constructor(readonly layer: FilterLayer) {
    this.inbound = prepare(layer.inbound);
    this.outbound = prepare(layer.outbound);
  }

  get name(): string {
    return this.layer.name;
  }

  /** `direction`: forward = client → service. */
  pass(p: Packet, direction: 'forward' | 'reply'): Stage {
    const towardsProtected = (direction === 'forward') === (this.layer.protects === 'destination');
    if (direction === 'reply' && this.layer.stateful && this.accepted) {
      return { layer: this.name, stage: 'filter', packet: p, result: 'pass', summary: 'stateful: the answer of an accepted flow passes', traces: [], natSteps: [], notes: [] };
    }
    const sim = towardsProtected ? this.inbound : this.outbound;
    const t = sim.simulate(withFields(p, { hook: towardsProtected ? 'input' : 'output', ctstate: direction === 'forward' ? 'new' : 'established' }));
    const ok = t.verdict === 'accept';
    if (ok && direction === 'forward') this.accepted = true;
    const rules = towardsProtected ? 'inbound' : 'outbound';
    const kind = `${this.layer.stateful ? 'stateful' : 'stateless'} layer`;
    if (t.verdict === 'reject') {
      const w = t.reject ?? { kind: 'icmp', code: 3, name: 'icmp-port-unreachable' };
      return {
        layer: this.name, stage: 'filter', packet: p, result: 'reject', traces: [t], natSteps: [], notes: [],
        summary: `${rules} rules reject it (${w.name}; ${kind})`, ref: t.decidedBy, reject: w,
      };
    }
    return {
      layer: this.name, stage: 'filter', packet: p, result: ok ? 'pass' : 'drop', traces: [t], natSteps: [], notes: [],
      summary: ok ? `${rules} rules accept` : `${rules} rules drop it (${kind})`,
      ref: t.decidedBy,
    };
  }
}
