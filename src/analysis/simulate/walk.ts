/**
 * One branch of a simulation: the packet through every base chain of its hook, with every
 * undecided rule resolved by `choices` (in the order met; missing entries default to false:
 * "does not match" / "user space drops"). simulate.ts enumerates the branches.
 */
import type { Action, RejectWith } from '../../model/action.js';
import { assertNever } from '../../model/assert-never.js';
import type { CtState, Match } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { effectiveCtStatus, hasConntrackEntry } from './ctstate.js';
import { type MatchContext, evaluateTri, ABSENT, FAILS, HOLDS, UNKNOWN } from './evaluate-match.js';
import { applyEffects } from './effects.js';
import { explainMismatch, unknownReasons } from './explain.js';
import type { PreparedChain, PreparedRule, PreparedRuleset } from './index-ruleset.js';
import { MissStep, type StepView } from './miss-step.js';
import { type PacketKey, mayMatch, packetKey } from './prefilter.js';
import type { AddrTypeOracle, Assumption, AssumeFn, PolicyRef, RuleRef, TraceStep, Verdict } from './types.js';

export const MAX_DEPTH = 256;

export interface BranchInput {
  readonly prepared: PreparedRuleset;
  readonly packet: Packet;
  readonly ctstate: CtState;
  readonly choices: readonly boolean[];
  readonly assume?: AssumeFn;
  readonly addrTypeOf?: AddrTypeOracle;
}

export interface Branch {
  verdict: Verdict;
  decidedBy: RuleRef | PolicyRef;
  reject?: RejectWith;
  readonly matched: RuleRef[];
  readonly steps: TraceStep[];
  readonly notes: string[];
  readonly dependsOn: { ref: RuleRef; reason: string }[];
  readonly assumptions: Assumption[];
  /** Undecided points met that `choices` / `assume` did not fix beyond the given choices. */
  freePoints: number;
  mark: number;
  connmark: number;
}

interface Frame {
  readonly pc: PreparedChain;
  next: number;
  /** Jump / goto sites (rule ids) that led into this frame. */
  readonly sites: number[];
}

/** What a chain walk ended with. */
type ChainEnd =
  | { readonly kind: 'accept' | 'drop'; readonly by: RuleRef | PolicyRef }
  | { readonly kind: 'reject'; readonly by: RuleRef; readonly with: RejectWith };

/** Control after a rule's action. */
type Control = 'next' | 'pushed' | 'popped' | ChainEnd;

/** Before conntrack (raw, priority < -200 on prerouting/output) no packet has a conntrack entry yet. */
function stateIn(pc: PreparedChain, given: CtState, notracked: boolean): CtState {
  const b = pc.chain.base;
  const early = b !== undefined && (b.hook === 'prerouting' || b.hook === 'output') && b.priority < -200;
  if (early) return 'invalid';
  return notracked ? 'untracked' : given;
}

function loc(ref: RuleRef): string {
  return `${ref.table}/${ref.chain}/${ref.index}`;
}

export function walkBranch(input: BranchInput): Branch {
  return new BranchWalker(input).run();
}

class BranchWalker {
  private readonly p: Packet;
  private readonly key: PacketKey;
  private readonly out: Branch;
  private choiceIndex = 0;
  private notracked = false;
  /** Never mutated: replaced (with `view`) when the mark or the state changes, so that lazy explanations keep theirs. */
  private ctx: MatchContext;
  private view: StepView;
  /** The walk of the current base chain. */
  private stack: Frame[] = [];
  private readonly active = new Set<number>();
  private base: PreparedChain | undefined;

  constructor(private readonly input: BranchInput) {
    this.p = input.packet;
    this.key = packetKey(input.packet);
    this.out = {
      verdict: 'accept',
      decidedBy: { family: this.p.family === 'ipv4' ? 'ip' : 'ip6', table: '', chain: '', policy: true },
      matched: [], steps: [], notes: [], dependsOn: [], assumptions: [], freePoints: 0,
      mark: this.p.mark, connmark: this.p.connmark,
    };
    this.ctx = {
      ctstate: input.ctstate, ctstatus: [], mark: this.p.mark, connmark: this.p.connmark,
      ...(input.addrTypeOf !== undefined ? { addrTypeOf: input.addrTypeOf } : {}),
    };
    this.view = { packet: this.p, ctx: this.ctx };
  }

