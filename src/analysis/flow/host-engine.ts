/**
 * One Linux host on a flow's path: a packet arriving from the wire (PREROUTING → routing → INPUT,
 * or FORWARD → POSTROUTING) or generated locally (routing → OUTPUT → POSTROUTING), with conntrack
 * states, NAT on a connection's first packet, NAT undone on its replies, rp_filter, ip_forward and
 * a full conntrack table. Hook order and chain priorities are the ruleset's (iptables, ip6tables
 * and nft tables together).
 */
import type { RejectWith } from '../../model/action.js';
import { formatValue } from '../../model/address.js';
import type { CtState } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { formatPacket } from '../../model/packet-input.js';
import type { HostLayer } from '../../model/path.js';
import type { Hook, Table, Chain } from '../../model/ruleset.js';
import { findChain } from '../../model/ruleset.js';
import type { PolicyRef, RuleRef, TraceResult, TraceStep } from '../simulate/index.js';
import { type Connection, withFields } from './connection.js';
import { applyTranslation, natPoint, reverseTranslation } from './translate.js';
import { evaluateNat, natFitsHook } from './nat.js';
import { routeLookup, rpFilterMode, rpFilterPasses } from './routing.js';
import { SegmentCache } from './segments.js';
import type { Stage } from './types.js';

/** How NAT treats the packet: a connection's first packet consults the nat chains, replies are translated back. */
export type NatMode = 'first' | 'reply' | 'none';

export interface HookOutcome {
  readonly kind: 'pass' | 'drop' | 'reject';
  readonly packet: Packet;
  readonly stage: Stage;
  readonly reject?: RejectWith;
}

export type HostOutcome =
  | { readonly kind: 'local'; readonly packet: Packet; readonly stages: Stage[] }
  | { readonly kind: 'out'; readonly packet: Packet; readonly stages: Stage[] }
  | { readonly kind: 'drop'; readonly packet: Packet; readonly stages: Stage[]; readonly end: Stage }
  | { readonly kind: 'reject'; readonly packet: Packet; readonly stages: Stage[]; readonly end: Stage; readonly with: RejectWith }
  | { readonly kind: 'no-route'; readonly packet: Packet; readonly stages: Stage[]; readonly end: Stage; readonly icmpCode?: number };

function hasNotrack(t: TraceResult, lookup: (r: RuleRef) => { effects: readonly { kind: string }[] } | undefined): boolean {
  return t.matched.some((ref) => lookup(ref)?.effects.some((e) => e.kind === 'notrack') === true);
}

function blockedRef(t: TraceResult): RuleRef | PolicyRef {
  return t.decidedBy;
}

export class HostEngine {
  readonly segments: SegmentCache;

  constructor(readonly layer: HostLayer, readonly conn: Connection) {
    this.segments = new SegmentCache(layer.host.ruleset);
  }

  get name(): string {
    return this.layer.name;
  }

  private findChain = (t: Table, name: string): Chain | undefined => findChain(t, name);

  private ruleOf = (ref: RuleRef): { effects: readonly { kind: string }[] } | undefined => {
    const t = this.layer.host.ruleset.tables.find((x) => x.family === ref.family && x.name === ref.table);
    return t === undefined ? undefined : findChain(t, ref.chain)?.rules[ref.index - 1];
  };

