/**
 * Causes read off a simulated flow: the stage that ended the forward packet or its answer, and
 * what the path did on the way (DNAT without masquerade, the socket and wrappers decisions).
 */
import { formatValue } from '../../model/address.js';
import type { Host } from '../../model/host.js';
import type { Path } from '../../model/path.js';
import { protocolName } from '../../model/protocol.js';
import { indexRuleset, isPolicyRef, formatRef, type PolicyRef, type RuleRef, type TraceResult } from '../simulate/index.js';
import { findUnreachedAccepts } from '../why/unreached.js';
import type { FlowResult, PacketJourney, Stage } from '../flow/types.js';
import { cmd, iptablesBin, listChainCommand } from './commands.js';
import type { Cause, Evidence } from './types.js';

function hostOf(path: Path, layer: string): Host | undefined {
  const l = path.layers.find((x) => x.name === layer);
  return l?.kind === 'host' ? l.host : undefined;
}

function ruleEvidence(host: Host | undefined, ref: RuleRef | PolicyRef): Evidence {
  const t = host?.ruleset.tables.find((x) => x.family === ref.family && x.name === ref.table);
  const c = t?.chains.find((x) => x.name === ref.chain);
  if (isPolicyRef(ref)) {
    return { what: `policy ${(c?.base?.policy ?? 'drop').toUpperCase()} of ${ref.table}/${ref.chain}`, ...(c ? { file: c.origin.file, line: c.origin.line, text: c.origin.text } : {}) };
  }
  const r = c?.rules[ref.index - 1];
  return { what: `rule ${formatRef(ref)}`, ...(r ? { file: r.origin.file, line: r.origin.line, text: r.origin.text } : {}) };
}

function fromIptables(host: Host | undefined, ref: RuleRef | PolicyRef): boolean {
  return host?.ruleset.tables.find((x) => x.family === ref.family && x.name === ref.table)?.source === 'iptables';
}

function decisive(st: Stage): TraceResult | undefined {
  return st.traces.find((t) => t.verdict !== 'accept');
}

function stateRulePresent(host: Host | undefined, ref: RuleRef | PolicyRef): boolean {
  const t = host?.ruleset.tables.find((x) => x.family === ref.family && x.name === ref.table);
  const c = t?.chains.find((x) => x.name === ref.chain);
  return c?.rules.some((r) => /ESTABLISHED|established/.test(r.origin.text)) ?? false;
}

function sysctlEvidence(host: Host | undefined, key: string): Evidence {
  const o = host?.sysctls?.origins?.get(key);
  const v = host?.sysctls?.values.get(key);
  return { what: `${key} = ${v ?? '?'}`, ...(o ? { file: o.file, line: o.line, text: o.text } : {}) };
}

function fwdFix(family: 'ipv4' | 'ipv6', st: Stage): string {
  const p = st.packet;
  const argv = [iptablesBin(family), '-I', 'FORWARD', '-p', protocolName(p.protocol), '-d', formatValue(p.family, p.dst)];
  if (p.dport !== undefined) argv.push('--dport', String(p.dport));
  return cmd(...argv, '-j', 'ACCEPT');
}

function wasDnat(j: PacketJourney): Stage | undefined {
  return j.stages.find((s) => s.nat !== undefined && (s.nat.type === 'dnat' || s.nat.type === 'redirect'));
}

