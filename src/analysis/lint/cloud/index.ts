/**
 * Cloud lint: findings about cloud layers, in the lint finding shape. Sets of packets come from the
 * header-space engine (one Space for every layer so that sets compare); the reply check of a
 * stateless NACL uses the simulator on a witness packet.
 */
import type { Packet } from '../../../model/packet.js';
import type { Chain, Rule, Ruleset } from '../../../model/ruleset.js';
import { prepare } from '../../simulate/index.js';
import { FALSE } from '../../space/bdd.js';
import { MatchCompiler } from '../../space/compile-match.js';
import { Space } from '../../space/space.js';
import { witness } from '../../space/witness.js';
import { type Finding, sortFindings } from '../finding.js';
import { CLOUD_FINDING_CODES, type CloudLintInput, type CloudLintLayer } from './types.js';

export * from './types.js';

const ADMIN_PORTS: readonly (readonly [number, string])[] = [
  [22, 'SSH'], [23, 'telnet'], [3389, 'RDP'], [5900, 'VNC'], [3306, 'MySQL'], [5432, 'PostgreSQL'], [1433, 'SQL Server'],
  [1521, 'Oracle'], [27017, 'MongoDB'], [6379, 'Redis'], [9200, 'Elasticsearch'], [11211, 'memcached'], [2379, 'etcd'], [9042, 'Cassandra'],
];

function overlaps(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === undefined || b === undefined || a.some((x) => b.includes(x));
}

/** Does rule `d` apply to every instance `r` applies to? */
function covers(targets: ReadonlyMap<Rule, readonly string[]> | undefined, d: Rule, r: Rule): boolean {
  const td = targets?.get(d);
  const tr = targets?.get(r);
  return td === undefined || tr === undefined || (tr.length > 0 && tr.every((x) => td.includes(x)));
}

function baseChain(rs: Ruleset): Chain | undefined {
  return rs.tables[0]?.chains.find((c) => c.base !== undefined);
}

/** Rules evaluated in order, user chains (GCP policies) inlined; jumps themselves dropped. */
function flatRules(rs: Ruleset): Rule[] {
  const t = rs.tables[0];
  const out: Rule[] = [];
  for (const r of baseChain(rs)?.rules ?? []) {
    if (r.action.kind === 'jump') out.push(...(t?.chains.find((c) => c.name === (r.action as { chain: string }).chain)?.rules ?? []));
    else out.push(r);
  }
  return out;
}

function where(r: Rule): Pick<Finding, 'location' | 'rule'> {
  const o = r.origin;
  return {
    ...(o.file !== '' ? { location: { file: o.file, line: o.line, column: o.column } } : {}),
    rule: { family: 'inet', table: String(o.native['table'] ?? ''), chain: '', text: o.text },
  };
}

function finding(code: keyof typeof CLOUD_FINDING_CODES, r: Rule | undefined, message: string, explanation: string, extra: Partial<Finding> = {}): Finding {
  return { code, severity: CLOUD_FINDING_CODES[code].severity, message, explanation, related: [], ...(r !== undefined ? where(r) : {}), ...extra };
}

