/**
 * Input interfaces rewritten to the source addresses they carry, as fffuu's `iface_try_rewrite`
 * does (Diekmann et al., Interface_Replace.thy). When the assignment is disjoint (no two interfaces
 * share an address) and names every interface the ruleset mentions, `-i X` is *replaced* by
 * `-s ranges(X)`; otherwise it is *constrained*: `-i X` becomes `-i X -s ranges(X)`. Interfaces the
 * assignment does not name (and wildcards such as `eth+`, which fffuu looks up literally) stay as
 * they are. Only IPv4 packets are rewritten: the assignment holds IPv4 ranges, so for IPv6 packets
 * the interface test is kept.
 */
import { addressSetOf } from '../../model/address.js';
import type { Action } from '../../model/action.js';
import { type Match, and, family, not, opaque, or, src } from '../../model/match.js';
import type { Rule, Ruleset } from '../../model/ruleset.js';
import type { Ipassmt, IpassmtEntry } from './ipassmt.js';

export type IpassmtMode = 'rewrite' | 'constrain';

export interface AppliedIpassmt {
  readonly ruleset: Ruleset;
  readonly mode: IpassmtMode;
  /** Why the assignment could not replace interfaces (empty in rewrite mode). */
  readonly reasons: readonly string[];
}

function overlaps(a: IpassmtEntry, b: IpassmtEntry): boolean {
  return a.ranges.some(([alo, ahi]) => b.ranges.some(([blo, bhi]) => alo <= bhi && blo <= ahi));
}

function collectIfaces(m: Match, out: Set<string>): void {
  switch (m.kind) {
    case 'iface': out.add(`${m.name}${m.wildcard ? '+' : ''}`); return;
    case 'and': case 'or': for (const x of m.items) collectIfaces(x, out); return;
    case 'not': collectIfaces(m.item, out); return;
    default: return;
  }
}

function rulesOf(rs: Ruleset): Rule[] {
  return rs.tables.flatMap((t) => t.chains.flatMap((c) => [...c.rules]));
}

/** fffuu's two sanity conditions for replacing interfaces: disjoint, and every interface defined. */
export function ipassmtMode(rs: Ruleset, a: Ipassmt): { mode: IpassmtMode; reasons: string[] } {
  const reasons: string[] = [];
  const shared: string[] = [];
  a.entries.forEach((x, i) => a.entries.slice(i + 1).forEach((y) => {
    if (overlaps(x, y)) shared.push(`${x.iface}/${y.iface}`);
  }));
  if (shared.length > 0) reasons.push(`interfaces share addresses (${shared.slice(0, 5).join(', ')}${shared.length > 5 ? ', …' : ''})`);
  const used = new Set<string>();
  for (const r of rulesOf(rs)) {
    collectIfaces(r.match, used);
    if (r.action.kind === 'dispatch') for (const c of r.action.cases) collectIfaces(c.match, used);
  }
  const known = new Set(a.entries.map((e) => e.iface));
  const missing = [...used].filter((n) => !known.has(n));
  if (missing.length > 0) reasons.push(`the ruleset names interfaces the assignment does not (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
  return { mode: reasons.length === 0 ? 'rewrite' : 'constrain', reasons };
}

export function applyIpassmt(rs: Ruleset, a: Ipassmt): AppliedIpassmt {
  const { mode, reasons } = ipassmtMode(rs, a);
  const byName = new Map(a.entries.map((e) => [e.iface, e]));
  const rewrite = (m: Match): Match => {
    switch (m.kind) {
      case 'iface': {
        const e = m.dir === 'in' && !m.wildcard ? byName.get(m.name) : undefined;
        const unknown = opaque('interface abstracted (fffuu: not replaced by the interface assignment)', `${m.dir === 'in' ? '-i' : '-o'} ${m.name}${m.wildcard ? '+' : ''}`);
        const v4 = e === undefined ? unknown
          : mode === 'rewrite' ? src(addressSetOf('ipv4', e.ranges)) : and(unknown, src(addressSetOf('ipv4', e.ranges)));
        return or(and(family('ipv4'), v4), and(family('ipv6'), m));
      }
      case 'and': return and(...m.items.map(rewrite));
      case 'or': return or(...m.items.map(rewrite));
      case 'not': return not(rewrite(m.item));
      default: return m;
    }
  };
  const action = (x: Action): Action => (x.kind === 'dispatch' ? { ...x, cases: x.cases.map((c) => ({ ...c, match: rewrite(c.match) })) } : x);
  const ruleset: Ruleset = {
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => ({ ...r, match: rewrite(r.match), action: action(r.action) })) })),
    })),
  };
  return { ruleset, mode, reasons };
}