  run(): Branch {
    const { out, p } = this;
    const plan = this.input.prepared.plan(p.hook, p.family);
    out.notes.push(...plan.ambiguities);
    if (plan.chains.length === 0) out.notes.push(`no base chain on hook ${p.hook} for ${p.family}: netfilter accepts the packet`);
    for (const base of plan.chains) {
      const ctstate = stateIn(base, this.input.ctstate, this.notracked);
      if (ctstate === 'invalid' && this.input.ctstate !== 'invalid' && !this.notracked) {
        out.notes.push(`${base.table.name}/${base.chain.name} runs before conntrack (priority ${base.chain.base?.priority ?? 0} < -200): no packet has a conntrack entry there, ctstate matches see INVALID`);
      }
      this.setCtx({ ...this.ctx, ctstate, ctstatus: hasConntrackEntry(ctstate) ? effectiveCtStatus(p, ctstate) : [] });
      const end = this.walkBaseChain(base);
      out.decidedBy = end.by;
      if (end.kind === 'accept') continue;
      out.verdict = end.kind;
      if (end.kind === 'reject') out.reject = end.with;
      break;
    }
    return out;
  }

  private setCtx(ctx: MatchContext): void {
    this.ctx = ctx;
    this.view = { packet: this.p, ctx };
  }

  private decide(ref: RuleRef, m: Match, reason: string, kind: 'match' | 'verdict', caseIndex?: number): boolean {
    const { out, input } = this;
    const fixed = input.assume?.(ref, m);
    let value: boolean;
    if (fixed !== undefined) {
      value = fixed;
      const what = kind === 'match' ? (value ? 'to match' : 'not to match') : value ? 'to accept' : 'to drop';
      out.dependsOn.push({ ref, reason: `${reason} (assumed ${what})` });
    } else {
      value = input.choices[this.choiceIndex] ?? false;
      if (this.choiceIndex >= input.choices.length) out.freePoints++;
      this.choiceIndex++;
      out.dependsOn.push({ ref, reason });
    }
    out.assumptions.push(kind === 'match'
      ? { ref, matched: value, ...(caseIndex !== undefined ? { case: caseIndex } : {}) }
      : { ref, matched: true, accepted: value });
    return value;
  }

  private policy(pc: PreparedChain): ChainEnd {
    const kind = pc.chain.base?.policy ?? 'accept';
    const upper = pc.table.source === 'iptables';
    this.out.steps.push({ ref: pc.policyRef, depth: 0, result: 'match', action: `policy ${upper ? kind.toUpperCase() : kind}`, text: pc.chain.origin.text });
    return { kind, by: pc.policyRef };
  }

  private pop(): void {
    const f = this.stack.pop();
    for (const s of f?.sites ?? []) this.active.delete(s);
  }

