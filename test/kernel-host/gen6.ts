/**
 * IPv6 configurations for the host-path kernel test, the shapes of gen.ts in ip6tables: DNAT port
 * forwards and masquerade in the ip6tables nat table, FORWARD / INPUT / OUTPUT policies, ESTABLISHED
 * rules present or not, NOTRACK, REJECT with icmp6-* types and tcp-reset, forwarding on or off, and
 * neighbour discovery (ICMPv6 135/136) accepted or not where a policy drops: without the accept, a
 * DROP policy breaks the link. Addresses in fd00:f00d::/32 only.
 */
import type { Rng } from '../../src/kernel/random.js';
import { type Config, chance, pick, routerRestore, verdictOf } from './gen.js';

export const V6 = {
  client: 'fd00:f00d:18::2', client2: 'fd00:f00d:18::3', routerIn: 'fd00:f00d:18::1', routerOut: 'fd00:f00d:19::1', server: 'fd00:f00d:19::2',
} as const;

const REJECTS6 = ['--reject-with tcp-reset', '', '--reject-with icmp6-port-unreachable', '--reject-with icmp6-adm-prohibited',
  '--reject-with icmp6-addr-unreachable', '--reject-with icmp6-no-route'];

const verdict = (r: Rng, proto: string): string => verdictOf(r, proto, REJECTS6);

function portRules(r: Rng, chain: string, dst: string | undefined, ports: readonly (readonly [string, number])[]): string[] {
  return ports.filter(() => chance(r, 0.5)).map(([proto, port]) => `-A ${chain}${dst ? ` -d ${dst}/128` : ''} -p ${proto} -m ${proto} --dport ${port} -j ${verdict(r, proto)}`);
}

/**
 * Neighbour discovery accepted in `chain`: solicitations and advertisements, solicitations on one
 * interface only (so a neighbour that must resolve the router's other address is refused), all
 * ICMPv6, or nothing.
 */
function ndRules(r: Rng, chain: string, devs: readonly string[]): string[] {
  const x = r();
  const nd = (t: number, dev?: string): string => `-A ${chain}${dev !== undefined ? ` ${chain === 'INPUT' ? '-i' : '-o'} ${dev}` : ''} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -j ACCEPT`;
  if (x < 0.4) return [nd(135), nd(136)];
  if (x < 0.55) return [nd(135, pick(r, devs)), nd(136)];
  if (x < 0.7) return [`-A ${chain} -p ipv6-icmp -j ACCEPT`];
  return [];
}

const SERVER_PORTS = [['tcp', 22], ['tcp', 80], ['tcp', 8080], ['tcp', 9090], ['tcp', 443], ['udp', 53], ['udp', 5353]] as const;

export function generateConfig6(r: Rng): Config {
  const raw = chance(r, 0.15) ? [`-A PREROUTING -p tcp -m tcp --dport ${pick(r, [8080, 2222, 22, 80])} -j CT --notrack`] : [];
  const nat: string[] = [];
  if (chance(r, 0.75)) nat.push(`-A PREROUTING -i fhr0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [${V6.server}]:80`);
  if (chance(r, 0.5)) nat.push(`-A PREROUTING -i fhr0 -p udp -m udp --dport 5300 -j DNAT --to-destination [${V6.server}]:53`);
  if (chance(r, 0.5)) nat.push('-A POSTROUTING -o fhr1 -j MASQUERADE');
  if (chance(r, 0.5)) nat.push(`-A OUTPUT -d ${V6.server}/128 -p tcp -m tcp --dport 9090 -j DNAT --to-destination [${V6.server}]:80`);
  const fwd: string[] = [];
  if (chance(r, 0.6)) fwd.push('-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  fwd.push(...portRules(r, 'FORWARD', chance(r, 0.5) ? V6.server : undefined, SERVER_PORTS));
  const rin = [...ndRules(r, 'INPUT', ['fhr0', 'fhr1'])];
  if (chance(r, 0.5)) rin.push('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  rin.push(...portRules(r, 'INPUT', undefined, [['tcp', 22], ['udp', 5300], ['tcp', 8080], ['udp', 53]]));
  const rout = [...ndRules(r, 'OUTPUT', ['fhr0', 'fhr1'])];
  if (chance(r, 0.5)) rout.push('-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  rout.push(...portRules(r, 'OUTPUT', undefined, [['tcp', 22], ['tcp', 80], ['udp', 53]]));
  const router = routerRestore(r, raw, nat, rin, fwd, rout);
  const sin = [...ndRules(r, 'INPUT', ['fhs0', 'lo'])];
  if (chance(r, 0.5)) sin.push('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  if (chance(r, 0.2)) sin.push('-A INPUT -s fd00:f00d:18::/64 -p tcp -m tcp --dport 22 -j DROP');
  sin.push(...portRules(r, 'INPUT', undefined, SERVER_PORTS));
  const sout = [...ndRules(r, 'OUTPUT', ['fhs0', 'lo'])];
  if (chance(r, 0.5)) sout.push('-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  if (chance(r, 0.3)) sout.push('-A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT');
  const server = [
    '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT',
    '*filter', `:INPUT ${pick(r, ['ACCEPT', 'DROP'])} [0:0]`, ':FORWARD ACCEPT [0:0]', `:OUTPUT ${pick(r, ['ACCEPT', 'ACCEPT', 'DROP'])} [0:0]`,
    ...sin, ...sout, 'COMMIT', '',
  ].join('\n');
  return { router, server, ipForward: chance(r, 0.85) };
}

/** Listening IPv6 sockets of the server (beside its IPv4 ones). */
export const SERVER_SERVERS6 = [['tcp', V6.server, 22], ['tcp', V6.server, 80], ['tcp', '::1', 8080], ['udp', V6.server, 53]] as const;

/** IPv6 flows from the client (the no-route one from its own address, for the ICMP rate limits) and from the router. */
export const FLOW_TARGETS6: readonly { proto: 'tcp' | 'udp'; dst: string; dport: number; src?: string }[] = [
  { proto: 'tcp', dst: V6.server, dport: 22 }, { proto: 'tcp', dst: V6.server, dport: 80 }, { proto: 'tcp', dst: V6.server, dport: 8080 },
  { proto: 'tcp', dst: V6.server, dport: 443 }, { proto: 'udp', dst: V6.server, dport: 53 }, { proto: 'tcp', dst: V6.routerIn, dport: 8080 },
  { proto: 'tcp', dst: V6.routerIn, dport: 22 }, { proto: 'udp', dst: V6.routerIn, dport: 5300 },
  { proto: 'tcp', dst: 'fd00:f00d:1a::1', dport: 80, src: V6.client2 },
];
export const LOCAL_TARGETS6: readonly { proto: 'tcp' | 'udp'; src: string; dst: string; dport: number }[] = [
  { proto: 'tcp', src: V6.routerOut, dst: V6.server, dport: 22 }, { proto: 'tcp', src: V6.routerOut, dst: V6.server, dport: 9090 },
  { proto: 'udp', src: V6.routerOut, dst: V6.server, dport: 53 },
];
