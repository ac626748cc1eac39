/**
 * Address translation targets: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP. Ranges are
 * `addr[-addr][:port[-port[/base]]]` (IPv6 addresses in brackets when ports follow). Ports need a
 * protocol with ports (tcp, udp, sctp, dccp) or icmp.
 */
import { formatIpv4, formatIpv6 } from '../../../model/address.js';
import type { Action, NatTarget } from '../../../model/action.js';
import { type ArgContext, type ArgResult, type RuleContext, type TargetSpec, bad, flag, get, has, ok, option, placed } from '../extension.js';
import { requireSome } from '../ext-helpers.js';
import type { ExtInstance, IpFamily } from '../syntax.js';
import { lookupService } from '../services.js';
import { maskOf, readAddress, readCidr, readUint } from '../values.js';

export interface PortSpec {
  readonly lo: number;
  readonly hi: number;
  readonly base?: number;
}

export interface NatRange {
  readonly family: IpFamily;
  readonly lo?: bigint;
  readonly hi?: bigint;
  readonly ports?: PortSpec;
}

/** A port or service name: digits first (with what follows), else the whole text as a service. */
function readPortSpec(text: string): ArgResult<PortSpec> {
  const slash = text.indexOf('/');
  const main = slash < 0 ? text : text.slice(0, slash);
  let base: number | undefined;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    base = readUint(b, 1, 65535) ?? lookupService(b);
    if (base === undefined || base === 0) return bad(`invalid base port '${b}': expected 1-65535`);
  }
  const m = /^(\d+)(?:-(\d+))?$/.exec(main);
  let lo: number | undefined;
  let hi: number | undefined;
  if (m) {
    lo = readUint(m[1] as string, 0, 65535);
    hi = m[2] === undefined ? lo : readUint(m[2], 0, 65535);
  } else {
    lo = lookupService(main);
    hi = lo;
  }
  if (lo === undefined || hi === undefined) return bad(`invalid port range '${main}': expected port[-port] in 0-65535 or a service name`);
  if (hi < lo) return bad(`invalid port range '${main}': the end is below the start`);
  return ok(base === undefined ? { lo, hi } : { lo, hi, base });
}

export function readNatRange(text: string, ctx: ArgContext): ArgResult<NatRange> {
  const v6 = ctx.family === 'ipv6';
  let addrPart = text;
  let portPart: string | undefined;
  if (v6) {
    if (text.startsWith('[')) {
      const close = text.indexOf(']');
      if (close < 0) return bad(`missing ']' in '${text}'`);
      addrPart = text.slice(1, close);
      const rest = text.slice(close + 1);
      if (rest.length > 0) {
        if (!rest.startsWith(':')) return bad(`expected ':port' after ']' in '${text}'`);
        portPart = rest.slice(1);
      }
    }
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0) { addrPart = text.slice(0, colon); portPart = text.slice(colon + 1); }
  }
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  if (addrPart.length > 0) {
    const dash = v6 ? addrPart.indexOf('-') : addrPart.indexOf('-');
    const a = dash < 0 ? addrPart : addrPart.slice(0, dash);
    const b = dash < 0 ? addrPart : addrPart.slice(dash + 1);
    lo = readAddress(a, ctx.family);
    hi = readAddress(b, ctx.family);
    if (lo === undefined || hi === undefined) return bad(`bad ${v6 ? 'IPv6' : 'IPv4'} address in '${text}'`);
  }
  let ports: PortSpec | undefined;
  if (portPart !== undefined) {
    const p = readPortSpec(portPart);
    if (!p.ok) return p;
    ports = p.value;
  }
  return ok({
    family: ctx.family,
    ...(lo !== undefined && { lo }), ...(hi !== undefined && { hi }), ...(ports && { ports }),
  });
}

export function showNatRange(r: NatRange): string {
  const f = r.family === 'ipv4' ? formatIpv4 : formatIpv6;
  let addr = '';
  if (r.lo !== undefined && r.hi !== undefined) addr = r.lo === r.hi ? f(r.lo) : `${f(r.lo)}-${f(r.hi)}`;
  if (r.ports === undefined) return addr;
  const p = r.ports;
  const ports = `${p.lo === p.hi ? p.lo : `${p.lo}-${p.hi}`}${p.base !== undefined ? `/${p.base}` : ''}`;
  return r.family === 'ipv6' ? `[${addr}]:${ports}` : `${addr}:${ports}`;
}

const PORT_PROTOCOLS = [6, 17, 132, 33, 1];

function checkPorts(hasPorts: boolean, ctx: RuleContext, name: string): void {
  if (hasPorts && (!PORT_PROTOCOLS.includes(ctx.protocol) || ctx.protocolInverted)) {
    ctx.error('iptables/needs-protocol', `${name}: a port needs -p tcp, udp, sctp or dccp`);
  }
}