  private walkBaseChain(pc: PreparedChain): ChainEnd {
    this.base = pc;
    this.stack = [{ pc, next: 0, sites: [] }];
    this.active.clear();
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (frame === undefined) return this.policy(pc);
      const pr = frame.pc.rules[frame.next];
      let ctl: Control;
      if (pr === undefined) ctl = 'popped';
      else if (!mayMatch(frame.pc.prefilter, frame.next, this.key)) {
        frame.next++;
        this.out.steps.push(new MissStep(pr, this.stack.length - 1, this.view));
        continue;
      } else {
        frame.next++;
        ctl = this.visitRule(pr, this.stack.length - 1);
      }
      if (ctl === 'next' || ctl === 'pushed') continue;
      if (ctl !== 'popped') return ctl;
      // RETURN, or the end of a chain: back to the caller; in a base chain, its policy.
      if (this.stack.length === 1) return this.policy(pc);
      this.pop();
    }
  }

  private visitRule(pr: PreparedRule, depth: number): Control {
    const { rule, ref } = pr;
    const { out, p, ctx } = this;
    const r = evaluateTri(rule.match, p, ctx);
    if ((r === FAILS || r === ABSENT) && rule.action.kind !== 'dispatch') {
      out.steps.push(new MissStep(pr, depth, this.view));
      return 'next';
    }
    let holds = r === HOLDS;
    let assumed: boolean | undefined;
    if (r === UNKNOWN) {
      holds = this.decide(ref, rule.match, unknownReasons(rule.match, p, ctx).join('; '), 'match');
      assumed = holds;
    }
    let action: Action = rule.action;
    let why = holds ? undefined : explainMismatch(rule.match, p, ctx);
    if (holds && action.kind === 'dispatch') {
      const picked = this.pickCase(pr, action);
      if (picked === undefined) {
        holds = false;
        const keys: Match = { kind: 'or', items: action.cases.map((c) => c.match) };
        why = `no verdict-map entry matches: ${explainMismatch(keys, p, ctx) ?? ''}`;
      } else action = picked;
    }
    const result = assumed === undefined ? (holds ? 'match' : 'no-match') : 'unknown';
    if (assumed !== undefined) why = explainMismatch(rule.match, p, ctx);
    if (why === undefined && assumed === undefined) out.steps.push({ ref, depth, result, action: pr.actionText, text: rule.origin.text });
    else {
      out.steps.push({
        ref, depth, result, text: rule.origin.text,
        ...(why !== undefined ? { why } : {}),
        ...(holds ? { action: pr.actionText } : {}),
        ...(assumed !== undefined ? { assumed } : {}),
      });
    }
    if (!holds) return 'next';
    out.matched.push(ref);
    this.applyEffects(pr);
    return this.act(pr, action);
  }

  private pickCase(pr: PreparedRule, a: Extract<Action, { kind: 'dispatch' }>): Action | undefined {
    for (let i = 0; i < a.cases.length; i++) {
      const c = a.cases[i];
      if (c === undefined) continue;
      const r = evaluateTri(c.match, this.p, this.ctx);
      if (r === HOLDS) return c.action;
      if (r === UNKNOWN && this.decide(pr.ref, c.match, unknownReasons(c.match, this.p, this.ctx).join('; '), 'match', i)) return c.action;
    }
    return undefined;
  }

  private applyEffects(pr: PreparedRule): void {
    const { out, ctx } = this;
    if (pr.rule.effects.length === 0) return;
    const s = applyEffects(pr.rule.effects, { mark: out.mark, connmark: out.connmark, notrack: this.notracked }, hasConntrackEntry(ctx.ctstate));
    out.mark = s.mark;
    out.connmark = s.connmark;
    this.notracked = s.notrack;
    if (s.mark !== ctx.mark || s.connmark !== ctx.connmark) this.setCtx({ ...ctx, mark: s.mark, connmark: s.connmark });
  }

  private act(pr: PreparedRule, a: Action): Control {
    const { ref } = pr;
    const { out, stack } = this;
    switch (a.kind) {
      case 'accept': return { kind: 'accept', by: ref };
      case 'drop': return { kind: 'drop', by: ref };
      case 'reject': return { kind: 'reject', by: ref, with: a.with };
      case 'continue': return 'next';
      case 'return': return 'popped';
      case 'jump': case 'goto': {
        const table = (this.base ?? stack[0]?.pc)?.table;
        const target = table === undefined ? undefined : this.input.prepared.findChain(table, a.chain);
        if (target === undefined) {
          out.notes.push(`${loc(ref)}: ${a.kind} to unknown chain ${a.chain} ignored`);
          return 'next';
        }
        if (this.active.has(pr.id) || stack.length >= MAX_DEPTH) {
          out.notes.push(`${loc(ref)}: ${a.kind} ${a.chain} loops (or nests deeper than ${MAX_DEPTH}); the kernel rejects such a ruleset at load time: evaluation stopped, packet counted as dropped`);
          return { kind: 'drop', by: ref };
        }
        this.active.add(pr.id);
        if (a.kind === 'jump') stack.push({ pc: target, next: 0, sites: [pr.id] });
        else {
          // goto: the target replaces the current chain; falling off its end returns to our caller.
          const top = stack.pop();
          stack.push({ pc: target, next: 0, sites: [...(top?.sites ?? []), pr.id] });
        }
        return 'pushed';
      }
      case 'nat':
        out.notes.push(`${loc(ref)}: ${a.nat.type} in a filter chain ignored (address translation is evaluated in nat chains)`);
        return 'next';
      case 'queue':
      case 'opaque': {
        if (a.kind === 'opaque' && !a.terminal) {
          out.notes.push(`${loc(ref)}: target ${a.name} not evaluated (${a.reason}); evaluation continues`);
          return 'next';
        }
        const what = a.kind === 'queue' ? `verdict given by user space (${a.text})` : `target ${a.name}: ${a.reason}`;
        return this.decide(ref, pr.rule.match, what, 'verdict') ? { kind: 'accept', by: ref } : { kind: 'drop', by: ref };
      }
      case 'dispatch':
        out.notes.push(`${loc(ref)}: nested verdict map ignored`);
        return 'next';
      default: return assertNever(a);
    }
  }
}