class Ctx {
  readonly sp: Space;
  readonly mc: MatchCompiler;
  constructor(input: CloudLintInput) {
    this.sp = new Space(input.layers.flatMap((l) => [l.inbound, l.outbound]));
    this.mc = new MatchCompiler(this.sp, { early: false, markUnknown: false });
  }
  must(r: Rule): number { return this.mc.must(r.match); }
  may(r: Rule): number { return this.mc.may(r.match); }
  /** Forget destination and source port: "from every source to port p, whatever the destination". */
  forgetDst(x: number): number {
    const { bdd, layout } = this.sp;
    let y = x;
    for (const f of ['dst4', 'dst6', 'sport'] as const) {
      const fl = layout.fields[f];
      y = bdd.exists(y, fl.start, fl.start + fl.width);
    }
    return y;
  }
  /**
   * For each rule of an ordered list: packets that reach it. With per-rule targets (GCP), an earlier
   * rule only takes packets from a later one when both apply to a common instance.
   */
  reach(rules: readonly Rule[], ordered: boolean, targets?: ReadonlyMap<Rule, readonly string[]>): number[] {
    const { bdd } = this.sp;
    if (!ordered) return rules.map(() => this.sp.valid);
    return rules.map((r, i) => {
      let rem = this.sp.valid;
      for (const e of rules.slice(0, i)) {
        if (e.action.kind !== 'accept' && e.action.kind !== 'drop') continue;
        if (targets !== undefined && !overlaps(targets.get(e), targets.get(r))) continue;
        rem = bdd.diff(rem, this.must(e));
      }
      return rem;
    });
  }
  /** Packets a layer's inbound rules accept. */
  accepted(l: CloudLintLayer): number {
    const { bdd } = this.sp;
    const rules = flatRules(l.inbound);
    const reach = this.reach(rules, l.ordered);
    let acc = FALSE;
    rules.forEach((r, i) => { if (r.action.kind === 'accept') acc = bdd.or(acc, bdd.and(reach[i] as number, this.must(r))); });
    return acc;
  }
}

function adminPorts(c: Ctx, l: CloudLintLayer): Finding[] {
  const { bdd, enc } = c.sp;
  const out: Finding[] = [];
  const rules = flatRules(l.inbound);
  const reach = c.reach(rules, l.ordered, l.ruleTargets);
  rules.forEach((r, i) => {
    if (r.action.kind !== 'accept') return;
    const m = c.forgetDst(bdd.and(reach[i] as number, c.must(r)));
    for (const [port, what] of ADMIN_PORTS) {
      for (const fam of [c.sp.v4, c.sp.v6]) {
        const world = bdd.andAll([c.sp.valid, fam, c.sp.tcp, enc.eq('dport', port)]);
        if (!bdd.implies(world, m)) continue;
        const targets = l.ruleTargets?.get(r) ?? l.targets;
        out.push(finding('lint/cloud-admin-port-open', r,
          `${l.name}: ${what} (tcp ${port}) is open to ${fam === c.sp.v4 ? '0.0.0.0/0' : '::/0'}; exposed: ${targets.join(', ') || 'no instance'}`,
          'Admin and database ports reachable from the whole internet are scanned and brute-forced within minutes.',
          { suggestion: 'restrict the source to the addresses that need it (office, VPN, bastion) or use a private path' }));
        return;
      }
    }
  });
  return out;
}

function naclEphemeral(c: Ctx, l: CloudLintLayer): Finding[] {
  if (!l.stateless) return [];
  const { bdd, enc } = c.sp;
  const out: Finding[] = [];
  const sim = prepare(l.outbound);
  const rules = flatRules(l.inbound);
  const reach = c.reach(rules, true);
  rules.forEach((r, i) => {
    if (r.action.kind !== 'accept') return;
    const set = bdd.andAll([reach[i] as number, c.must(r), c.sp.tcp, bdd.not(enc.range('dport', 32768, 65535))]);
    const w = witness(c.sp, set, 'input');
    if (w === undefined || w.dport === undefined) return;
    const reply: Packet = { ...w, src: w.dst, dst: w.src, sport: w.dport, dport: 50000, tcpFlags: 0x12, hook: 'output', ctstate: 'established' };
    const t = sim.simulate(reply);
    if (t.verdict === 'accept') return;
    const by = t.steps.find((s) => s.result === 'match' && s.action !== undefined)?.text ?? 'the default deny';
    out.push(finding('lint/cloud-nacl-no-ephemeral', r,
      `${l.name} lets tcp ${w.dport} in but its replies to the client's ephemeral ports (e.g. 50000) are denied by ${by}`,
      'Network ACLs are stateless: the reply of an allowed connection is evaluated by the outbound entries, with the client\'s ephemeral port as destination. Without an entry for 1024-65535 (or 32768-65535) the connection is one-way and times out.',
      { witness: w, suggestion: 'add an outbound allow entry for tcp 1024-65535 to the clients\' range' }));
  });
  return out;
}

