/** The result of a flow through a path: every packet's journey, stage by stage, and the outcome. */
import type { RejectWith } from '../../model/action.js';
import type { FlowDirection, FlowOutcome, IcmpError } from '../../model/flow.js';
import type { Origin } from '../../model/origin.js';
import type { Packet } from '../../model/packet.js';
import type { PolicyRef, RuleRef, TraceResult, TraceStep } from '../simulate/index.js';

export type StageName =
  | 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress'
  | 'conntrack' | 'routing' | 'socket' | 'wrappers' | 'filter' | 'neighbour';

export interface NatRecord {
  /** `dnat`, `snat`, …, or `un-dnat` / `un-snat` for a reply translated back from the connection. */
  readonly type: string;
  readonly before: Packet;
  readonly after: Packet;
  readonly by?: RuleRef;
}

/** One step of a packet's way through one layer. */
export interface Stage {
  readonly layer: string;
  readonly stage: StageName;
  /** The packet as it entered this stage. */
  readonly packet: Packet;
  readonly result: 'pass' | 'drop' | 'reject' | 'local' | 'forward' | 'no-route' | 'deliver' | 'respond';
  /** One line for a person. */
  readonly summary: string;
  /** The filter chains evaluated here (one trace per group of chains between nat points). */
  readonly traces: readonly TraceResult[];
  /** nat chain steps evaluated here. */
  readonly natSteps: readonly TraceStep[];
  readonly nat?: NatRecord;
  /** What decided, when a rule or the configuration did. */
  readonly ref?: RuleRef | PolicyRef;
  readonly evidence?: Origin;
  /** For `reject`: what the REJECT answers with. */
  readonly reject?: RejectWith;
  readonly notes: readonly string[];
  /**
   * A neighbour-discovery block that warm neighbour caches can lift: the blocked side can still
   * solicit the other itself, which teaches the other its link-layer address (see neighbour.ts).
   */
  readonly intermittent?: string;
}

/** What kind of packet this is within the flow. */
export type PacketRole = 'forward' | 'reply' | 'reset' | 'icmp-error';

export interface PacketJourney {
  readonly role: PacketRole;
  readonly direction: FlowDirection;
  /** Who sent it: 'client' or a layer name. */
  readonly from: string;
  readonly packet: Packet;
  readonly stages: readonly Stage[];
  /** How the journey ended. */
  readonly fate: 'arrived' | 'delivered' | 'dropped' | 'rejected' | 'no-route';
  /** The stage that ended it (drop, reject, no-route, delivery). */
  readonly end?: Stage;
  readonly reject?: RejectWith;
}

export interface FlowResult {
  readonly outcome: FlowOutcome;
  /** For `timeout`: which direction was dropped. */
  readonly dropped?: FlowDirection;
  /** One sentence: why this outcome ("refused: nothing listens on tcp 198.19.0.2:8080"). */
  readonly reason: string;
  readonly icmp?: IcmpError;
  /** Forward packet first, then the answer (reply, reset or ICMP error) when there is one. */
  readonly packets: readonly PacketJourney[];
  readonly notes: readonly string[];
}
