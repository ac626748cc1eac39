/**
 * The field guide's causes and hardening checklist, asked as questions about the sets of packets
 * the ruleset accepts or may block on the input (and forward) hooks: is return traffic accepted,
 * loopback, ICMP for path MTU discovery, ICMPv6 neighbour discovery; is one family left open while
 * the other is filtered; are admin / database ports open to every address on the internet; are
 * INVALID packets accepted; is SSH accepted without a rate limit; does INPUT default to ACCEPT.
 * Each finding carries a witness packet the simulator traces to the claimed verdict.
 */
import type { Family } from '../../../model/address.js';
import type { Hook } from '../../../model/ruleset.js';
import { FALSE } from '../../space/bdd.js';
import type { HookSets } from '../../space/walk.js';
import { witness } from '../../space/witness.js';
import type { LintContext } from '../context.js';
import { type Finding, type FindingCode, severityRank } from '../finding.js';

interface Probe {
  readonly code: FindingCode;
  readonly severity: Finding['severity'];
  readonly message: string;
  readonly explanation: string;
  readonly suggestion: string;
}

export const ADMIN_PORTS: readonly { port: number; name: string; severity: Finding['severity'] }[] = [
  { port: 22, name: 'SSH', severity: 'info' }, { port: 3389, name: 'RDP', severity: 'warning' },
  { port: 23, name: 'Telnet', severity: 'error' }, { port: 3306, name: 'MySQL', severity: 'warning' },
  { port: 5432, name: 'PostgreSQL', severity: 'warning' }, { port: 1433, name: 'SQL Server', severity: 'warning' },
  { port: 1521, name: 'Oracle', severity: 'warning' }, { port: 6379, name: 'Redis', severity: 'error' },
  { port: 11211, name: 'memcached', severity: 'error' }, { port: 27017, name: 'MongoDB', severity: 'error' },
  { port: 9200, name: 'Elasticsearch', severity: 'error' }, { port: 5601, name: 'Kibana', severity: 'warning' },
  { port: 2375, name: 'Docker API', severity: 'error' },
];

/** Non-public IPv4 space: private, loopback, link-local, CGNAT, multicast, reserved, "this network". */
const NON_PUBLIC4: readonly [number, number][] = [
  [0x00000000, 0x00ffffff], [0x0a000000, 0x0affffff], [0x64400000, 0x647fffff], [0x7f000000, 0x7fffffff],
  [0xa9fe0000, 0xa9feffff], [0xac100000, 0xac1fffff], [0xc0a80000, 0xc0a8ffff], [0xe0000000, 0xffffffff],
];

class Hardening {
  readonly out: Finding[] = [];
  private readonly sets = new Map<Hook, HookSets>();

  constructor(readonly ctx: LintContext) {}

  hook(h: Hook): HookSets {
    let s = this.sets.get(h);
    if (s === undefined) {
      s = this.ctx.sym.hook(h);
      this.sets.set(h, s);
    }
    return s;
  }

  filtered(h: Hook, f: Family): boolean {
    return this.ctx.sym.prepared.plan(h, f).chains.length > 0;
  }

  report(p: Probe, set: number, h: Hook): void {
    const w = witness(this.ctx.space, set, h, { iif: 'eth0' });
    const base = this.ctx.sym.prepared.plan(h, w?.family ?? 'ipv4').chains[0];
    this.out.push({
      code: p.code, severity: p.severity, message: p.message, explanation: p.explanation, suggestion: p.suggestion, related: [],
      ...(w !== undefined ? { witness: w } : {}),
      ...(base !== undefined ? { rule: this.ctx.chainRule(base), location: this.ctx.chainLocation(base) } : {}),
    });
  }

