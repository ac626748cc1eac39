/**
 * Random router + server configurations for the host-path kernel test: DNAT port forwards,
 * masquerade, FORWARD / INPUT / OUTPUT policies, ESTABLISHED rules present or not, NOTRACK in raw,
 * REJECT variants, ip_forward on or off, and for connections the router opens itself OUTPUT DNAT
 * (to the server or to itself), OUTPUT REDIRECT to a local port and OUTPUT port rules. Rulesets are
 * iptables-restore text (every table written, so a round replaces the previous one completely).
 */

import type { Rng } from '../../src/kernel/random.js';

export type { Rng };
export { makeRandom as mulberry32 } from '../../src/kernel/random.js';

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
export const chance = (r: Rng, p: number): boolean => r() < p;

const REJECTS = ['--reject-with tcp-reset', '', '--reject-with icmp-port-unreachable', '--reject-with icmp-host-unreachable',
  '--reject-with icmp-admin-prohibited', '--reject-with icmp-net-unreachable', '--reject-with icmp-host-prohibited'];

/** ACCEPT, DROP or REJECT with one of `rejects` (tcp-reset only for tcp). */
export function verdictOf(r: Rng, proto: string, rejects: readonly string[]): string {
  const v = pick(r, ['ACCEPT', 'ACCEPT', 'DROP', 'REJECT']);
  if (v !== 'REJECT') return v;
  const w = pick(r, rejects.filter((x) => proto === 'tcp' || !x.includes('tcp-reset')));
  return `REJECT ${w}`.trim();
}

const verdict = (r: Rng, proto: string): string => verdictOf(r, proto, REJECTS);

/** The router's restore file: raw and nat as given, filter with random policies and these rules. */
export function routerRestore(r: Rng, raw: readonly string[], nat: readonly string[], rin: readonly string[], fwd: readonly string[], rout: readonly string[]): string {
  return [
    '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...raw, 'COMMIT',
    '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...nat, 'COMMIT',
    '*filter', `:INPUT ${pick(r, ['ACCEPT', 'DROP'])} [0:0]`, `:FORWARD ${pick(r, ['ACCEPT', 'DROP', 'DROP'])} [0:0]`, `:OUTPUT ${pick(r, ['ACCEPT', 'ACCEPT', 'DROP'])} [0:0]`,
    ...rin, ...fwd, ...rout, 'COMMIT', '',
  ].join('\n');
}

function portRules(r: Rng, chain: string, dst: string | undefined, ports: readonly (readonly [string, number])[]): string[] {
  const out: string[] = [];
  for (const [proto, port] of ports) {
    if (!chance(r, 0.5)) continue;
    out.push(`-A ${chain}${dst ? ` -d ${dst}` : ''} -p ${proto} -m ${proto} --dport ${port} -j ${verdict(r, proto)}`);
  }
  return out;
}

export interface Config {
  readonly router: string;
  readonly server: string;
  readonly ipForward: boolean;
}

const LOCAL_PORTS = [['tcp', 22], ['tcp', 80], ['tcp', 9090], ['udp', 53], ['udp', 5353], ['tcp', 2200], ['tcp', 3128], ['udp', 5301]] as const;
const SERVER_PORTS = [['tcp', 22], ['tcp', 80], ['tcp', 8080], ['tcp', 9090], ['tcp', 443], ['tcp', 23], ['udp', 53], ['udp', 5353], ['udp', 9999]] as const;

