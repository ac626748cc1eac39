/**
 * A flow through a path: the forward packet crosses the layers client side first; the layer that
 * owns the destination delivers it (socket, TCP wrappers) and answers; the answer (reply, reset or
 * ICMP error) crosses the layers back. A REJECT or a missing route answers from where it happened.
 * The outcome is what the client observes.
 */
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
import { routeLookup, sourceAddressFor } from './routing.js';
import type { FlowResult, PacketJourney, PacketRole, Stage } from './types.js';

type Engine = HostEngine | FilterEngine;

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

/** The interface a packet from `src` arrives on: the route back to it. */
function arrivalInterface(e: HostEngine, p: Packet): string | undefined {
  const r = routeLookup(e.layer.host, { family: p.family, dst: p.src });
  return r.kind === 'unicast' || r.kind === 'local' ? r.dev : undefined;
}

function clearIfaces(p: Packet): Packet {
  const { iif: _i, oif: _o, ctstate: _c, ...rest } = p;
  return rest as Packet;
}

export function evaluateFlow(path: Path, first: Packet): FlowResult {
  const engines: Engine[] = path.layers.map((l) => (l.kind === 'host' ? new HostEngine(l, new Connection()) : new FilterEngine(l)));
  const notes: string[] = [];
  const fwdStages: Stage[] = [];
  let p = first;
  let answer: Answer | undefined;
  for (let i = 0; i < engines.length && answer === undefined; i++) {
    const e = engines[i] as Engine;
    if (e instanceof FilterEngine) {
      const st = e.pass(p, 'forward');
      fwdStages.push(st);
      if (st.result !== 'pass') return timeout('forward', st, first, fwdStages, notes);
      continue;
    }
    if (i > 0 || p.iif === undefined) {
      const iif = arrivalInterface(e, p);
      p = iif === undefined ? clearIfaces(p) : withFields(clearIfaces(p), { iif });
    }
    const state: CtState = first.ctstate ?? deriveCtState(p);
    const r: HostOutcome = e.receive(p, state, 'first');
    fwdStages.push(...r.stages);
    switch (r.kind) {
      case 'out': p = r.packet; break;
      case 'drop': return timeout('forward', r.end, first, fwdStages, notes);
      case 'reject': {
        const w = r.with;
        if (w.kind === 'tcp-reset' && r.packet.protocol === 6) {
          answer = { packet: resetFor(r.packet), role: 'reset', at: i, from: e.name, because: r.end.summary };
        } else {
          const icmp = rejectIcmp(w, r.packet.family);
          const local = r.end.stage === 'input' || r.end.stage === 'output';
          const from = local ? r.packet.dst : sourceAddressFor(e.layer.host, r.packet.family, r.packet.src, r.packet.iif) ?? r.packet.dst;
          answer = { packet: icmpErrorFor(r.packet, icmp, from), role: 'icmp-error', at: i, from: e.name, icmp, because: r.end.summary };
        }
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
        answer = { ...d.answer, at: i, from: e.name };
        break;
      }
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
  return returnAnswer(engines, answer, forward, notes);
}

function answerState(e: HostEngine, a: Answer, generatedHere: boolean): CtState {
  const isError = a.role === 'icmp-error';
  if (generatedHere && a.role !== 'reply' && !(a.role === 'reset' && e.conn.confirmed)) {
    // A REJECT's or a missing route's answer carries the connection of the packet it answers: RELATED.
    if (e.conn.tracked) return 'related';
  }
  return e.conn.replyState(isError) ?? deriveCtState(a.packet);
}

function returnAnswer(engines: Engine[], a: Answer, forward: PacketJourney, notes: string[]): FlowResult {
  const stages: Stage[] = [];
  let p = a.packet;
  const journey = (fate: PacketJourney['fate'], end?: Stage): PacketJourney => ({
    role: a.role, direction: 'reply', from: a.from, packet: a.packet, stages, fate, ...(end !== undefined ? { end } : {}),
  });
  for (let i = Math.min(a.at, engines.length - 1); i >= 0; i--) {
    const e = engines[i] as Engine;
    if (e instanceof FilterEngine) {
      const st = e.pass(p, 'reply');
      stages.push(st);
      if (st.result !== 'pass') return timeoutReply(a, st, forward, journey('dropped', st), notes);
      continue;
    }
    const here = i === a.at;
    const state = answerState(e, a, here);
    let r: HostOutcome;
    if (here) r = e.send(p, state, 'reply');
    else {
      const iif = arrivalInterface(e, p);
      r = e.receive(iif === undefined ? clearIfaces(p) : withFields(clearIfaces(p), { iif }), state, 'reply');
    }
    stages.push(...r.stages);
    if (r.kind === 'out' || r.kind === 'local') {
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
  if (a.role === 'reset') return { outcome: 'refused', reason: `refused: ${a.because}; the client receives a TCP reset`, packets, notes };
  const icmp = a.icmp ?? icmpError(p.icmpType ?? 0, p.icmpCode ?? 0);
  if (a.noRoute) return { outcome: 'no-route', reason: `no route: ${a.because}`, icmp, packets, notes };
  return { outcome: 'unreachable', reason: `unreachable (ICMP ${icmp.name}): ${a.because}`, icmp, packets, notes };
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