function denyShadows(c: Ctx, l: CloudLintLayer): Finding[] {
  if (!l.ordered) return [];
  const { bdd } = c.sp;
  const out: Finding[] = [];
  for (const rs of [l.inbound, l.outbound]) {
    const rules = flatRules(rs);
    let denied = FALSE;
    const denies: Rule[] = [];
    for (const r of rules) {
      const m = c.must(r);
      if (r.action.kind === 'drop') { denies.push(r); continue; }
      if (r.action.kind !== 'accept' || m === FALSE || bdd.and(m, c.sp.valid) === FALSE) continue;
      denied = FALSE;
      for (const d of denies) if (covers(l.ruleTargets, d, r)) denied = bdd.or(denied, c.must(d));
      if (bdd.implies(bdd.and(m, c.sp.valid), denied)) {
        const covering = denies.filter((d) => covers(l.ruleTargets, d, r) && bdd.intersects(c.must(d), m));
        out.push(finding('lint/cloud-deny-shadows-allow', r, `${l.name}: this allow rule never takes effect: deny rules of higher priority match every packet it matches`,
          'Rules are evaluated by priority and the first match decides: the allow comes too late.',
          { related: covering.map((d) => ({ message: 'higher-priority deny', rule: { family: 'inet', table: '', chain: '', text: d.origin.text }, ...(d.origin.file !== '' ? { location: { file: d.origin.file, line: d.origin.line, column: d.origin.column } } : {}) })),
            suggestion: 'give the allow rule a lower priority number than the deny, or narrow the deny' }));
      }
    }
  }
  return out;
}

function noTargets(l: CloudLintLayer): Finding[] {
  const out: Finding[] = [];
  if (l.targets.length === 0) {
    const any = flatRules(l.inbound)[0] ?? flatRules(l.outbound)[0];
    out.push(finding('lint/cloud-no-target', undefined, `${l.name} applies to no instance`, 'A group or NSG attached to nothing filters nothing: a leftover, or attached to the wrong resource.',
      any !== undefined && any.origin.file !== '' ? { location: { file: any.origin.file, line: any.origin.line, column: any.origin.column } } : {}));
  }
  for (const [r, ts] of l.ruleTargets ?? []) {
    if (ts.length === 0) out.push(finding('lint/cloud-no-target', r, `${l.name}: rule targets no instance`, 'Its target tags or service accounts match no instance in the export: a typo, or a leftover.'));
  }
  return out;
}

function deadAcrossPath(c: Ctx, input: CloudLintInput): Finding[] {
  const { bdd } = c.sp;
  const out: Finding[] = [];
  const seen = new Set<Rule>();
  for (const p of input.paths) {
    let passed = c.sp.valid;
    for (const l of p.layers) {
      const rules = flatRules(l.inbound);
      const reach = c.reach(rules, l.ordered, l.ruleTargets);
      rules.forEach((r, i) => {
        if (r.action.kind !== 'accept' || seen.has(r)) return;
        const lets = bdd.and(reach[i] as number, c.must(r));
        if (lets === FALSE || bdd.and(lets, c.sp.valid) === FALSE || bdd.intersects(lets, passed)) return;
        seen.add(r);
        out.push(finding('lint/cloud-dead-across-path', r, `${l.name}: for ${p.name} every packet this rule allows is blocked by an earlier layer on the path`,
          'Layers combine: a packet must pass every layer in front of the instance, so this rule can never let anything in for it.',
          { suggestion: 'open the earlier layer too, or remove the rule' }));
      });
      passed = bdd.and(passed, c.accepted(l));
    }
  }
  return out;
}

export function lintCloud(input: CloudLintInput, opts: { readonly disable?: readonly string[] } = {}): Finding[] {
  const off = new Set((opts.disable ?? []).map((x) => (x.startsWith('lint/') ? x : `lint/${x}`)));
  const c = new Ctx(input);
  const all: Finding[] = [];
  for (const l of input.layers) all.push(...adminPorts(c, l), ...naclEphemeral(c, l), ...denyShadows(c, l), ...noTargets(l));
  all.push(...deadAcrossPath(c, input));
  return sortFindings(all.filter((f) => !off.has(f.code)));
}