  /** The base chains of one hook, nat points in between. */
  runHook(hook: Hook, packet: Packet, ctstate: CtState, nat: NatMode): HookOutcome {
    const traces: TraceResult[] = [];
    const natSteps: TraceStep[] = [];
    const notes: string[] = [];
    let p = withFields(packet, { hook });
    let state = ctstate;
    let natRecord: Stage['nat'];
    const host = this.layer.host;
    const stage = (result: Stage['result'], summary: string, extra: Partial<Stage> = {}): Stage => ({
      layer: this.name, stage: hook, packet, result, summary, traces, natSteps, notes,
      ...(natRecord !== undefined ? { nat: natRecord } : {}), ...extra,
    });
    const segs = this.segments.segments(hook, p.family);
    const point = natPoint(hook);
    let natDone = false;
    const doNat = (chains: Parameters<typeof evaluateNat>[0]): HookOutcome | undefined => {
      natDone = true;
      if (nat === 'reply') {
        const r = reverseTranslation(this.conn, hook, p);
        if (r !== undefined) {
          natRecord = { type: r.type, before: p, after: r.packet };
          p = r.packet;
        }
        return undefined;
      }
      if (nat !== 'first' || state !== 'new' || chains.length === 0) return undefined;
      const d = evaluateNat(chains, p, { ctstate: state, ctstatus: [], mark: p.mark, connmark: p.connmark }, this.findChain);
      natSteps.push(...d.steps);
      notes.push(...d.notes);
      if (d.kind === 'drop') return { kind: 'drop', packet: p, stage: stage('drop', `dropped in a nat chain of ${hook}`, d.by ? { ref: d.by } : {}) };
      if (d.kind === 'translate' && d.target !== undefined) {
        if (!natFitsHook(d.target.type, hook)) {
          notes.push(`${d.target.type} is not valid at ${hook}; ignored`);
          return undefined;
        }
        const t = applyTranslation(host, this.conn, hook, p, d.target, d.by);
        notes.push(...t.notes);
        natRecord = { type: d.target.type, before: p, after: t.packet, ...(d.by !== undefined ? { by: d.by } : {}) };
        p = t.packet;
      }
      return undefined;
    };
    for (const seg of segs) {
      if (seg.kind === 'nat') {
        if (point === undefined) continue;
        const r = doNat(seg.chains);
        if (r !== undefined) return r;
        continue;
      }
      const t = seg.sim.simulate(withFields(p, { ctstate: state }));
      traces.push(t);
      if (state !== 'untracked' && hasNotrack(t, this.ruleOf)) {
        state = 'untracked';
        this.conn.untracked = true;
      }
      p = withFields(p, { mark: t.mark, connmark: t.connmark });
      if (t.verdict === 'drop') return { kind: 'drop', packet: p, stage: stage('drop', `dropped by ${describeRef(t.decidedBy)}`, { ref: blockedRef(t) }) };
      if (t.verdict === 'reject') {
        const w = t.reject ?? { kind: 'icmp', code: 3, name: 'icmp-port-unreachable' };
        return { kind: 'reject', packet: p, reject: w, stage: stage('reject', `rejected (${w.name}) by ${describeRef(t.decidedBy)}`, { ref: blockedRef(t) }) };
      }
    }
    if (!natDone && point !== undefined) doNat([]);
    return { kind: 'pass', packet: withFields(p, { ctstate: state }), stage: stage('pass', traces.length === 0 && natSteps.length === 0 ? `no chain on ${hook}: accepted` : `accepted${natRecord ? `; ${natRecord.type} → ${formatPacket(natRecord.after)}` : ''}`) };
  }

  /** A packet from the wire on `p.iif`. */
  receive(p: Packet, ctstate: CtState, nat: NatMode): HostOutcome {
    const host = this.layer.host;
    const stages: Stage[] = [];
    let state = ctstate;
    if (nat === 'first') this.conn.remember(p);
    const full = this.conntrackFull(p, state);
    if (full !== undefined) return { kind: 'drop', packet: p, stages: [full], end: full };
    const pre = this.runHook('prerouting', p, state, nat);
    stages.push(pre.stage);
    if (pre.kind !== 'pass') return this.blocked(pre, stages);
    let q = pre.packet;
    state = q.ctstate ?? state;
    const mode = rpFilterMode(host, q.iif);
    if (!rpFilterPasses(host, q.family, q.src, q.iif, mode)) {
      const st = this.routingStage(q, 'drop', `reverse-path filter (rp_filter=${mode}${mode === 1 ? ', strict' : ', loose'}) drops it: the route back to ${formatValue(q.family, q.src)} does not leave by ${q.iif ?? '?'}`, 'net.ipv4.conf.all.rp_filter');
      stages.push(st);
      return { kind: 'drop', packet: q, stages, end: st };
    }
    const route = routeLookup(host, { family: q.family, dst: q.dst, src: q.src, ...(q.iif !== undefined ? { iif: q.iif } : {}), mark: q.mark });
    if (route.kind === 'local') {
      stages.push(this.routingStage(q, 'local', `routing: ${formatValue(q.family, q.dst)} is local (table ${route.table}) → INPUT`));
      const inp = this.runHook('input', q, state, nat);
      stages.push(inp.stage);
      if (inp.kind !== 'pass') return this.blocked(inp, stages);
      if (nat === 'first' && state === 'new') this.conn.confirmed = true;
      return { kind: 'local', packet: inp.packet, stages };
    }
    const fwdKey = q.family === 'ipv4' ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
    const fwdOn = q.family === 'ipv4' ? host.sysctls?.ipForward?.ipv4 : host.sysctls?.ipForward?.ipv6;
    // IPv6 looks the route up first: a missing route is answered (ICMPv6 no route) even when forwarding is off.
    const unroutable = route.kind === 'none' || route.kind === 'unreachable' || route.kind === 'prohibit' || route.kind === 'blackhole';
    if (fwdOn === false && !(q.family === 'ipv6' && unroutable)) {
      const st = this.routingStage(q, 'drop', `${formatValue(q.family, q.dst)} is not local and ${fwdKey} = 0: the host does not forward, the packet is dropped silently`, fwdKey);
      stages.push(st);
      return { kind: 'drop', packet: q, stages, end: st };
    }
    if (unroutable) {
      const silent = route.kind === 'blackhole';
      const code = route.kind === 'prohibit' ? 13 : route.kind === 'unreachable' ? 1 : 0;
      const st = this.routingStage(q, silent ? 'drop' : 'no-route', route.kind === 'none'
        ? `no route to ${formatValue(q.family, q.dst)}: the host answers ICMP network unreachable`
        : `route type ${route.kind} for ${formatValue(q.family, q.dst)}${silent ? ': dropped silently' : ': the host answers with an ICMP error'}`);
      stages.push(st);
      return silent ? { kind: 'drop', packet: q, stages, end: st } : { kind: 'no-route', packet: q, stages, end: st, icmpCode: code };
    }
    const oif = route.kind === 'unicast' ? route.dev : undefined;
    q = withFields(q, oif !== undefined ? { oif } : {});
    stages.push(this.routingStage(q, 'forward', `routing: ${formatValue(q.family, q.dst)} via ${oif ?? 'an unknown interface'}${route.kind === 'unknown' ? ' (no routes in the snapshot: taken as routable)' : ''} → FORWARD`));
    if (fwdOn === undefined) stages[stages.length - 1] = { ...(stages[stages.length - 1] as Stage), notes: [`${fwdKey} unknown (no sysctls in the snapshot): taken as on`] };
    const fwd = this.runHook('forward', q, state, nat);
    stages.push(fwd.stage);
    if (fwd.kind !== 'pass') return this.blocked(fwd, stages);
    const post = this.runHook('postrouting', fwd.packet, state, nat);
    stages.push(post.stage);
    if (post.kind !== 'pass') return this.blocked(post, stages);
    if (nat === 'first' && state === 'new') this.conn.confirmed = true;
    return { kind: 'out', packet: post.packet, stages };
  }

