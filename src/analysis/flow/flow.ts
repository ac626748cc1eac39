/**
 * A flow through a path: the forward packet crosses the layers client side first; the layer that
 * owns the destination delivers it (socket, TCP wrappers) and answers; the answer (reply, reset or
 * ICMP error) crosses the layers back. A REJECT or a missing route answers from where it happened.
 * The outcome is what the client observes. A flow whose source is an address of the first host is
 * opened by that host itself (local-origin.ts): its outcome is what the local connect() / send()
 * sees. IPv6 packets need neighbour discovery on every link they cross (links.ts, neighbour.ts).
 */
import type { RejectWith } from '../../model/action.js';
import { formatValue } from '../../model/address.js';
import type { FlowDirection, IcmpError } from '../../model/flow.js';
import type { CtState } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { formatPacket } from '../../model/packet-input.js';
import type { Path } from '../../model/path.js';
import { deriveCtState } from '../simulate/index.js';
import { icmpError, icmpErrorFor, rejectIcmp, replyTo, resetFor } from './answer.js';
import { Connection, withFields } from './connection.js';
import { deliver } from './deliver.js';
import { FilterEngine } from './filter-layer.js';
import { HostEngine, type HostOutcome } from './host-engine.js';
import { loopIn, originate, originatesAt } from './local-origin.js';
import { arrivalInterface, type NeighbourCaches, neighbourBack, neighbourHop } from './links.js';
import { sourceAddressFor } from './routing.js';
import type { FlowResult, PacketJourney, PacketRole, Stage } from './types.js';

export type Engine = HostEngine | FilterEngine;

interface Answer {
  readonly packet: Packet;
  readonly role: PacketRole;
  /** Index of the layer that sends it (-1: beyond the last layer). */
  readonly at: number;
  readonly from: string;
  readonly icmp?: IcmpError;
  /** The answer of a missing route, not of a REJECT. */
  readonly noRoute?: boolean;
  /** The service accepts then closes the connection (TCP wrappers). */
  readonly closedByService?: string;
  /** Why this answer was sent. */
  readonly because: string;
}

function clearIfaces(p: Packet): Packet {
  const { iif: _i, oif: _o, ctstate: _c, ...rest } = p;
  return rest as Packet;
}

/** Measured on Linux: IPv4 fails a connecting TCP socket at once, IPv6 only when the SYN is first retransmitted. */
export const ICMPV6_TCP_NOTE = 'a connecting Linux TCP socket reports an ICMPv6 error only at its first SYN retransmission: connect() fails about 1 s after the error arrives';

/** What a UDP timeout means to the usual tools. */
export const UDP_TIMEOUT_NOTE = 'UDP: no answer came back; nmap -sU reports such a port as open|filtered and nc -u reports no error, since a silent service and a dropped datagram look the same from the client';

export interface FlowOptions {
  /**
   * IPv6: take neighbour caches as warm where the kernel can fill them despite the rules (a blocked
   * solicitation whose reverse direction passes, see resolveNeighbour). Default: empty caches.
   */
  readonly warmNeighbours?: boolean;
}

export function evaluateFlow(path: Path, first: Packet, opts: FlowOptions = {}): FlowResult {
  const l0 = path.layers[0];
  // Without an input interface, a source that is one of the first host's addresses means that host opens the flow.
  const sender = l0?.kind === 'host' && first.iif === undefined && originatesAt(l0.host, first) ? l0.name : undefined;
  const r = evaluate(path, first, sender !== undefined, opts);
  const packets = sender === undefined ? r.packets : r.packets.map((j) => (j.role === 'forward' ? { ...j, from: sender } : j));
  const notes = first.protocol === 17 && r.outcome === 'timeout' ? [...r.notes, UDP_TIMEOUT_NOTE] : r.notes;
  return { ...r, packets, notes };
}

