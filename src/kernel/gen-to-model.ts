/**
 * A generated ruleset straight into the vendor-neutral model, without the iptables parser. The
 * differential harness can then check the simulator alone ("ast" mode) as well as the whole chain
 * of parser + converter + simulator ("text" mode): a disagreement in text mode that ast mode does
 * not show points at the parser.
 *
 * The meaning of each option is iptables' (see iptables-extensions(8)); the kernel checks it.
 */
import { cidrSet, rangeSet } from '../model/address.js';
import { type Action, type Effect, type RejectWith, ACCEPT, CONTINUE, DROP, RETURN, goTo, jump, reject } from '../model/action.js';
import { type CtState, type Match, ANY, NONE, and, bits, ctstate, eq, iface, negateIf, num, or, protocol } from '../model/match.js';
import type { Chain, Rule, Ruleset, Table, TableFamily } from '../model/ruleset.js';
import { type GenMatch, type GenRuleset, type GenTarget, printRule } from './gen-syntax.js';

const PROTO_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, 'ipv6-icmp': 58, esp: 50 };

const REJECT_CODES: Readonly<Record<string, RejectWith>> = {
  'icmp-net-unreachable': { kind: 'icmp', code: 0, name: 'icmp-net-unreachable' },
  'icmp-host-unreachable': { kind: 'icmp', code: 1, name: 'icmp-host-unreachable' },
  'icmp-proto-unreachable': { kind: 'icmp', code: 2, name: 'icmp-proto-unreachable' },
  'icmp-port-unreachable': { kind: 'icmp', code: 3, name: 'icmp-port-unreachable' },
  'icmp-net-prohibited': { kind: 'icmp', code: 9, name: 'icmp-net-prohibited' },
  'icmp-host-prohibited': { kind: 'icmp', code: 10, name: 'icmp-host-prohibited' },
  'icmp-admin-prohibited': { kind: 'icmp', code: 13, name: 'icmp-admin-prohibited' },
  'icmp6-no-route': { kind: 'icmpv6', code: 0, name: 'icmp6-no-route' },
  'icmp6-adm-prohibited': { kind: 'icmpv6', code: 1, name: 'icmp6-adm-prohibited' },
  'icmp6-addr-unreachable': { kind: 'icmpv6', code: 3, name: 'icmp6-addr-unreachable' },
  'icmp6-port-unreachable': { kind: 'icmpv6', code: 4, name: 'icmp6-port-unreachable' },
  'icmp6-policy-fail': { kind: 'icmpv6', code: 5, name: 'icmp6-policy-fail' },
  'icmp6-reject-route': { kind: 'icmpv6', code: 6, name: 'icmp6-reject-route' },
  'tcp-reset': { kind: 'tcp-reset', code: 0, name: 'tcp-reset' },
};

function ports(field: 'sport' | 'dport', r: { lo: number; hi: number }): Match {
  return num(field, [r.lo, r.hi]);
}

export function genMatchToModel(m: GenMatch, rs: GenRuleset): Match {
  const f = rs.family;
  switch (m.kind) {
    case 'addr': return negateIf(m.neg, { kind: 'addr', field: m.dir === 's' ? 'src' : 'dst', set: cidrSet({ family: f, value: m.value, length: m.len }) });
    case 'iface': {
      const wildcard = m.name.endsWith('+');
      return negateIf(m.neg, iface('in', wildcard ? m.name.slice(0, -1) : m.name, wildcard));
    }
    case 'proto': return negateIf(m.neg, protocol(typeof m.proto === 'number' ? m.proto : (PROTO_NUMBERS[m.proto] as number)));
    case 'l4': {
      const parts: Match[] = [];
      if (m.sport) parts.push(negateIf(m.sport.neg, ports('sport', m.sport)));
      if (m.dport) parts.push(negateIf(m.dport.neg, ports('dport', m.dport)));
      if (m.flags) parts.push(negateIf(m.flags.neg, bits('tcpFlags', m.flags.mask, m.flags.comp)));
      return and(...parts);
    }
    case 'multiport': {
      const s = num('sport', ...m.items);
      const d = num('dport', ...m.items);
      const inner = m.which === 'sports' ? s : m.which === 'dports' ? d : or(s, d);
      return negateIf(m.neg, inner);
    }
    case 'iprange': {
      const parts: Match[] = [];
      if (m.src) parts.push(negateIf(m.src.neg, { kind: 'addr', field: 'src', set: rangeSet(f, m.src.lo, m.src.hi) }));
      if (m.dst) parts.push(negateIf(m.dst.neg, { kind: 'addr', field: 'dst', set: rangeSet(f, m.dst.lo, m.dst.hi) }));
      return and(...parts);
    }
    case 'ctstate': return negateIf(m.neg, ctstate(...m.states.map((s) => s.toLowerCase() as CtState)));
    case 'icmp': {
      if (m.type === undefined) return m.neg ? NONE : ANY;
      const t = eq('icmpType', m.type);
      return negateIf(m.neg, m.code === undefined ? t : and(t, eq('icmpCode', m.code)));
    }
    case 'length': return negateIf(m.neg, num('length', [m.lo, m.hi]));
    case 'ttl': {
      const r: [number, number] = m.op === 'eq' ? [m.value, m.value] : m.op === 'lt' ? [0, m.value - 1] : [m.value + 1, 255];
      return negateIf(m.neg, r[0] > r[1] ? NONE : num('ttl', r));
    }
    case 'tos': return negateIf(m.neg, bits('tos', m.mask, m.value));
    case 'dscp': return negateIf(m.neg, eq('dscp', m.value));
    case 'mark': return negateIf(m.neg, bits('mark', m.mask, m.value));
    case 'comment': return ANY;
  }
}