/** Causes for the stage that ended a packet. */
export function causesFromFlow(path: Path, flow: FlowResult): Cause[] {
  const out: Cause[] = [];
  const fwd = flow.packets[0];
  const back = flow.packets[1];
  if (fwd === undefined) return out;
  const dnat = wasDnat(fwd);
  const ended: PacketJourney | undefined = fwd.fate === 'dropped' || fwd.fate === 'rejected' ? fwd : back !== undefined && back.fate !== 'arrived' ? back : undefined;
  const st = ended?.end;
  if (ended !== undefined && st !== undefined) {
    const host = hostOf(path, st.layer);
    const p = st.packet;
    const fam = p.family;
    const isFwd = ended.direction === 'forward';
    if (st.stage === 'conntrack') {
      out.push({
        code: 'diagnose/conntrack-full', title: 'Connection tracking (conntrack) table full', score: 100,
        explanation: `${st.summary}: new connections are dropped while the table stays full, so failures come and go with load.`,
        evidence: [sysctlEvidence(host, 'net.netfilter.nf_conntrack_count'), sysctlEvidence(host, 'net.netfilter.nf_conntrack_max')],
        confirm: [cmd('cat', '/proc/sys/net/netfilter/nf_conntrack_count'), cmd('cat', '/proc/sys/net/netfilter/nf_conntrack_max'), 'dmesg | grep conntrack'],
        fix: [cmd('sysctl', '-w', 'net.netfilter.nf_conntrack_max=262144'), cmd('sysctl', '-w', 'net.netfilter.nf_conntrack_tcp_timeout_time_wait=30')],
      });
    } else if (st.stage === 'routing' && /ip_forward|forwarding/.test(st.summary)) {
      const key = fam === 'ipv4' ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
      out.push({
        code: dnat ? 'diagnose/dnat-without-ip-forward' : 'diagnose/ip-forward-off',
        title: dnat ? 'NAT port forwarding without IP forwarding enabled' : 'IP forwarding disabled', score: 100,
        explanation: `${st.summary}.${dnat ? ` The packet was translated by ${dnat.nat?.by ? formatRef(dnat.nat.by) : 'DNAT'} to ${formatValue(fam, dnat.nat?.after.dst ?? 0n)}, which is not on this host.` : ''}`,
        evidence: [sysctlEvidence(host, key)],
        confirm: [cmd('sysctl', key)], fix: [cmd('sysctl', '-w', `${key}=1`), `echo ${key}=1 >> /etc/sysctl.conf`],
      });
    } else if (st.stage === 'routing' && /rp_filter|reverse-path/.test(st.summary)) {
      out.push({ code: 'diagnose/rp-filter', title: 'Reverse-path filter drops the packet', score: 90, explanation: st.summary, evidence: [sysctlEvidence(host, 'net.ipv4.conf.all.rp_filter')], confirm: [cmd('sysctl', '-a', '--pattern', 'rp_filter')], fix: [cmd('sysctl', '-w', 'net.ipv4.conf.all.rp_filter=2')] });
    } else if (st.result === 'no-route' || (st.stage === 'routing' && st.result === 'drop')) {
      out.push({ code: 'diagnose/no-route', title: 'No route to host', score: 90, explanation: st.summary, evidence: [], confirm: [cmd('ip', 'route', 'get', formatValue(fam, p.dst))], fix: [] });
    } else if (st.stage === 'socket') {
      const loop = /loopback only/.test(st.summary);
      const port = p.dport ?? 0;
      const proto = protocolName(p.protocol);
      const natBy = dnat?.nat?.by;
      const redirected = dnat !== undefined && natBy !== undefined
        ? ` The packet was sent there by ${formatRef(natBy)} (${dnat.nat?.type.toUpperCase() ?? 'DNAT'} in ${dnat.stage.toUpperCase()}${dnat.stage === 'output' ? ', on a connection the host opened itself' : ''}): check its target port as well as the service.`
        : '';
      out.push({
        code: loop ? 'diagnose/bound-to-loopback' : 'diagnose/nothing-listening',
        title: loop ? 'Application listens on port but external clients cannot connect: bound to 127.0.0.1' : 'Service not listening (connection refused)',
        score: 100, explanation: `${st.summary}.${redirected}`,
        evidence: [
          ...(st.evidence ? [{ what: 'listening socket', file: st.evidence.file, line: st.evidence.line, text: st.evidence.text }] : []),
          ...(natBy !== undefined ? [ruleEvidence(host, natBy)] : []),
        ],
        confirm: [cmd('ss', proto === 'udp' ? '-ulnp' : '-tlnp'), ...(natBy !== undefined ? [listChainCommand(natBy, fromIptables(host, natBy))] : [])],
        fix: loop ? [`configure the service to listen on 0.0.0.0:${port} (or the host's address) instead of 127.0.0.1, then restart it`]
          : [`start the service on ${proto} port ${port}${natBy !== undefined ? `, or make ${formatRef(natBy)} point at the port the service listens on` : ', or fix the port clients use'}`],
      });
    } else if (st.stage === 'neighbour') {
      out.push(ndCause(host, st));
    } else if (st.stage === 'filter') {
      out.push({ code: 'diagnose/explicit-block', title: 'Cloud security layer blocks the traffic', score: 95, explanation: `${st.layer}: ${st.summary}`, evidence: st.ref ? [ruleEvidence(undefined, st.ref)] : [], confirm: [], fix: [] });
    } else {
      out.push(...chainCauses(path, flow, ended, st, host, dnat));
    }
  }
  if (flow.outcome === 'refused' && /TCP wrappers/.test(flow.reason)) {
    const w = fwd.stages.find((s) => s.stage === 'wrappers');
    const daemon = /for (\S+):/.exec(w?.summary ?? '')?.[1] ?? 'sshd';
    out.push({
      code: 'diagnose/tcp-wrappers', title: 'TCP wrapper (/etc/hosts.allow, /etc/hosts.deny) blocking access', score: 100,
      explanation: w?.summary ?? flow.reason,
      evidence: w?.evidence ? [{ what: 'hosts_access line', file: w.evidence.file, line: w.evidence.line, text: w.evidence.text }] : [],
      confirm: [cmd('tcpdmatch', daemon, formatValue(fwd.packet.family, fwd.packet.src)), cmd('grep', '-n', daemon, '/etc/hosts.allow', '/etc/hosts.deny')],
      fix: [`add '${daemon}: ${formatValue(fwd.packet.family, fwd.packet.src)}' to /etc/hosts.allow, or remove the hosts.deny line`],
    });
  }
  const leftDnatHost = dnat !== undefined && fwd.stages.some((s) => s.layer === dnat.layer && s.stage === 'postrouting' && s.result === 'pass');
  if (dnat !== undefined && leftDnatHost && !fwd.stages.some((s) => s.nat?.type === 'snat' || s.nat?.type === 'masquerade') && flow.outcome === 'timeout') {
    out.push({
      code: 'diagnose/dnat-without-masquerade', title: 'NAT/masquerade not configured for forwarding', score: 40,
      explanation: `the packet is translated to ${formatValue(dnat.packet.family, dnat.nat?.after.dst ?? 0n)} but its source is not: unless that host routes its replies back through ${dnat.layer}, they bypass the translation and the client never sees them.`,
      evidence: dnat.nat?.by ? [ruleEvidence(hostOf(path, dnat.layer), dnat.nat.by)] : [],
      confirm: [cmd('iptables', '-t', 'nat', '-L', 'POSTROUTING', '-n', '-v'), 'conntrack -L -p tcp'],
      fix: [cmd('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-d', formatValue(dnat.packet.family, dnat.nat?.after.dst ?? 0n), '-j', 'MASQUERADE')],
    });
  }
  return out;
}

