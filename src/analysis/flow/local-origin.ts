/**
 * Flows a host opens itself (the source is one of its own addresses): routing → OUTPUT (raw,
 * conntrack, mangle, nat: DNAT / REDIRECT on the first packet, filter, security) → routing again
 * when OUTPUT changed the destination or the mark → POSTROUTING → out; a local destination (or one
 * made local by OUTPUT DNAT / REDIRECT) goes over `lo`: PREROUTING → INPUT → socket.
 */
import { formatValue } from '../../model/address.js';
import type { Host } from '../../model/host.js';
import type { CtState } from '../../model/match.js';
import type { Packet } from '../../model/packet.js';
import { withFields } from './connection.js';
import type { HostEngine, HostOutcome } from './host-engine.js';
import { isLocalAddress, routeLookup } from './routing.js';
import type { Stage } from './types.js';

/** Is the packet's source one of the host's own addresses? */
export function originatesAt(host: Host, p: Packet): boolean {
  return isLocalAddress(host, p.family, p.src) === true;
}

function clearIfaces(p: Packet): Packet {
  const { iif: _i, oif: _o, ...rest } = p;
  return rest as Packet;
}

interface LocalRoute {
  readonly routable: boolean;
  readonly oif?: string;
  readonly stage: Stage;
}

/** The route of a locally generated packet: its out interface (`lo` when local), or a no-route stage. */
function localRoute(e: HostEngine, p: Packet, again: boolean): LocalRoute {
  const route = routeLookup(e.layer.host, { family: p.family, dst: p.dst, src: p.src, mark: p.mark });
  const dst = formatValue(p.family, p.dst);
  const why = again ? 're-routing (OUTPUT changed the destination or the mark): ' : 'routing (locally originated): ';
  if (route.kind === 'local') return { routable: true, oif: 'lo', stage: e.routingStage(p, 'local', `${why}${dst} is local (table ${route.table}): over lo`) };
  if (route.kind === 'unicast' || route.kind === 'unknown') {
    const oif = route.kind === 'unicast' ? route.dev : undefined;
    const tail = route.kind === 'unknown' ? ' (no routes in the snapshot: taken as routable)' : '';
    return { routable: true, ...(oif !== undefined ? { oif } : {}), stage: e.routingStage(p, 'forward', `${why}${dst} via ${oif ?? 'an unknown interface'}${tail}`) };
  }
  return { routable: false, stage: e.routingStage(p, 'no-route', `${why}no usable route to ${dst} (${route.kind}): connect() / send() fails at once with "Network is unreachable"`) };
}

/** The first packet of a connection the host opens itself. */
export function originate(e: HostEngine, p: Packet, ctstate: CtState): HostOutcome {
  const stages: Stage[] = [];
  e.conn.remember(p);
  const full = e.conntrackFull(p, ctstate);
  if (full !== undefined) return { kind: 'drop', packet: p, stages: [full], end: full };
  const first = localRoute(e, p, false);
  stages.push(first.stage);
  if (!first.routable) return { kind: 'no-route', packet: p, stages, end: first.stage };
  const q = withFields(clearIfaces(p), first.oif !== undefined ? { oif: first.oif } : {});
  const out = e.runHook('output', q, ctstate, 'first');
  stages.push(out.stage);
  if (out.kind !== 'pass') return e.blocked(out, stages);
  let r = out.packet;
  const state = r.ctstate ?? ctstate;
  if (r.dst !== q.dst || r.mark !== q.mark) {
    const again = localRoute(e, r, true);
    stages.push(again.stage);
    if (!again.routable) return { kind: 'no-route', packet: r, stages, end: again.stage };
    r = withFields(clearIfaces(r), again.oif !== undefined ? { oif: again.oif } : {});
  }
  const post = e.runHook('postrouting', r, state, 'first');
  stages.push(post.stage);
  if (post.kind !== 'pass') return e.blocked(post, stages);
  if (r.oif !== 'lo') {
    if (state === 'new') e.conn.confirmed = true;
    return { kind: 'out', packet: post.packet, stages };
  }
  const back = loopIn(e, post.packet, state);
  if (back.kind === 'local' && state === 'new') e.conn.confirmed = true;
  return { ...back, stages: [...stages, ...back.stages] };
}

/**
 * A packet the host sent to one of its own addresses comes back in on `lo`: PREROUTING → INPUT.
 * It keeps the conntrack entry it got in OUTPUT (same state; NAT was settled in OUTPUT and
 * POSTROUTING, so no nat chain is consulted again).
 */
export function loopIn(e: HostEngine, p: Packet, ctstate: CtState): HostOutcome {
  const stages: Stage[] = [];
  const q = withFields(clearIfaces(p), { iif: 'lo' });
  const pre = e.runHook('prerouting', q, ctstate, 'none');
  stages.push(pre.stage);
  if (pre.kind !== 'pass') return e.blocked(pre, stages);
  stages.push(e.routingStage(pre.packet, 'local', `over lo: ${formatValue(q.family, q.dst)} is local → INPUT`));
  const inp = e.runHook('input', pre.packet, ctstate, 'none');
  stages.push(inp.stage);
  if (inp.kind !== 'pass') return e.blocked(inp, stages);
  return { kind: 'local', packet: inp.packet, stages };
}
