/**
 * IPv6 neighbour discovery on a link a flow's packet crosses: before the sender can hand the
 * packet to the next hop, its neighbour solicitation (ICMPv6 135, to the target's solicited-node
 * multicast address) must leave through the sender's OUTPUT and POSTROUTING and enter the
 * receiver's PREROUTING and INPUT, and the advertisement (136) must make the way back. Conntrack
 * leaves these packets UNTRACKED, so an ESTABLISHED,RELATED rule does not let them through: a
 * DROP policy without an ICMPv6 135/136 accept breaks IPv6 on that link (the classic "IPv6 does
 * not work behind my new firewall"). The receiver learns the address the solicitation came from;
 * its answer needs a resolution of its own only when it goes to another address of the sender
 * (a forwarding router solicits from its link-local address, while hosts route through its global one).
 * Sides outside the snapshots (the client, an unmodelled destination) are taken to let ND through.
 */
import { formatValue } from '../../model/address.js';
import type { Packet } from '../../model/packet.js';
import type { Hook } from '../../model/ruleset.js';
import { describeRef, type HostEngine } from './host-engine.js';
import { isLocalAddress, primaryAddress, routeLookup } from './routing.js';
import type { Stage } from './types.js';

const SOLICITED_NODE = 0xff02_0000_0000_0000_0000_0001_ff00_0000n;
/** fe80::, standing for a link-local address the snapshot does not list. */
const LINK_LOCAL = 0xfe80n << 112n;

export function solicitedNode(target: bigint): bigint {
  return SOLICITED_NODE | (target & 0xff_ffffn);
}

function ndPacket(type: 135 | 136, src: bigint, dst: bigint): Packet {
  return {
    family: 'ipv6', protocol: 58, src, dst, icmpType: type, icmpCode: 0, tcpFlags: 0, ttl: 255,
    length: 72, tos: 0, mark: 0, connmark: 0, hook: 'output', fragment: false, ctstate: 'untracked',
  };
}

/** One end of the link: a host of the path and its interface on that link. */
export interface LinkEnd {
  readonly engine: HostEngine;
  readonly dev: string | undefined;
}

const NAMES = { 135: 'neighbour solicitation', 136: 'neighbour advertisement' } as const;

/** Runs `hooks` for an ND packet at `end`; the stage that blocks it, if any. */
function crosses(end: LinkEnd | undefined, hooks: readonly Hook[], p: Packet, type: 135 | 136, target: bigint): Stage | undefined {
  if (end === undefined) return undefined;
  const e = end.engine;
  const dir = hooks[0] === 'output' ? { oif: end.dev } : { iif: end.dev };
  let q: Packet = { ...p, ...(end.dev !== undefined ? dir : {}) } as Packet;
  for (const hook of hooks) {
    const h = e.runHook(hook, q, 'untracked', 'none');
    if (h.kind === 'pass') {
      q = h.packet;
      continue;
    }
    const by = h.stage.ref !== undefined ? describeRef(h.stage.ref) : `${hook}`;
    return {
      ...h.stage, stage: 'neighbour', result: 'drop',
      summary: `neighbour discovery blocked by ${by}: the ${NAMES[type]} for ${formatValue('ipv6', target)} is dropped at ${e.name} ${hook.toUpperCase()} (ICMPv6 ${type}, untracked by conntrack)`,
      notes: [...h.stage.notes, `the packet is never handed to the next hop: the sender keeps soliciting, then gives up ("address unreachable" after about 3 s)`],
    };
  }
  return undefined;
}

/**
 * Resolves `target` on the link between `sender` (sending from `solicitor`) and `receiver`:
 * NS out of the sender, into the receiver; NA out of the receiver, into the sender.
 */
export function resolveNeighbour(sender: LinkEnd | undefined, receiver: LinkEnd | undefined, solicitor: bigint, target: bigint, warm = false): Stage | undefined {
  const ns = ndPacket(135, solicitor, solicitedNode(target));
  const na = ndPacket(136, target, solicitor);
  const blocked = crosses(sender, ['output', 'postrouting'], ns, 135, target)
    ?? crosses(receiver, ['prerouting', 'input'], ns, 135, target)
    ?? crosses(receiver, ['output', 'postrouting'], na, 136, target)
    ?? crosses(sender, ['prerouting', 'input'], na, 136, target);
  if (blocked === undefined || sender === undefined || receiver === undefined) return blocked;
  // A solicitation carries its sender's link-layer address, and whoever receives it keeps that
  // address (a STALE entry, usable at once): if the receiver's own solicitation of the sender gets
  // through, the sender can reach the receiver whenever the receiver has solicited it first.
  const back = ndPacket(135, target, solicitedNode(solicitor));
  if (crosses(receiver, ['output', 'postrouting'], back, 135, solicitor) !== undefined) return blocked;
  if (crosses(sender, ['prerouting', 'input'], back, 135, solicitor) !== undefined) return blocked;
  if (warm) return undefined;
  const why = `intermittent: ${receiver.engine.name}'s own neighbour solicitation of ${formatValue('ipv6', solicitor)} passes, and ${sender.engine.name} learns ${formatValue('ipv6', target)}'s link-layer address from it; `
    + `while that entry lasts (after ${receiver.engine.name} talked to ${sender.engine.name} first) packets get through, so the outcome depends on the neighbour caches (shown here: empty caches)`;
  return { ...blocked, notes: [...blocked.notes, why], intermittent: why };
}

/** The address the sender resolves for `p` leaving by `oif`: the route's gateway, else the destination. */
export function nextHopAddress(e: HostEngine, p: Packet): bigint {
  const r = routeLookup(e.layer.host, { family: p.family, dst: p.dst, src: p.src, mark: p.mark });
  return r.kind === 'unicast' && r.gateway !== undefined ? r.gateway : p.dst;
}

/**
 * The source of the sender's solicitation: the packet's own source when it is an address of the
 * out interface, else the interface's link-local address (so the receiver learns only that one, and
 * must resolve the sender's global address itself before it can answer through it).
 */
export function solicitorAddress(e: HostEngine, p: Packet): bigint {
  const iface = e.layer.host.interfaces?.find((i) => i.name === p.oif);
  if (iface?.addresses.some((a) => a.family === 'ipv6' && a.address === p.src) === true) return p.src;
  if (iface === undefined && isLocalAddress(e.layer.host, 'ipv6', p.src) === true) return p.src;
  return iface?.addresses.find((a) => a.family === 'ipv6' && (a.address >> 118n) === 0x3fan)?.address ?? LINK_LOCAL;
}

/** The address a receiver answers for on `iif`: the destination when it is its own, else its address there. */
export function targetAddress(e: HostEngine, p: Packet): bigint {
  if (isLocalAddress(e.layer.host, 'ipv6', p.dst) === true) return p.dst;
  return primaryGlobal(e, p.iif) ?? p.dst;
}

function primaryGlobal(e: HostEngine, dev: string | undefined): bigint | undefined {
  const i = e.layer.host.interfaces?.find((x) => x.name === dev);
  return i?.addresses.find((a) => a.family === 'ipv6' && (a.address >> 118n) !== 0x3fan)?.address ?? primaryAddress(e.layer.host, 'ipv6', dev);
}