export function generateConfig(r: Rng): Config {
  const raw: string[] = [];
  if (chance(r, 0.15)) raw.push(`-A PREROUTING -p tcp -m tcp --dport ${pick(r, [8080, 2222, 22, 80])} -j CT --notrack`);
  if (chance(r, 0.1)) raw.push('-A PREROUTING -p udp -m udp --dport 53 -j CT --notrack');
  const nat: string[] = [];
  if (chance(r, 0.75)) nat.push('-A PREROUTING -i fhr0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.19.0.2:80');
  if (chance(r, 0.5)) nat.push('-A PREROUTING -i fhr0 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 198.19.0.2:22');
  if (chance(r, 0.5)) nat.push('-A PREROUTING -i fhr0 -p udp -m udp --dport 5300 -j DNAT --to-destination 198.19.0.2:53');
  if (chance(r, 0.5)) nat.push('-A POSTROUTING -o fhr1 -j MASQUERADE');
  // Connections the router opens itself: OUTPUT DNAT to the server or to itself, REDIRECT to a local port.
  if (chance(r, 0.5)) nat.push('-A OUTPUT -d 198.18.0.1/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 198.19.0.2:22');
  if (chance(r, 0.5)) nat.push('-A OUTPUT -d 198.19.0.2/32 -p tcp -m tcp --dport 9090 -j DNAT --to-destination 198.19.0.2:80');
  if (chance(r, 0.5)) nat.push(`-A OUTPUT -p tcp -m tcp --dport 8888 -j REDIRECT --to-ports ${pick(r, [3128, 2200, 3129])}`);
  if (chance(r, 0.4)) nat.push('-A OUTPUT -d 198.19.0.2/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 198.19.0.2:53');
  const fwd: string[] = [];
  if (chance(r, 0.6)) fwd.push('-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  fwd.push(...portRules(r, 'FORWARD', chance(r, 0.5) ? '198.19.0.2' : undefined, SERVER_PORTS));
  if (chance(r, 0.3)) fwd.push('-A FORWARD -i fhr1 -j ACCEPT');
  const rin: string[] = [];
  if (chance(r, 0.5)) rin.push('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  rin.push(...portRules(r, 'INPUT', undefined, [['tcp', 22], ['udp', 5300], ['tcp', 8080], ['tcp', 80], ['udp', 53], ['tcp', 2200], ['tcp', 3128], ['udp', 5301]]));
  const rout: string[] = [];
  if (chance(r, 0.5)) rout.push('-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  rout.push(...portRules(r, 'OUTPUT', undefined, LOCAL_PORTS));
  const router = routerRestore(r, raw, nat, rin, fwd, rout);
  const sin: string[] = [];
  if (chance(r, 0.5)) sin.push('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  if (chance(r, 0.2)) sin.push('-A INPUT -s 198.18.0.0/24 -p tcp -m tcp --dport 22 -j DROP');
  sin.push(...portRules(r, 'INPUT', undefined, SERVER_PORTS));
  const sout: string[] = [];
  if (chance(r, 0.5)) sout.push('-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  if (chance(r, 0.3)) sout.push('-A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT');
  const sraw = chance(r, 0.1) ? ['-A PREROUTING -p tcp -m tcp --dport 80 -j CT --notrack', '-A OUTPUT -p tcp -m tcp --sport 80 -j CT --notrack'] : [];
  const server = [
    '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...sraw, 'COMMIT',
    '*filter', `:INPUT ${pick(r, ['ACCEPT', 'DROP'])} [0:0]`, ':FORWARD ACCEPT [0:0]', `:OUTPUT ${pick(r, ['ACCEPT', 'ACCEPT', 'DROP'])} [0:0]`,
    ...sin, ...sout, 'COMMIT', '',
  ].join('\n');
  return { router, server, ipForward: chance(r, 0.85) };
}

/** The flows every round sends: straight to the server, through the router's port forwards, to the router itself. */
/**
 * The no-route flow comes from its own client address: the kernel's ICMP rate limits keep tokens per
 * peer, shared between ip_error (no route) and the other ICMP errors, so a REJECT answered to the same
 * client address in the same second would silence the network-unreachable answer.
 */
export const FLOW_TARGETS: readonly { proto: 'tcp' | 'udp'; dst: string; dport: number; src?: string }[] = [
  { proto: 'tcp', dst: '198.19.0.2', dport: 22 }, { proto: 'tcp', dst: '198.19.0.2', dport: 80 },
  { proto: 'tcp', dst: '198.19.0.2', dport: 8080 }, { proto: 'tcp', dst: '198.19.0.2', dport: 9090 },
  { proto: 'tcp', dst: '198.19.0.2', dport: 443 }, { proto: 'udp', dst: '198.19.0.2', dport: 53 },
  { proto: 'udp', dst: '198.19.0.2', dport: 5353 }, { proto: 'tcp', dst: '198.18.0.1', dport: 8080 },
  { proto: 'tcp', dst: '198.18.0.1', dport: 2222 }, { proto: 'tcp', dst: '198.18.0.1', dport: 22 },
  { proto: 'udp', dst: '198.18.0.1', dport: 5300 }, { proto: 'tcp', dst: '198.19.0.2', dport: 23 },
  { proto: 'udp', dst: '198.19.0.2', dport: 9999 }, { proto: 'tcp', dst: '198.18.0.1', dport: 80 },
  { proto: 'tcp', dst: '198.18.0.1', dport: 9090 }, { proto: 'udp', dst: '198.18.0.1', dport: 53 },
  { proto: 'tcp', dst: '198.19.0.2', dport: 2222 }, { proto: 'tcp', dst: '198.19.128.1', dport: 80, src: '198.18.0.3' },
];

/** Listening sockets of the router (for the connections it opens to itself). */
export const ROUTER_SERVERS = [['tcp', '0.0.0.0', 2200], ['tcp', '127.0.0.1', 3128], ['udp', '0.0.0.0', 5301]] as const;

/** Flows the router opens itself (probed inside the router namespace). */
export const LOCAL_TARGETS: readonly { proto: 'tcp' | 'udp'; src: string; dst: string; dport: number }[] = [
  { proto: 'tcp', src: '198.19.0.1', dst: '198.19.0.2', dport: 22 }, { proto: 'tcp', src: '198.19.0.1', dst: '198.19.0.2', dport: 80 },
  { proto: 'tcp', src: '198.19.0.1', dst: '198.19.0.2', dport: 9090 }, { proto: 'udp', src: '198.19.0.1', dst: '198.19.0.2', dport: 53 },
  { proto: 'udp', src: '198.19.0.1', dst: '198.19.0.2', dport: 5353 }, { proto: 'tcp', src: '198.18.0.1', dst: '198.18.0.1', dport: 2222 },
  { proto: 'tcp', src: '198.18.0.1', dst: '198.19.0.2', dport: 8888 }, { proto: 'tcp', src: '198.18.0.1', dst: '198.19.0.1', dport: 2200 },
  { proto: 'udp', src: '198.19.0.1', dst: '198.19.0.1', dport: 5301 }, { proto: 'tcp', src: '198.19.0.1', dst: '198.19.128.1', dport: 80 },
];
