/**
 * A no-match trace step whose explanation is only built when read, so that a trace through 50k
 * rules stays fast (a few ms instead of a few hundred). Its fields are getters on the prototype
 * over the prepared rule: read them as properties, or serialise with toJson / JSON.stringify
 * (toJSON below); a spread would drop them.
 */
import type { Packet } from '../../model/packet.js';
import type { MatchContext } from './evaluate-match.js';
import { explainMismatch } from './explain.js';
import type { PreparedRule } from './index-ruleset.js';
import type { RuleRef, TraceStep } from './types.js';

/** The packet and the state the rules saw; one object shared by every step until the state changes. */
export interface StepView {
  readonly packet: Packet;
  readonly ctx: MatchContext;
}

export class MissStep implements TraceStep {
  private cachedWhy: string | undefined;

  constructor(private readonly rule: PreparedRule, readonly depth: number, private readonly view: StepView) {}

  get result(): 'no-match' {
    return 'no-match';
  }

  get ref(): RuleRef {
    return this.rule.ref;
  }

  get text(): string {
    return this.rule.rule.origin.text;
  }

  get why(): string {
    this.cachedWhy ??= explainMismatch(this.rule.rule.match, this.view.packet, this.view.ctx) ?? '';
    return this.cachedWhy;
  }

  toJSON(): TraceStep {
    return { ref: this.ref, depth: this.depth, result: this.result, why: this.why, text: this.text };
  }
}