function evaluate(path: Path, first: Packet, local: boolean, opts: FlowOptions): FlowResult {
  const engines: Engine[] = path.layers.map((l) => (l.kind === 'host' ? new HostEngine(l, new Connection()) : new FilterEngine(l)));
  const notes: string[] = [];
  const fwdStages: Stage[] = [];
  let p = first;
  let answer: Answer | undefined;
  /** The host that last sent the packet onto a link, for neighbour discovery on that link. */
  let handedBy: { engine: HostEngine; packet: Packet } | undefined;
  const caches: NeighbourCaches = { learned: new Map(), warm: opts.warmNeighbours === true };
  if (local) notes.push(`locally originated: ${engines[0]?.name ?? '?'} opens the connection itself (${formatValue(first.family, first.src)} is one of its addresses): OUTPUT and POSTROUTING, not PREROUTING and INPUT, see the first packet`);
  for (let i = 0; i < engines.length && answer === undefined; i++) {
    const e = engines[i] as Engine;
    if (e instanceof FilterEngine) {
      const st = e.pass(p, 'forward');
      fwdStages.push(st);
      if (st.result === 'reject' && st.reject !== undefined) {
        answer = { ...rejectAnswer(st.reject, p, p.dst), at: i, from: e.name, because: st.summary };
        break;
      }
      if (st.result !== 'pass') return timeout('forward', st, first, fwdStages, notes);
      continue;
    }
    const sender = local && i === 0;
    if (!sender && (i > 0 || p.iif === undefined)) {
      const iif = arrivalInterface(e, p);
      p = iif === undefined ? clearIfaces(p) : withFields(clearIfaces(p), { iif });
    }
    if (!sender && p.family === 'ipv6') {
      const blocked = neighbourHop(handedBy, e, p, caches);
      if (blocked !== undefined) {
        fwdStages.push(blocked);
        return timeout('forward', blocked, first, fwdStages, notes);
      }
    }
    handedBy = undefined;
    const state: CtState = first.ctstate ?? deriveCtState(p);
    const r: HostOutcome = sender ? originate(e, p, state) : e.receive(p, state, 'first');
    fwdStages.push(...r.stages);
    if (sender && r.kind !== 'out' && r.kind !== 'local') {
      const refusedAtOnce = senderFailure(r, first, fwdStages, notes);
      if (refusedAtOnce !== undefined) return refusedAtOnce;
    }
    switch (r.kind) {
      case 'out': p = r.packet; handedBy = { engine: e, packet: p }; break;
      case 'drop': return timeout('forward', r.end, first, fwdStages, notes);
      case 'reject': {
        const here = r.end.stage === 'input' || r.end.stage === 'output';
        const from = here ? r.packet.dst : sourceAddressFor(e.layer.host, r.packet.family, r.packet.src, r.packet.iif) ?? r.packet.dst;
        answer = { ...rejectAnswer(r.with, r.packet, from), at: i, from: e.name, because: r.end.summary };
        break;
      }
      case 'no-route': {
        const icmp = r.packet.family === 'ipv4' ? icmpError(3, r.icmpCode ?? 0) : icmpError(1, r.icmpCode === 13 ? 1 : r.icmpCode === 1 ? 3 : 0);
        const from = sourceAddressFor(e.layer.host, r.packet.family, r.packet.src, r.packet.iif) ?? r.packet.dst;
        answer = { packet: icmpErrorFor(r.packet, icmp, from), role: 'icmp-error', at: i, from: e.name, icmp, noRoute: true, because: r.end.summary };
        break;
      }
      case 'local': {
        const d = deliver(e, r.packet);
        fwdStages.push(...d.stages);
        if (d.answer.silent !== undefined) {
          const end = fwdStages[fwdStages.length - 1] as Stage;
          const forward: PacketJourney = { role: 'forward', direction: 'forward', from: 'client', packet: first, stages: fwdStages, fate: 'delivered', end };
          return { outcome: 'timeout', dropped: 'forward', reason: `timeout: ${d.answer.silent}`, packets: [forward], notes };
        }
        answer = { ...d.answer, at: i, from: e.name };
        break;
      }
    }
  }
  if (answer === undefined && p.family === 'ipv6') {
    const blocked = neighbourHop(handedBy, undefined, p, caches);
    if (blocked !== undefined) {
      fwdStages.push(blocked);
      return timeout('forward', blocked, first, fwdStages, notes);
    }
  }
  const forward: PacketJourney = {
    role: 'forward', direction: 'forward', from: 'client', packet: first, stages: fwdStages,
    fate: answer === undefined ? 'arrived' : answer.role === 'reply' ? 'delivered' : answer.noRoute ? 'no-route' : 'rejected',
    ...(answer !== undefined && answer.role !== 'reply' ? { end: fwdStages[fwdStages.length - 1] as Stage } : {}),
  };
  if (answer === undefined) {
    // Beyond the last layer: the destination is taken to answer.
    notes.push(`the packet leaves the last layer (${engines.at(-1)?.name ?? '?'}) towards ${formatValue(p.family, p.dst)}; the destination is assumed to answer`);
    answer = { packet: replyTo(p), role: 'reply', at: engines.length, from: 'destination', because: 'the destination answers (not modelled)' };
  }
  return returnAnswer(engines, answer, forward, notes, local, caches);
}

