/**
 * Reduced ordered binary decision diagrams in typed arrays (the representation Batfish uses for
 * header spaces). Nodes are hash-consed, so two sets are equal exactly when their node ids are
 * equal, and emptiness is `id === FALSE`: both O(1). Node 0 is the empty set, node 1 the full one.
 * Variables are numbered from 0 (top of the order); terminals carry the variable `nvars`.
 * A node is three consecutive ints (variable, low, high) of one array, so that the hash-consing
 * probe and the recursions read one cache line per node. The binary operations and the tests that
 * build nothing (`intersects`, `implies` and their three-set forms) are memoised in direct-mapped
 * caches: a lost entry costs a recomputation, never a wrong answer.
 * There is no garbage collection: a manager lives as long as one analysis.
 */

export const FALSE = 0;
export const TRUE = 1;

const AND = 0;
const OR = 1;
const XOR = 2;
const DIFF = 3;
/** Cached tests: a ∩ b ≠ ∅, and a ∖ b ≠ ∅ (results 0 / 1). */
const MEETS = 4;
const MEETS_NOT = 5;

/** A well-mixed 32-bit hash of three ids (the low bits of plain products depend on low bits only). */
function mix3(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

/**
 * Largest operation cache (entries of four ints): 256K entries, 4 MiB. Larger caches were measured
 * to save nothing (most hits come from within one operation) and cost their allocation.
 */
const MAX_CACHE = 1 << 18;

export class Bdd {
  /** Node x is nodes[3x] (variable), nodes[3x + 1] (low), nodes[3x + 2] (high). */
  private nodes: Int32Array;
  private n = 2;
  private table: Int32Array;
  private tmask: number;
  /** Binary operations and two-set tests: a, b, op, result. */
  private cache: Int32Array;
  private cmask: number;
  /** Three-set tests: a, b, c (bitwise not of c for `a ∩ b ∖ c`), result. */
  private cache3: Int32Array;
  private c3mask: number;

  constructor(readonly nvars: number, capacity = 1 << 16) {
    this.nodes = new Int32Array(capacity * 3);
    this.nodes.set([nvars, 0, 0, nvars, 1, 1]);
    this.table = new Int32Array(capacity * 2);
    this.tmask = capacity * 2 - 1;
    const cacheSize = Math.min(MAX_CACHE, capacity);
    // Zero-filled as allocated: an empty entry has operand 0, and no operation ever looks up FALSE.
    this.cache = new Int32Array(cacheSize * 4);
    this.cmask = cacheSize - 1;
    this.cache3 = new Int32Array(cacheSize);
    this.c3mask = cacheSize / 4 - 1;
  }

  /** Number of nodes allocated so far (a memory figure). */
  get nodeCount(): number {
    return this.n;
  }

  varOf(x: number): number {
    return this.nodes[3 * x] as number;
  }

  low(x: number): number {
    return this.nodes[3 * x + 1] as number;
  }

  high(x: number): number {
    return this.nodes[3 * x + 2] as number;
  }

  /** The node (var ? hi : lo), reduced and shared. */
  mk(v: number, lo: number, hi: number): number {
    if (lo === hi) return lo;
    const nodes = this.nodes;
    const table = this.table;
    const mask = this.tmask;
    let i = mix3(v, lo, hi) & mask;
    for (;;) {
      const id = table[i] as number;
      if (id === 0) break;
      const k = 3 * id;
      if (nodes[k] === v && nodes[k + 1] === lo && nodes[k + 2] === hi) return id;
      i = (i + 1) & mask;
    }
    if (3 * this.n >= nodes.length) {
      this.grow();
      return this.mk(v, lo, hi);
    }
    const id = this.n++;
    const k = 3 * id;
    nodes[k] = v;
    nodes[k + 1] = lo;
    nodes[k + 2] = hi;
    table[i] = id;
    return id;
  }

  private grow(): void {
    const cap = (this.nodes.length / 3) * 2;
    const nodes = new Int32Array(cap * 3);
    nodes.set(this.nodes);
    this.nodes = nodes;
    const table = new Int32Array(cap * 2);
    const mask = cap * 2 - 1;
    for (let id = 2; id < this.n; id++) {
      const k = 3 * id;
      let i = mix3(nodes[k] as number, nodes[k + 1] as number, nodes[k + 2] as number) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = id;
    }
    this.table = table;
    this.tmask = mask;
    // The caches keep their entries (node ids stay valid) and grow with the nodes, up to MAX_CACHE.
    if (cap <= MAX_CACHE && cap > this.cmask + 1) {
      const old = this.cache;
      const cache = new Int32Array(cap * 4);
      const cmask = cap - 1;
      for (let k = 0; k < old.length; k += 4) {
        if (old[k] === 0) continue;
        const s = (mix3(old[k] as number, old[k + 1] as number, old[k + 2] as number) & cmask) * 4;
        cache[s] = old[k] as number;
        cache[s + 1] = old[k + 1] as number;
        cache[s + 2] = old[k + 2] as number;
        cache[s + 3] = old[k + 3] as number;
      }
      this.cache = cache;
      this.cmask = cmask;
      this.cache3 = new Int32Array(cap);
      this.c3mask = cap / 4 - 1;
    }
  }

  /**
   * The node (top ? hi : lo) for an operation on a and b: when it is one of the operands (the
   * operation changed nothing below), that operand, without a probe of the unique table.
   */
  private join(top: number, a: number, b: number, lo: number, hi: number): number {
    const N = this.nodes;
    if (N[3 * a] === top && N[3 * a + 1] === lo && N[3 * a + 2] === hi) return a;
    if (N[3 * b] === top && N[3 * b + 1] === lo && N[3 * b + 2] === hi) return b;
    return this.mk(top, lo, hi);
  }

  /** The topmost variable of two nodes. */
  private top2(a: number, b: number): number {
    const va = this.nodes[3 * a] as number;
    const vb = this.nodes[3 * b] as number;
    return va < vb ? va : vb;
  }

  /** The cofactor of node x for variable `top` = 0 (x itself when x does not test `top`). */
  private low0(x: number, top: number): number {
    return this.nodes[3 * x] === top ? (this.nodes[3 * x + 1] as number) : x;
  }

  /** The cofactor of node x for variable `top` = 1. */
  private high1(x: number, top: number): number {
    return this.nodes[3 * x] === top ? (this.nodes[3 * x + 2] as number) : x;
  }

  /** The cached result of (op, a, b), or -1. */
  private lookup(op: number, a: number, b: number): number {
    const s = (mix3(a, b, op) & this.cmask) * 4;
    const c = this.cache;
    return c[s] === a && c[s + 1] === b && c[s + 2] === op ? (c[s + 3] as number) : -1;
  }

  private store(op: number, a: number, b: number, r: number): number {
    const s = (mix3(a, b, op) & this.cmask) * 4;
    const c = this.cache;
    c[s] = a;
    c[s + 1] = b;
    c[s + 2] = op;
    c[s + 3] = r;
    return r;
  }

  and(a: number, b: number): number {
    return this.apply(AND, a, b);
  }

  or(a: number, b: number): number {
    return this.apply(OR, a, b);
  }

  xor(a: number, b: number): number {
    return this.apply(XOR, a, b);
  }

  /** a ∖ b */
  diff(a: number, b: number): number {
    return this.apply(DIFF, a, b);
  }

  private apply(op: number, a: number, b: number): number {
    switch (op) {
      case AND:
        if (a === FALSE || b === FALSE) return FALSE;
        if (a === TRUE || a === b) return b;
        if (b === TRUE) return a;
        break;
      case OR:
        if (a === TRUE || b === TRUE) return TRUE;
        if (a === FALSE || a === b) return b;
        if (b === FALSE) return a;
        break;
      case XOR:
        if (a === b) return FALSE;
        if (a === FALSE) return b;
        if (b === FALSE) return a;
        break;
      default:
        if (a === FALSE || b === TRUE || a === b) return FALSE;
        if (b === FALSE) return a;
        if (a === TRUE) return this.apply(XOR, TRUE, b);
        break;
    }
    if (op !== DIFF && a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const hit = this.lookup(op, a, b);
    if (hit >= 0) return hit;
    const top = this.top2(a, b);
    return this.store(op, a, b, this.join(top, a, b, this.apply(op, this.low0(a, top), this.low0(b, top)), this.apply(op, this.high1(a, top), this.high1(b, top))));
  }

  not(a: number): number {
    return this.xor(TRUE, a);
  }

  andAll(xs: readonly number[]): number {
    let r = TRUE;
    for (const x of xs) {
      r = this.and(r, x);
      if (r === FALSE) break;
    }
    return r;
  }

  orAll(xs: readonly number[]): number {
    let r = FALSE;
    for (const x of xs) r = this.or(r, x);
    return r;
  }

  /** a ⊆ b, decided without building a ∖ b: stops at the first counterexample. */
  implies(a: number, b: number): boolean {
    return !this.meets(a, b, true);
  }

  /** a ∩ b ≠ ∅, decided without building a ∩ b: stops at the first common member. */
  intersects(a: number, b: number): boolean {
    return this.meets(a, b, false);
  }

  /** Some point lies in a and in b (or, when `negB`, in a and not in b). */
  private meets(a: number, b: number, negB: boolean): boolean {
    if (a === FALSE) return false;
    if (b === (negB ? TRUE : FALSE)) return false;
    if (b === (negB ? FALSE : TRUE)) return true;
    if (a === TRUE) return true; // b is not constant: both of its values occur
    if (a === b) return !negB;
    const op = negB ? MEETS_NOT : MEETS;
    if (!negB && a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const hit = this.lookup(op, a, b);
    if (hit >= 0) return hit === 1;
    const top = this.top2(a, b);
    const r = this.meets(this.low0(a, top), this.low0(b, top), negB) || this.meets(this.high1(a, top), this.high1(b, top), negB);
    this.store(op, a, b, r ? 1 : 0);
    return r;
  }

  /** a ∩ b ⊆ c, decided without building a ∩ b: stops at the first counterexample. */
  impliesBoth(a: number, b: number, c: number): boolean {
    return !this.meets3(a, b, c, true);
  }

  /** a ∩ b ∩ c ≠ ∅, decided without building any of the intersections. */
  intersectsAll(a: number, b: number, c: number): boolean {
    return this.meets3(a, b, c, false);
  }

  /** Some point lies in a, in b, and in c (or, when `negC`, not in c). */
  private meets3(a: number, b: number, c: number, negC: boolean): boolean {
    if (a === FALSE || b === FALSE) return false;
    if (a === TRUE) return this.meets(b, c, negC);
    if (b === TRUE || a === b) return this.meets(a, c, negC);
    if (c === (negC ? TRUE : FALSE)) return false;
    if (c === (negC ? FALSE : TRUE)) return this.meets(a, b, false);
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const key = negC ? ~c : c;
    const s = (mix3(a, b, key) & this.c3mask) * 4;
    let k = this.cache3;
    if (k[s] === a && k[s + 1] === b && k[s + 2] === key) return k[s + 3] === 1;
    const top = Math.min(this.top2(a, b), this.nodes[3 * c] as number);
    const r = this.meets3(this.low0(a, top), this.low0(b, top), this.low0(c, top), negC)
      || this.meets3(this.high1(a, top), this.high1(b, top), this.high1(c, top), negC);
    k = this.cache3;
    const t = (mix3(a, b, key) & this.c3mask) * 4;
    k[t] = a;
    k[t + 1] = b;
    k[t + 2] = key;
    k[t + 3] = r ? 1 : 0;
    return r;
  }

  /** if f then g else h. */
  ite(f: number, g: number, h: number): number {
    if (f === TRUE) return g;
    if (f === FALSE) return h;
    if (g === h) return g;
    if (g === TRUE && h === FALSE) return f;
    if (g === TRUE) return this.or(f, h);
    if (g === FALSE) return this.diff(h, f);
    if (h === FALSE) return this.and(f, g);
    if (h === TRUE) return this.or(this.not(f), g);
    return this.or(this.and(f, g), this.diff(h, f));
  }

  /**
   * Rebuilds a bottom-up, memoised, down to variable `to` (nodes below are kept as they are):
   * `node(v, x)` gives the result for a node x testing variable v, `go` recursing into children.
   */
  private rebuild(a: number, to: number, node: (v: number, x: number, go: (y: number) => number) => number): number {
    const memo = new Map<number, number>();
    const go = (x: number): number => {
      const v = this.varOf(x);
      if (v >= to) return x;
      const hit = memo.get(x);
      if (hit !== undefined) return hit;
      const r = node(v, x, go);
      memo.set(x, r);
      return r;
    };
    return go(a);
  }

  /** ∃ variables in [from, to): the projection that forgets them. */
  exists(a: number, from: number, to: number): number {
    return this.rebuild(a, to, (v, x, go) => {
      const l = go(this.low(x));
      const h = go(this.high(x));
      return v < from ? this.mk(v, l, h) : this.or(l, h);
    });
  }

  /** ∀ variables in [from, to). */
  forall(a: number, from: number, to: number): number {
    return this.not(this.exists(this.not(a), from, to));
  }

  /** Membership of a full assignment (one 0/1 per variable). */
  evaluate(a: number, bits: ArrayLike<number>): boolean {
    let x = a;
    while (x > TRUE) x = bits[this.varOf(x)] === 1 ? this.high(x) : this.low(x);
    return x === TRUE;
  }

  /** Nodes reachable from a (its size). */
  size(a: number): number {
    const seen = new Set<number>();
    const stack = [a];
    while (stack.length > 0) {
      const x = stack.pop() as number;
      if (x <= TRUE || seen.has(x)) continue;
      seen.add(x);
      stack.push(this.low(x), this.high(x));
    }
    return seen.size;
  }
}