  /** A packet this host generates (a reply, a reset, an ICMP error): routing → OUTPUT → POSTROUTING. */
  send(p: Packet, ctstate: CtState, nat: NatMode): HostOutcome {
    const host = this.layer.host;
    const stages: Stage[] = [];
    const route = routeLookup(host, { family: p.family, dst: p.dst, src: p.src, mark: p.mark });
    let q = withFields(p, { hook: 'output' });
    const { iif: _none, ...noIif } = q;
    q = noIif as Packet;
    if (route.kind === 'unicast' && route.dev !== undefined) q = withFields(q, { oif: route.dev });
    if (route.kind === 'local') q = withFields(q, { oif: 'lo' });
    const out = this.runHook('output', q, ctstate, nat);
    stages.push(out.stage);
    if (out.kind !== 'pass') return this.blocked(out, stages);
    const post = this.runHook('postrouting', out.packet, out.packet.ctstate ?? ctstate, nat);
    stages.push(post.stage);
    if (post.kind !== 'pass') return this.blocked(post, stages);
    return { kind: 'out', packet: post.packet, stages };
  }

  blocked(h: HookOutcome, stages: Stage[]): HostOutcome {
    if (h.kind === 'reject') return { kind: 'reject', packet: h.packet, stages, end: h.stage, with: h.reject ?? { kind: 'icmp', code: 3, name: 'icmp-port-unreachable' } };
    return { kind: 'drop', packet: h.packet, stages, end: h.stage };
  }

  routingStage(p: Packet, result: Stage['result'], summary: string, sysctl?: string): Stage {
    const evidence = sysctl === undefined ? undefined : this.layer.host.sysctls?.origins?.get(sysctl);
    return { layer: this.name, stage: 'routing', packet: p, result, summary, traces: [], natSteps: [], notes: [], ...(evidence !== undefined ? { evidence } : {}) };
  }

  /** nf_conntrack_count at nf_conntrack_max: a new connection cannot be tracked and its packet is dropped. */
  conntrackFull(p: Packet, state: CtState): Stage | undefined {
    const s = this.layer.host.sysctls;
    if (state !== 'new' || s?.conntrackMax === undefined || s.conntrackCount === undefined) return undefined;
    if (s.conntrackCount < s.conntrackMax) return undefined;
    const evidence = s.origins?.get('net.netfilter.nf_conntrack_count');
    return {
      layer: this.name, stage: 'conntrack', packet: p, result: 'drop', traces: [], natSteps: [], notes: [],
      summary: `conntrack table full (nf_conntrack_count ${s.conntrackCount} ≥ nf_conntrack_max ${s.conntrackMax}): "nf_conntrack: table full, dropping packet"`,
      ...(evidence !== undefined ? { evidence } : {}),
    };
  }
}

export function describeRef(r: RuleRef | PolicyRef): string {
  if ('policy' in r) return `the policy of ${r.table}/${r.chain}`;
  return `${r.table}/${r.chain}/${r.index}${r.line !== undefined ? ` (${r.file ?? ''}:${r.line})` : ''}`;
}