/** A REJECT's answer to `p`: a TCP reset (tcp-reset on TCP) or the ICMP error, sent from `from`. */
function rejectAnswer(w: RejectWith, p: Packet, from: bigint): Pick<Answer, 'packet' | 'role' | 'icmp'> {
  if (w.kind === 'tcp-reset' && p.protocol === 6) return { packet: resetFor(p), role: 'reset' };
  const icmp = rejectIcmp(w, p.family);
  return { packet: icmpErrorFor(p, icmp, from), role: 'icmp-error', icmp };
}

function answerState(e: HostEngine, a: Answer, generatedHere: boolean): CtState {
  const isError = a.role === 'icmp-error';
  if (generatedHere && a.role !== 'reply' && !(a.role === 'reset' && e.conn.confirmed)) {
    // A REJECT's or a missing route's answer carries the connection of the packet it answers: RELATED.
    if (e.conn.tracked) return 'related';
  }
  return e.conn.replyState(isError) ?? deriveCtState(a.packet);
}

function returnAnswer(engines: Engine[], a: Answer, forward: PacketJourney, notes: string[], local: boolean, caches: NeighbourCaches): FlowResult {
  const stages: Stage[] = [];
  let p = a.packet;
  const journey = (fate: PacketJourney['fate'], end?: Stage): PacketJourney => ({
    role: a.role, direction: 'reply', from: a.from, packet: a.packet, stages, fate, ...(end !== undefined ? { end } : {}),
  });
  for (let i = Math.min(a.at, engines.length - 1); i >= 0; i--) {
    const e = engines[i] as Engine;
    if (e instanceof FilterEngine) {
      // A layer's own REJECT answer is sent back from it, not filtered by it again.
      if (i === a.at) continue;
      const st = e.pass(p, 'reply');
      stages.push(st);
      if (st.result !== 'pass') return timeoutReply(a, st, forward, journey('dropped', st), notes);
      continue;
    }
    const here = i === a.at;
    const state = answerState(e, a, here);
    let r: HostOutcome;
    if (here) {
      r = e.send(p, state, 'reply');
      // The answer of a locally originated flow, sent by its own host, loops back in over lo.
      if (local && i === 0 && r.kind === 'out') {
        const sent = r.stages;
        const back = loopIn(e, r.packet, state);
        r = { ...back, stages: [...sent, ...back.stages] };
      }
    } else {
      const iif = arrivalInterface(e, p);
      r = e.receive(iif === undefined ? clearIfaces(p) : withFields(clearIfaces(p), { iif }), state, 'reply');
    }
    stages.push(...r.stages);
    if (r.kind === 'out' || r.kind === 'local') {
      const blocked = r.kind === 'out' ? neighbourBack(engines, i, r.packet, caches) : undefined;
      if (blocked !== undefined) {
        stages.push(blocked);
        return timeoutReply(a, blocked, forward, journey('dropped', blocked), notes);
      }
      p = clearIfaces(r.packet);
      continue;
    }
    const end = r.kind === 'drop' || r.kind === 'reject' || r.kind === 'no-route' ? r.end : undefined;
    return timeoutReply(a, end, forward, journey(r.kind === 'no-route' ? 'no-route' : 'dropped', end), notes);
  }
  const back = journey('arrived');
  const packets = [forward, back];
  const what = `${a.from} answers ${formatPacket(p)}`;
  if (a.role === 'reply') {
    if (a.closedByService !== undefined) return { outcome: 'refused', reason: a.closedByService, packets, notes };
    return { outcome: 'open', reason: `open: ${what}`, packets, notes };
  }
  if (a.role === 'reset') return { outcome: 'refused', reason: `refused: ${a.because}; ${local ? 'the local connect() gets the reset (ECONNREFUSED)' : 'the client receives a TCP reset'}`, packets, notes };
  const icmp = a.icmp ?? icmpError(p.icmpType ?? 0, p.icmpCode ?? 0);
  if (local && forward.packet.protocol === 17 && isSoftUdpError(forward.packet.family, icmp)) {
    return {
      outcome: 'timeout', dropped: 'reply', packets, notes,
      reason: `timeout: ${a.because}; the ICMP ${icmp.name} reaches the local UDP socket, but Linux treats it as a soft error and reports it only to sockets with IP_RECVERR, so send() / recv() see nothing`,
    };
  }
  if (a.noRoute) return { outcome: 'no-route', reason: `no route: ${a.because}`, icmp, packets, notes };
  const late = forward.packet.family === 'ipv6' && forward.packet.protocol === 6 ? [ICMPV6_TCP_NOTE] : [];
  return { outcome: 'unreachable', reason: `unreachable (ICMP ${icmp.name}): ${a.because}`, icmp, packets, notes: [...notes, ...late] };
}