function chainCauses(path: Path, flow: FlowResult, j: PacketJourney, st: Stage, host: Host | undefined, dnat: Stage | undefined): Cause[] {
  const out: Cause[] = [];
  const t = decisive(st);
  const ref = st.ref ?? t?.decidedBy;
  if (ref === undefined) return out;
  const ipt = fromIptables(host, ref);
  const list = listChainCommand(ref, ipt);
  const ev = ruleEvidence(host, ref);
  const p = st.packet;
  if (j.direction === 'reply' && !stateRulePresent(host, ref)) {
    out.push({
      code: 'diagnose/missing-established', title: 'Return traffic blocked due to stateless filtering (no ESTABLISHED,RELATED rule)', score: 100,
      explanation: `the ${j.role === 'reply' ? 'reply' : j.role} is dropped at ${st.layer} ${st.stage} by ${isPolicyRef(ref) ? 'the chain policy' : formatRef(ref)}: ${ref.chain} has no rule accepting ESTABLISHED,RELATED packets, so traffic only flows one way.`,
      evidence: [ev],
      confirm: [list],
      fix: [ipt ? cmd(iptablesBin(ref.family), '-I', ref.chain, '1', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT') : cmd('nft', 'insert', 'rule', ref.family, ref.table, ref.chain, 'ct', 'state', 'established,related', 'accept')],
    });
  }
  if (dnat !== undefined && st.stage === 'forward' && j.direction === 'forward') {
    out.push({
      code: 'diagnose/dnat-without-forward', title: 'NAT port forwarding without a FORWARD accept rule', score: 100,
      explanation: `${dnat.nat?.by ? formatRef(dnat.nat.by) : 'DNAT'} translates the packet to ${formatValue(p.family, p.dst)}${p.dport !== undefined ? `:${p.dport}` : ''}, but FORWARD ${isPolicyRef(ref) ? `has no rule accepting it and its policy drops it` : `drops it (${formatRef(ref)})`}.`,
      evidence: [...(dnat.nat?.by ? [ruleEvidence(host, dnat.nat.by)] : []), ev],
      confirm: [cmd('iptables', '-t', 'nat', '-L', 'PREROUTING', '-n', '-v', '--line-numbers'), list],
      fix: [fwdFix(p.family, st)],
    });
  }
  if (host !== undefined && t !== undefined && !isPolicyRef(t.decidedBy)) {
    const un = findUnreachedAccepts(indexRuleset(host.ruleset), { ...p, ctstate: t.ctstate }, t);
    const first = un[0];
    if (first !== undefined) {
      out.push({
        code: 'diagnose/drop-above-allow', title: 'Rule ordering: DROP rule before ALLOW rule', score: 98,
        explanation: `${formatRef(t.decidedBy)} ${t.verdict === 'reject' ? 'rejects' : 'drops'} the packet before ${formatRef(first.ref)}, which would accept it, is reached.`,
        evidence: [ev, ruleEvidence(host, first.ref)],
        confirm: [list],
        fix: ipt ? [cmd(iptablesBin(ref.family), '-t', ref.table, '-D', ref.chain, String(first.ref.index)), `${iptablesBin(ref.family)} -t ${ref.table} -I ${ref.chain} ${t.decidedBy.index} ${first.text.replace(/^-A \S+ /, '')}`] : [],
      });
    }
  }
  if (isPolicyRef(ref)) {
    out.push({
      code: 'diagnose/default-policy', title: 'Default DROP/REJECT policy with no allow rule', score: 80,
      explanation: `no rule of ${ref.table}/${ref.chain} at ${st.layer} accepts the ${j.direction} packet ${p.dport !== undefined ? `to port ${p.dport}` : ''}; the chain policy drops it.`,
      evidence: [ev], confirm: [list],
      fix: ipt && j.direction === 'forward' && p.dport !== undefined ? [cmd(iptablesBin(ref.family), '-I', ref.chain, '-p', protocolName(p.protocol), '--dport', String(p.dport), '-j', 'ACCEPT')] : [],
    });
  } else {
    const reject = t?.verdict === 'reject';
    out.push({
      code: reject ? 'diagnose/reject' : 'diagnose/explicit-block', title: 'Firewall rule explicitly blocking port/protocol', score: 85,
      explanation: `${formatRef(ref)} at ${st.layer} ${reject ? `rejects the packet (${flow.icmp ? `ICMP ${flow.icmp.name}` : 'TCP reset'})` : 'drops the packet'}.`,
      evidence: [ev], confirm: [list],
      fix: ipt ? [cmd(iptablesBin(ref.family), '-t', ref.table, '-D', ref.chain, String(ref.index))] : [cmd('nft', 'delete', 'rule', ref.family, ref.table, ref.chain, 'handle', String(ref.handle ?? '?'))],
    });
  }
  return out;
}

/** IPv6 neighbour discovery (ICMPv6 135/136) dropped on a link of the path. */
function ndCause(host: Host | undefined, st: Stage): Cause {
  const ref = st.ref;
  const chain = ref?.chain ?? 'INPUT';
  const ipt = ref === undefined || fromIptables(host, ref);
  return {
    code: 'diagnose/ipv6-nd-blocked', title: 'ICMP blocked: IPv6 neighbour discovery (ICMPv6 135/136) dropped', score: 100,
    explanation: `${st.summary}. IPv6 cannot reach a neighbour whose address it cannot resolve: nothing is sent, the connection times out. Neighbour discovery is not tracked by conntrack (UNTRACKED), so an ESTABLISHED,RELATED rule does not accept it: it needs its own accept rule.`,
    evidence: ref !== undefined ? [ruleEvidence(host, ref)] : [],
    confirm: [ref !== undefined ? listChainCommand(ref, ipt) : cmd('ip6tables', '-L', chain, '-n', '-v'), cmd('ip', '-6', 'neigh', 'show'), "tcpdump -ni any 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)'"],
    fix: ipt
      ? [135, 136].map((t) => cmd('ip6tables', '-t', ref?.table ?? 'filter', '-I', chain, '-p', 'ipv6-icmp', '--icmpv6-type', String(t), '-j', 'ACCEPT'))
      : [cmd('nft', 'insert', 'rule', ref.family, ref.table, ref.chain, 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept')],
  };
}
