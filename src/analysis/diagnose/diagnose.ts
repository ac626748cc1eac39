/**
 * `diagnose`: simulate the flow the user reports as broken, read the causes off the stage that
 * ended it, add the host-wide findings that fit the symptom (conntrack nearly full, ICMP blocked,
 * IPv6 open while IPv4 is closed), and rank them: the cause that decides the simulated outcome
 * first, then what the symptom points at.
 */
import { formatValue } from '../../model/address.js';
import type { Host } from '../../model/host.js';
import type { Packet } from '../../model/packet.js';
import type { Path } from '../../model/path.js';
import { evaluateFlow } from '../flow/flow.js';
import { cmd } from './commands.js';
import { causesFromFlow } from './from-flow.js';
import type { Cause, CauseCode, Diagnosis, Symptom } from './types.js';

/** Causes each symptom makes more likely (field guide "Symptoms" → "Common Causes"). */
const SYMPTOM_CAUSES: Readonly<Record<Symptom, readonly CauseCode[]>> = {
  timeout: ['diagnose/ipv6-nd-blocked', 'diagnose/default-policy', 'diagnose/explicit-block', 'diagnose/drop-above-allow', 'diagnose/missing-established', 'diagnose/ip-forward-off', 'diagnose/dnat-without-forward', 'diagnose/conntrack-full'],
  refused: ['diagnose/nothing-listening', 'diagnose/bound-to-loopback', 'diagnose/reject', 'diagnose/tcp-wrappers'],
  intermittent: ['diagnose/conntrack-full'],
  'one-way': ['diagnose/missing-established', 'diagnose/dnat-without-masquerade'],
  nat: ['diagnose/dnat-without-forward', 'diagnose/dnat-without-ip-forward', 'diagnose/dnat-without-masquerade'],
  icmp: ['diagnose/icmp-blocked', 'diagnose/ipv6-nd-blocked'],
};

export interface DiagnoseInput {
  readonly path: Path;
  /** The flow's first packet. */
  readonly packet: Packet;
  readonly symptom?: Symptom;
  /** The same service on the host's address of the other family, when it has one. */
  readonly otherFamily?: Packet;
}

function conntrackPressure(path: Path): Cause[] {
  const out: Cause[] = [];
  for (const l of path.layers) {
    if (l.kind !== 'host') continue;
    const s = l.host.sysctls;
    if (s?.conntrackMax === undefined || s.conntrackCount === undefined || s.conntrackMax === 0) continue;
    const ratio = s.conntrackCount / s.conntrackMax;
    if (ratio < 0.9 || ratio >= 1) continue;
    const o = s.origins?.get('net.netfilter.nf_conntrack_count');
    out.push({
      code: 'diagnose/conntrack-full', title: 'Connection tracking (conntrack) table nearly full', score: 60,
      explanation: `${l.name}: nf_conntrack_count ${s.conntrackCount} is ${(ratio * 100).toFixed(0)}% of nf_conntrack_max ${s.conntrackMax}; under load new connections are dropped ("nf_conntrack: table full, dropping packet").`,
      evidence: [{ what: `nf_conntrack_count = ${s.conntrackCount}, nf_conntrack_max = ${s.conntrackMax}`, ...(o ? { file: o.file, line: o.line, text: o.text } : {}) }],
      confirm: [cmd('cat', '/proc/sys/net/netfilter/nf_conntrack_count'), cmd('cat', '/proc/sys/net/netfilter/nf_conntrack_max'), 'dmesg | grep conntrack'],
      fix: [cmd('sysctl', '-w', 'net.netfilter.nf_conntrack_max=262144')],
    });
  }
  return out;
}