const NAT_FLAGS = ['random', 'random-fully', 'persistent'] as const;

function flagsOf(inst: ExtInstance): string[] {
  return NAT_FLAGS.filter((f) => has(inst, f));
}

function natAction(type: NatTarget['type'], r: NatRange | undefined, inst: ExtInstance): Action {
  const nat: NatTarget = {
    type,
    ...(r?.lo !== undefined && r.hi !== undefined && { addresses: { family: r.family, lo: r.lo, hi: r.hi } }),
    ...(r?.ports && { ports: [r.ports.lo, r.ports.hi] as const }),
    flags: flagsOf(inst),
  };
  return { kind: 'nat', nat };
}

function addressNat(name: 'DNAT' | 'SNAT', opt: string, hooks: ('prerouting' | 'output' | 'input' | 'postrouting')[]): TargetSpec {
  return {
    kind: 'target',
    name,
    options: [
      option<NatRange>({ name: opt, args: 1, parse: (a, ctx) => readNatRange(a[0] ?? '', ctx), show: showNatRange }),
      ...NAT_FLAGS.map((f) => flag(f)),
    ],
    check(inst, ctx) {
      if (!requireSome(inst, ctx, [opt])) return;
      checkPorts(get<NatRange>(inst, opt)?.value.ports !== undefined, ctx, name);
    },
    placement: placed({ tables: ['nat'], hooks }),
    toAction: (inst) => ({ action: natAction(name === 'DNAT' ? 'dnat' : 'snat', get<NatRange>(inst, opt)?.value, inst), effects: [] }),
  };
}

export const DNAT = addressNat('DNAT', 'to-destination', ['prerouting', 'output']);
export const SNAT = addressNat('SNAT', 'to-source', ['input', 'postrouting']);

function readPorts(a: readonly string[]): ArgResult<PortSpec> {
  const text = a[0] ?? '';
  if (text.includes('/')) return bad(`invalid port range '${text}': expected port[-port]`);
  return readPortSpec(text);
}

const showPorts = (p: PortSpec): string => (p.lo === p.hi ? String(p.lo) : `${p.lo}-${p.hi}`);

export const MASQUERADE: TargetSpec = {
  kind: 'target',
  name: 'MASQUERADE',
  options: [option<PortSpec>({ name: 'to-ports', args: 1, parse: readPorts, show: showPorts }), flag('random'), flag('random-fully')],
  check: (inst, ctx) => checkPorts(has(inst, 'to-ports'), ctx, 'MASQUERADE'),
  placement: placed({ tables: ['nat'], hooks: ['postrouting'] }),
  toAction(inst) {
    const p = get<PortSpec>(inst, 'to-ports');
    return { action: natAction('masquerade', p ? { family: 'ipv4', ports: p.value } : undefined, inst), effects: [] };
  },
};

export const REDIRECT: TargetSpec = {
  kind: 'target',
  name: 'REDIRECT',
  options: [option<PortSpec>({ name: 'to-ports', args: 1, parse: readPorts, show: showPorts }), flag('random')],
  check: (inst, ctx) => checkPorts(has(inst, 'to-ports'), ctx, 'REDIRECT'),
  placement: placed({ tables: ['nat'], hooks: ['prerouting', 'output'] }),
  toAction(inst) {
    const p = get<PortSpec>(inst, 'to-ports');
    return { action: natAction('redirect', p ? { family: 'ipv4', ports: p.value } : undefined, inst), effects: [] };
  },
};

interface Netmap {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly prefix: number;
}

export const NETMAP: TargetSpec = {
  kind: 'target',
  name: 'NETMAP',
  options: [
    option<Netmap>({
      name: 'to', args: 1,
      parse: (a, ctx) => {
        const r = readCidr(a[0] ?? '', ctx.family);
        if (!r.ok) return r;
        if (r.value.prefix === undefined) return bad(`NETMAP needs a prefix length or a contiguous netmask, got '${a[0]}'`);
        return ok({ family: ctx.family, value: r.value.value & r.value.mask, prefix: r.value.prefix });
      },
      show: (n) => `${n.family === 'ipv4' ? formatIpv4(n.value) : formatIpv6(n.value)}/${n.prefix}`,
    }),
  ],
  check: (inst, ctx) => { requireSome(inst, ctx, ['to']); },
  placement: placed({ tables: ['nat'] }),
  toAction(inst) {
    const n = get<Netmap>(inst, 'to');
    if (!n) return { action: { kind: 'nat', nat: { type: 'netmap', flags: [] } }, effects: [] };
    const mask = maskOf(n.value.family, n.value.prefix);
    const all = n.value.family === 'ipv4' ? 0xffffffffn : (1n << 128n) - 1n;
    const range: NatRange = { family: n.value.family, lo: n.value.value, hi: n.value.value | (all ^ mask) };
    return { action: natAction('netmap', range, inst), effects: [] };
  },
};
