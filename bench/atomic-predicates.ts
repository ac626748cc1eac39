/**
 * A prototype of the alternative to BDD sets that issue 6 names: atomic predicates (Yang & Lam).
 * The atoms are the coarsest partition of the header space that every rule's match respects; each
 * match becomes the bitset of the atoms inside it, and the chain walk becomes bitset operations.
 * Atoms are computed by refinement with the same BDD manager (as in the paper): every predicate
 * splits every atom it cuts. Only here to measure the choice (docs/space.md); not in the product.
 */
import type { Hook, Ruleset } from '../src/model/ruleset.js';
import { FALSE, TRUE } from '../src/analysis/space/bdd.js';
import { Space } from '../src/analysis/space/space.js';
import { SymbolicRuleset } from '../src/analysis/space/walk.js';
import type { PreparedChain } from '../src/analysis/simulate/index-ruleset.js';

class Bits {
  readonly w: Uint32Array;
  constructor(n: number) {
    this.w = new Uint32Array((n + 31) >>> 5);
  }
  static of(n: number, atoms: Iterable<number>): Bits {
    const b = new Bits(n);
    for (const a of atoms) b.w[a >>> 5] = (b.w[a >>> 5] as number) | (1 << (a & 31));
    return b;
  }
  map2(o: Bits, f: (x: number, y: number) => number): Bits {
    const r = new Bits(0);
    (r as { w: Uint32Array }).w = this.w.map((x, i) => f(x, o.w[i] as number) >>> 0);
    return r;
  }
  count(): number {
    let c = 0;
    for (let x of this.w) for (; x !== 0; x &= x - 1) c++;
    return c;
  }
}

export interface ApResult {
  readonly atoms: number;
  readonly predicates: number;
  readonly acceptedAtoms: number;
  /** False when the refinement hit the time budget before every predicate was applied (no walk then). */
  readonly complete: boolean;
  readonly atomsMs: number;
  readonly walkMs: number;
}

/** Atoms of the rule matches of the chains a hook runs (with the chains they jump to), then the accepted set. */
export function atomicPredicates(rs: Ruleset, hook: Hook, budgetMs: number): ApResult {
  const sp = new Space([rs]);
  const sym = new SymbolicRuleset(sp, rs);
  const { bdd } = sp;
  const chains: PreparedChain[] = [];
  const visit = (pc: PreparedChain): void => {
    if (chains.includes(pc)) return;
    chains.push(pc);
    for (const pr of pc.rules) {
      const a = pr.rule.action;
      if (a.kind === 'jump' || a.kind === 'goto') {
        const t = sym.prepared.findChain(pc.table, a.chain);
        if (t !== undefined) visit(t);
      }
    }
  };
  for (const pc of sym.prepared.plan(hook, 'ipv4').chains) visit(pc);
  const preds = new Map<number, number>();
  const must = (pc: PreparedChain, i: number): number => sym.compiler(false).rule((pc.rules[i] as PreparedChain['rules'][number]).rule.match).h;
  for (const pc of chains) pc.rules.forEach((_, i) => preds.set(must(pc, i), preds.size));
  const start = performance.now();
  let atoms = [bdd.and(sp.valid, sp.v4)];
  let complete = true;
  for (const p of preds.keys()) {
    if (p === TRUE || p === FALSE) continue;
    if (performance.now() - start > budgetMs) {
      complete = false;
      break;
    }
    const next: number[] = [];
    for (const a of atoms) {
      const x = bdd.and(a, p);
      if (x === FALSE || x === a) next.push(a);
      else next.push(x, bdd.diff(a, x));
    }
    atoms = next;
  }
  const atomsMs = performance.now() - start;
  const n = atoms.length;
  if (!complete) return { atoms: n, predicates: preds.size, acceptedAtoms: -1, complete, atomsMs, walkMs: 0 };
  const w0 = performance.now();
  // Each predicate as the atoms inside it (an atom is inside or outside: it is never cut).
  const setOf = (p: number): Bits => Bits.of(n, atoms.flatMap((a, i) => (bdd.intersects(a, p) ? [i] : [])));
  const all = Bits.of(n, atoms.map((_, i) => i));
  const none = new Bits(n);
  const summaries = new Map<PreparedChain, { acc: Bits; blk: Bits; ret: Bits }>();
  const walk = (pc: PreparedChain, entry: Bits): { acc: Bits; blk: Bits; ret: Bits } => {
    let r = entry;
    let acc = none;
    let blk = none;
    let ret = none;
    pc.rules.forEach((pr, i) => {
      const m = setOf(must(pc, i));
      const x = r.map2(m, (a, b) => a & b);
      const a = pr.rule.action;
      if (a.kind === 'accept') acc = acc.map2(x, (p, q) => p | q);
      else if (a.kind === 'drop' || a.kind === 'reject') blk = blk.map2(x, (p, q) => p | q);
      else if (a.kind === 'return') ret = ret.map2(x, (p, q) => p | q);
      else if (a.kind === 'jump' || a.kind === 'goto') {
        const t = sym.prepared.findChain(pc.table, a.chain);
        if (t === undefined) return;
        const s = summaries.get(t) ?? walk(t, all);
        summaries.set(t, s);
        acc = acc.map2(x.map2(s.acc, (p, q) => p & q), (p, q) => p | q);
        blk = blk.map2(x.map2(s.blk, (p, q) => p & q), (p, q) => p | q);
        const back = x.map2(s.ret, (p, q) => p & q);
        if (a.kind === 'goto') ret = ret.map2(back, (p, q) => p | q);
        r = r.map2(x, (p, q) => p & ~q).map2(a.kind === 'jump' ? back : none, (p, q) => p | q);
        return;
      } else return;
      r = r.map2(m, (p, q) => p & ~q);
    });
    return { acc, blk, ret: ret.map2(r, (p, q) => p | q) };
  };
  let accepted = all;
  for (const pc of sym.prepared.plan(hook, 'ipv4').chains) {
    const s = walk(pc, all);
    const ok = pc.chain.base?.policy === 'drop' ? s.acc : s.acc.map2(s.ret, (p, q) => p | q);
    accepted = accepted.map2(ok, (p, q) => p & q);
  }
  return { atoms: n, predicates: preds.size, acceptedAtoms: accepted.count(), complete, atomsMs, walkMs: performance.now() - w0 };
}