function icmpCheck(path: Path, p: Packet): Cause[] {
  const proto = p.family === 'ipv4' ? 1 : 58;
  const ping: Packet = { ...p, protocol: proto, icmpType: p.family === 'ipv4' ? 8 : 128, icmpCode: 0, tcpFlags: 0, length: p.family === 'ipv4' ? 84 : 104 } as Packet;
  const { sport: _s, dport: _d, ...echo } = ping;
  const r = evaluateFlow(path, echo as Packet);
  if (r.outcome === 'open') return [];
  return [{
    code: 'diagnose/icmp-blocked', title: 'ICMP blocked (ping fails; path MTU discovery may break)', score: 30,
    explanation: `an ICMP echo request to ${formatValue(p.family, p.dst)} gets '${r.outcome}': ${r.reason}`,
    evidence: [], confirm: [cmd('ping', '-c', '3', formatValue(p.family, p.dst))],
    fix: [cmd(p.family === 'ipv4' ? 'iptables' : 'ip6tables', '-I', 'INPUT', '-p', p.family === 'ipv4' ? 'icmp' : 'icmpv6', '-j', 'ACCEPT')],
  }];
}

function familyAsymmetry(path: Path, p: Packet, main: string, other: Packet | undefined): Cause[] {
  if (other === undefined) return [];
  const r = evaluateFlow(path, other);
  const v6 = p.family === 'ipv6' ? main : r.outcome;
  const v4 = p.family === 'ipv4' ? main : r.outcome;
  if (v6 !== 'open' || v4 === 'open') return [];
  return [{
    code: 'diagnose/ipv6-open-ipv4-closed', title: 'IPv6 wide open while IPv4 is locked down', score: p.family === 'ipv6' ? 100 : 50,
    explanation: `the service answers over IPv6 (open) but not over IPv4 (${v4}): the ip6tables / IPv6 rules do not mirror the IPv4 ones, so what IPv4 blocks is reachable over IPv6.`,
    evidence: [], confirm: [cmd('ip6tables', '-L', 'INPUT', '-n', '-v'), cmd('iptables', '-L', 'INPUT', '-n', '-v')],
    fix: ['mirror the IPv4 INPUT rules in ip6tables (or an inet nft table) and set its INPUT policy to DROP'],
  }];
}

export function diagnose(input: DiagnoseInput): Diagnosis {
  const flow = evaluateFlow(input.path, input.packet);
  const notes: string[] = [];
  const causes: Cause[] = [...causesFromFlow(input.path, flow), ...conntrackPressure(input.path)];
  if (input.symptom === 'icmp' || input.packet.protocol === 1 || input.packet.protocol === 58 || causes.length === 0) {
    if (input.packet.protocol !== 1 && input.packet.protocol !== 58) causes.push(...icmpCheck(input.path, input.packet));
  }
  causes.push(...familyAsymmetry(input.path, input.packet, flow.outcome, input.otherFamily));
  const favoured = input.symptom === undefined ? [] : SYMPTOM_CAUSES[input.symptom];
  const weight = (c: Cause): number => c.score + (favoured.includes(c.code) ? 15 : 0);
  const seen = new Set<string>();
  const ranked = causes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => weight(b.c) - weight(a.c) || a.i - b.i)
    .map(({ c }) => c)
    .filter((c) => (seen.has(c.code + c.explanation) ? false : (seen.add(c.code + c.explanation), true)));
  if (input.symptom !== undefined && flow.outcome === 'open' && ranked.length === 0) {
    notes.push(`the simulated flow is open, yet '${input.symptom}' was reported: the cause may lie outside the snapshot (a cloud layer, the client, the network) or in rules fwdoctor cannot evaluate`);
  }
  return { flow, causes: ranked, notes };
}

/** The host's address of the other family on the same interface as `dst`, for the asymmetry check. */
export function otherFamilyAddress(host: Host, p: Packet): bigint | undefined {
  const want = p.family === 'ipv4' ? 'ipv6' : 'ipv4';
  for (const i of host.interfaces ?? []) {
    if (!i.addresses.some((a) => a.family === p.family && a.address === p.dst)) continue;
    const a = i.addresses.find((x) => x.family === want && (want === 'ipv4' || (x.address >> 118n) !== 0x3fan));
    if (a !== undefined) return a.address;
  }
  return undefined;
}