function targetToModel(t: GenTarget): { action: Action; effects: Effect[] } {
  switch (t.kind) {
    case 'ACCEPT': return { action: ACCEPT, effects: [] };
    case 'DROP': return { action: DROP, effects: [] };
    case 'RETURN': return { action: RETURN, effects: [] };
    case 'REJECT': {
      const w = REJECT_CODES[t.with];
      if (!w) throw new Error(`gen-to-model: unknown reject type ${t.with}`);
      return { action: reject(w), effects: [] };
    }
    case 'LOG': return { action: CONTINUE, effects: [{ kind: 'log', name: 'LOG', prefix: t.prefix, text: `-j LOG --log-prefix "${t.prefix}"` }] };
    case 'jump': return { action: jump(t.chain), effects: [] };
    case 'goto': return { action: goTo(t.chain), effects: [] };
    case 'none': return { action: CONTINUE, effects: [] };
  }
}

/** The model Ruleset of a generated ruleset (table `filter`, family ip or ip6). */
export function genToModel(rs: GenRuleset, file = 'generated.rules'): Ruleset {
  const family: TableFamily = rs.family === 'ipv4' ? 'ip' : 'ip6';
  const origin = (text: string, line: number, native: Record<string, string | number> = {}): Rule['origin'] =>
    ({ dialect: 'iptables', file, line, column: 1, text, native });
  let line = 3 + rs.chains.length; // *filter, three built-in chains, the user chains; then the rules
  const chains: Chain[] = rs.chains.map((c) => {
    const rules: Rule[] = c.rules.map((r, i) => {
      line += 1;
      const text = printRule(c.name, r, rs.family);
      const comment = r.matches.find((m) => m.kind === 'comment');
      const { action, effects } = targetToModel(r.target);
      return {
        match: and(...r.matches.map((m) => genMatchToModel(m, rs))),
        effects,
        action,
        ...(comment && comment.kind === 'comment' ? { comment: comment.text } : {}),
        origin: origin(text, line, { table: 'filter', chain: c.name, index: i + 1 }),
      };
    });
    const base = c.name === 'INPUT' ? { base: { hook: 'input' as const, priority: 0, type: 'filter' as const, policy: rs.policy === 'ACCEPT' ? 'accept' as const : 'drop' as const } } : {};
    return { name: c.name, rules, origin: origin(`:${c.name}`, 0), ...base };
  });
  const builtin = (name: 'FORWARD' | 'OUTPUT'): Chain => ({
    name, rules: [], origin: origin(`:${name} ACCEPT`, 0),
    base: { hook: name === 'FORWARD' ? 'forward' : 'output', priority: 0, type: 'filter', policy: 'accept' },
  });
  const table: Table = { family, name: 'filter', source: 'iptables', chains: [chains[0] as Chain, builtin('FORWARD'), builtin('OUTPUT'), ...chains.slice(1)], origin: origin('*filter', 1) };
  return { tables: [table] };
}