  run(): Finding[] {
    const { bdd, enc } = this.ctx.space;
    const sp = this.ctx.space;
    const state = (s: number): number => enc.eq('ctstate', s);
    const fams = (['ipv4', 'ipv6'] as Family[]).filter((f) => this.filtered('input', f));
    const famSet = (list: Family[]): number => bdd.orAll(list.map((f) => sp.family(f)));
    for (const h of ['input', 'forward'] as Hook[]) {
      for (const fam of (['ipv4', 'ipv6'] as Family[]).filter((f) => this.filtered(h, f))) {
        const notLo = bdd.not(enc.oneOf('iif', [sp.layout.iif.classOf('lo')]));
        const reply = bdd.andAll([sp.family(fam), sp.tcp, state(1), enc.eq('sport', 443), enc.range('dport', 32768, 60999), notLo, sp.valid]);
        // Only the replies matter here: the hook's sets within them cost far less than the whole sets.
        const s = this.ctx.sym.hook(h, reply);
        // A hook that accepts nothing at all (FORWARD on a host that is not a router) needs no return path.
        if (s.accepted !== FALSE || s.mayBlock === FALSE || bdd.and(this.hook(h).accepted, sp.family(fam)) === FALSE) continue;
        this.report({
          code: 'lint/no-established-accept', severity: 'warning',
          message: `${h} (${fam}): no ESTABLISHED,RELATED accept: replies to connections this host opens are blocked`,
          explanation: 'With a default-deny policy, return traffic needs its own rule (`-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`); without it, connections the host or its clients open time out.',
          suggestion: `${fam === 'ipv4' ? 'iptables' : 'ip6tables'} -I ${h.toUpperCase()} 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
        }, s.mayBlock, h);
      }
    }
    if (fams.length === 0) return this.out;
    const input = this.hook('input');
    const lo = enc.oneOf('iif', [sp.layout.iif.classOf('lo')]);
    const loop4 = bdd.andAll([sp.v4, enc.range('src4', 0x7f000000, 0x7fffffff), enc.range('dst4', 0x7f000000, 0x7fffffff)]);
    const loop6 = bdd.andAll([sp.v6, enc.eq('src6', 1), enc.eq('dst6', 1)]);
    const loopback = bdd.andAll([lo, bdd.or(loop4, loop6), famSet(fams), sp.valid]);
    const loBlocked = bdd.and(loopback, input.mayBlock);
    if (loBlocked !== FALSE) {
      this.report({
        code: 'lint/loopback-not-accepted', severity: 'warning', message: 'loopback traffic (in lo) is blocked',
        explanation: 'Local services talk to each other over lo; blocking it breaks them in ways that are hard to trace.',
        suggestion: 'iptables -I INPUT 1 -i lo -j ACCEPT',
      }, loBlocked, 'input');
    }
    if (fams.includes('ipv4')) {
      const pmtu = bdd.andAll([sp.v4, enc.eq('protocol', 1), enc.eq('icmpType', 3), enc.eq('icmpCode', 4), state(2), sp.valid]);
      const b = bdd.and(pmtu, input.mayBlock);
      if (b !== FALSE) {
        this.report({
          code: 'lint/icmp-pmtu-blocked', severity: 'warning', message: 'ICMP fragmentation-needed (type 3 code 4) is blocked',
          explanation: 'Path MTU discovery needs these messages; when they are dropped, large transfers hang while small ones work.',
          suggestion: 'iptables -I INPUT 1 -p icmp --icmp-type fragmentation-needed -j ACCEPT (or accept RELATED)',
        }, b, 'input');
      }
    }
    if (fams.includes('ipv6')) {
      const ptb = bdd.andAll([sp.v6, enc.eq('protocol', 58), enc.eq('icmpType', 2), state(2), sp.valid]);
      const b = bdd.and(ptb, input.mayBlock);
      if (b !== FALSE) {
        this.report({
          code: 'lint/icmp-pmtu-blocked', severity: 'warning', message: 'ICMPv6 packet-too-big is blocked',
          explanation: 'IPv6 routers never fragment: without packet-too-big, path MTU discovery fails and large transfers hang.',
          suggestion: 'ip6tables -I INPUT 1 -p icmpv6 --icmpv6-type packet-too-big -j ACCEPT',
        }, b, 'input');
      }
      const nd = bdd.andAll([sp.v6, enc.eq('protocol', 58), enc.range('icmpType', 133, 136), state(4), sp.valid]);
      const nb = bdd.and(nd, input.mayBlock);
      if (nb !== FALSE) {
        this.report({
          code: 'lint/icmpv6-nd-blocked', severity: 'error', message: 'ICMPv6 neighbour discovery (types 133-136) is blocked',
          explanation: 'IPv6 hosts find their neighbours and routers with these messages; blocking them cuts IPv6 connectivity.',
          suggestion: 'ip6tables -I INPUT 1 -p icmpv6 --icmpv6-type neighbour-solicitation -j ACCEPT (and 133, 134, 136)',
        }, nb, 'input');
      }
    }
    this.checkFamilies(input);
    this.checkPorts(input, fams);
    const invalid = bdd.andAll([famSet(fams), state(3), input.accepted, bdd.not(lo)]);
    if (invalid !== FALSE) {
      this.report({
        code: 'lint/invalid-not-dropped', severity: 'info', message: 'packets in conntrack state INVALID are accepted',
        explanation: 'INVALID packets belong to no connection (stray or forged); the hardening checklist drops them before any accept.',
        suggestion: 'iptables -I INPUT 2 -m conntrack --ctstate INVALID -j DROP',
      }, invalid, 'input');
    }
    this.checkDefaultAccept();
    return this.out;
  }

  private checkFamilies(input: HookSets): void {
    const { bdd } = this.ctx.space;
    const sp = this.ctx.space;
    const filtered = (f: Family): boolean => bdd.and(sp.family(f), input.mayBlock) !== FALSE;
    const open = (f: Family): number => bdd.diff(bdd.and(sp.family(f), sp.valid), input.accepted) === FALSE ? bdd.and(sp.family(f), sp.valid) : FALSE;
    for (const [f, other, code] of [['ipv4', 'ipv6', 'lint/ipv6-unfiltered'], ['ipv6', 'ipv4', 'lint/ipv4-unfiltered']] as const) {
      if (!filtered(f) || open(other) === FALSE) continue;
      const given = this.filtered('input', other);
      this.report({
        code, severity: given ? 'warning' : 'info',
        message: given ? `${f} is filtered but ${other} accepts everything` : `${f} is filtered, but the input has no ${other} rules: if the host has ${other}, it is unfiltered`,
        explanation: `A host reachable over ${other} with no ${other} filtering exposes every service the ${f} rules protect.`,
        suggestion: other === 'ipv6' ? 'give ip6tables a policy and rules that mirror the IPv4 ones' : 'give iptables a policy and rules that mirror the IPv6 ones',
      }, open(other), 'input');
    }
  }

  private checkPorts(input: HookSets, fams: Family[]): void {
    const { bdd, enc } = this.ctx.space;
    const sp = this.ctx.space;
    const f = sp.layout.fields;
    const notLo = bdd.not(enc.oneOf('iif', [sp.layout.iif.classOf('lo')]));
    const public4 = bdd.and(sp.v4, bdd.not(enc.inIntervals('src4', NON_PUBLIC4)));
    const public6 = bdd.and(sp.v6, enc.range('src6', 0x2n << 124n, (0x4n << 124n) - 1n));
    const keep = new Set(['family', 'src4', 'dst4', 'src6', 'dst6']);
    const open = new Map<Family, { names: string[]; severity: Finding['severity']; set: number }>();
    for (const { port, name, severity } of ADMIN_PORTS) {
      const syn = bdd.andAll([sp.tcp, enc.eq('dport', port), enc.eq('ctstate', 0), enc.eq('tcpFlags', 0x02), notLo, input.accepted]);
      if (syn === FALSE) continue;
      const proj = sp.forget(syn, Object.values(f).filter((x) => !keep.has(x.name)).map((x) => x.name));
      for (const fam of fams) {
        const pub = fam === 'ipv4' ? public4 : public6;
        const src = fam === 'ipv4' ? f.src4 : f.src6;
        // Destinations every public source may reach.
        const dsts = bdd.forall(bdd.or(bdd.and(proj, sp.family(fam)), bdd.not(bdd.and(pub, sp.family(fam)))), src.start, src.start + src.width);
        const reach = bdd.andAll([dsts, sp.family(fam), syn, pub]);
        if (reach === FALSE) continue;
        const entry = open.get(fam) ?? { names: [], severity: 'info', set: reach };
        entry.names.push(`${name} (tcp/${port})`);
        if (severityRank(severity) < severityRank(entry.severity)) {
          entry.severity = severity;
          entry.set = reach;
        }
        open.set(fam, entry);
      }
      if (port === 22) {
        const unlimited = bdd.and(syn, bdd.or(public4, public6));
        if (unlimited !== FALSE) {
          this.report({
            code: 'lint/ssh-no-rate-limit', severity: 'info', message: 'SSH is accepted without a rate limit',
            explanation: 'The hardening checklist rate-limits new SSH connections (or uses fail2ban) against password guessing.',
            suggestion: 'iptables -I INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 -j DROP',
          }, unlimited, 'input');
        }
      }
    }
    for (const [fam, o] of open) {
      this.report({
        code: 'lint/admin-port-open', severity: o.severity,
        message: `open to the whole internet${fam === 'ipv6' ? ' over IPv6' : ''}: ${o.names.join(', ')}`,
        explanation: `Every public ${fam} address may open a connection to these admin, database or cache services; they should be reachable only from trusted networks or a VPN.`,
        suggestion: 'restrict the sources: iptables -I INPUT -p tcp --dport PORT ! -s TRUSTED/NET -j DROP',
      }, o.set, 'input');
    }
  }

  private checkDefaultAccept(): void {
    const { bdd } = this.ctx.space;
    for (const family of ['ipv4', 'ipv6'] as Family[]) {
      for (const pc of this.ctx.sym.prepared.plan('input', family).chains) {
        if (pc.chain.base?.policy !== 'accept' || pc.chain.base.type !== 'filter') continue;
        const ret = bdd.andAll([this.ctx.sym.summary(pc, false).ret, this.ctx.entryOf(pc), this.ctx.space.family(family)]);
        if (ret === FALSE) continue;
        const w = witness(this.ctx.space, ret, 'input', { iif: 'eth0' });
        this.out.push({
          code: 'lint/default-accept-input', severity: 'warning', rule: this.ctx.chainRule(pc), location: this.ctx.chainLocation(pc), related: [],
          message: `${pc.table.name}/${pc.chain.name} (${family}) falls through to policy ACCEPT`,
          explanation: 'The hardening checklist starts from default deny: packets no rule mentions should be dropped, not accepted.',
          suggestion: `${family === 'ipv4' ? 'iptables' : 'ip6tables'} -P ${pc.chain.name} DROP (after accepting what must stay reachable)`,
          ...(w !== undefined ? { witness: w } : {}),
        });
      }
    }
  }
}

export function checkHardening(ctx: LintContext): Finding[] {
  return new Hardening(ctx).run();
}