/**
 * What the local process sees when its own host stops the first packet (observed in namespaces):
 * a datagram dropped or rejected in OUTPUT fails send() at once with EPERM; a TCP SYN dropped
 * there is retransmitted until connect() times out; a TCP SYN rejected there gets its reset or
 * ICMP error back over lo through OUTPUT and INPUT like any answer (undefined: answered normally);
 * no route fails connect() / send() at once with ENETUNREACH.
 */
function senderFailure(r: HostOutcome, first: Packet, stages: Stage[], notes: string[]): FlowResult | undefined {
  if (r.kind === 'out' || r.kind === 'local') return undefined;
  const end = r.end;
  const forward: PacketJourney = { role: 'forward', direction: 'forward', from: 'client', packet: first, stages, fate: r.kind === 'no-route' ? 'no-route' : r.kind === 'reject' ? 'rejected' : 'dropped', end };
  if (r.kind === 'no-route') return { outcome: 'no-route', reason: `no route: ${end.summary}`, packets: [forward], notes };
  if (end.stage !== 'output' && end.stage !== 'postrouting' && end.stage !== 'conntrack') return undefined;
  if (first.protocol !== 6) {
    return { outcome: 'denied', reason: `denied: ${end.summary} at ${end.layer} ${end.stage}; the local send() fails at once with EPERM (Operation not permitted)`, packets: [forward], notes };
  }
  if (r.kind === 'reject') return undefined;
  return { outcome: 'timeout', dropped: 'forward', reason: `timeout: ${end.summary} at ${end.layer} ${end.stage}; each transmission of the SYN fails inside the kernel and is retried, so connect() fails with ETIMEDOUT (not EPERM) after net.ipv4.tcp_syn_retries`, packets: [forward], notes };
}

/** ICMP errors a UDP socket ignores without IP_RECVERR (not "fatal" in icmp_err_convert / icmpv6_err_convert). */
function isSoftUdpError(family: 'ipv4' | 'ipv6', e: IcmpError): boolean {
  if (family === 'ipv4') return e.type === 3 && [0, 1, 4, 5, 11, 12].includes(e.code);
  return e.type === 1 && [0, 2, 3].includes(e.code);
}

function timeout(dir: FlowDirection, st: Stage | undefined, first: Packet, stages: Stage[], notes: string[]): FlowResult {
  const forward: PacketJourney = { role: 'forward', direction: 'forward', from: 'client', packet: first, stages, fate: 'dropped', ...(st !== undefined ? { end: st } : {}) };
  return { outcome: 'timeout', dropped: dir, reason: `timeout: the ${dir} packet is dropped at ${st?.layer ?? '?'} ${st?.stage ?? ''}: ${st?.summary ?? 'dropped'}`, packets: [forward], notes };
}

function timeoutReply(a: Answer, st: Stage | undefined, forward: PacketJourney, back: PacketJourney, notes: string[]): FlowResult {
  const what = a.role === 'reply' ? 'the reply' : a.role === 'reset' ? 'the TCP reset' : 'the ICMP error';
  return {
    outcome: 'timeout', dropped: 'reply',
    reason: `timeout: ${what} from ${a.from} is dropped at ${st?.layer ?? '?'} ${st?.stage ?? ''}: ${st?.summary ?? 'dropped'}`,
    packets: [forward, back], notes,
  };
}
