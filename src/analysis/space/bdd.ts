/**
 * Reduced ordered binary decision diagrams in typed arrays (the representation Batfish uses for
 * header spaces). Nodes are hash-consed, so two sets are equal exactly when their node ids are
 * equal, and emptiness is `id === FALSE`: both O(1). Node 0 is the empty set, node 1 the full one.
 * Variables are numbered from 0 (top of the order); terminals carry the variable `nvars`.
 * There is no garbage collection: a manager lives as long as one analysis.
 */

export const FALSE = 0;
export const TRUE = 1;

const AND = 0;
const OR = 1;
const XOR = 2;
const DIFF = 3;

/** A well-mixed 32-bit hash of three ids (the low bits of plain products depend on low bits only). */
function mix3(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

export class Bdd {
  private v: Int32Array;
  private lo: Int32Array;
  private hi: Int32Array;
  private n = 2;
  private table: Int32Array;
  private tmask: number;
  private cache: Int32Array;
  private cmask: number;

  constructor(readonly nvars: number, capacity = 1 << 16) {
    this.v = new Int32Array(capacity);
    this.lo = new Int32Array(capacity);
    this.hi = new Int32Array(capacity);
    this.v[0] = nvars;
    this.v[1] = nvars;
    this.hi[1] = 1;
    this.lo[1] = 1;
    this.table = new Int32Array(capacity * 2);
    this.tmask = capacity * 2 - 1;
    const cacheSize = Math.min(1 << 22, capacity);
    this.cache = new Int32Array(cacheSize * 4).fill(-1);
    this.cmask = cacheSize - 1;
  }

  /** Number of nodes allocated so far (a memory figure). */
  get nodeCount(): number {
    return this.n;
  }

  varOf(x: number): number {
    return this.v[x] as number;
  }

  low(x: number): number {
    return this.lo[x] as number;
  }

  high(x: number): number {
    return this.hi[x] as number;
  }

  /** The node (var ? hi : lo), reduced and shared. */
  mk(v: number, lo: number, hi: number): number {
    if (lo === hi) return lo;
    let i = mix3(v, lo, hi) & this.tmask;
    for (;;) {
      const id = this.table[i] as number;
      if (id === 0) break;
      if (this.v[id] === v && this.lo[id] === lo && this.hi[id] === hi) return id;
      i = (i + 1) & this.tmask;
    }
    if (this.n >= this.v.length) {
      this.grow();
      return this.mk(v, lo, hi);
    }
    const id = this.n++;
    this.v[id] = v;
    this.lo[id] = lo;
    this.hi[id] = hi;
    this.table[i] = id;
    return id;
  }

  private grow(): void {
    const cap = this.v.length * 2;
    const resize = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.v = resize(this.v);
    this.lo = resize(this.lo);
    this.hi = resize(this.hi);
    this.table = new Int32Array(cap * 2);
    this.tmask = cap * 2 - 1;
    // The operation cache keeps its entries (node ids stay valid); it grows with the nodes, up to 4M slots.
    if (cap <= 1 << 22 && cap > this.cmask + 1) {
      const old = this.cache;
      this.cache = new Int32Array(cap * 4).fill(-1);
      this.cmask = cap - 1;
      for (let k = 0; k < old.length; k += 4) {
        if (old[k] === -1) continue;
        const slot = (mix3(old[k + 1] as number, old[k + 2] as number, old[k] as number) & this.cmask) * 4;
        this.cache.set(old.subarray(k, k + 4), slot);
      }
    }
    for (let id = 2; id < this.n; id++) {
      let i = mix3(this.v[id] as number, this.lo[id] as number, this.hi[id] as number) & this.tmask;
      while (this.table[i] !== 0) i = (i + 1) & this.tmask;
      this.table[i] = id;
    }
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

  not(a: number): number {
    return this.apply(XOR, TRUE, a);
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
    return !this.meets(a, b, true, new Set());
  }

  /** a ∩ b ≠ ∅, decided without building a ∩ b: stops at the first common member. */
  intersects(a: number, b: number): boolean {
    return this.meets(a, b, false, new Set());
  }

  /** Some point lies in a and in b (or, when `negB`, in a and not in b). `seen`: pairs known to fail. */
  private meets(a: number, b: number, negB: boolean, seen: Set<number>): boolean {
    if (a === FALSE) return false;
    if (b === (negB ? TRUE : FALSE)) return false;
    if (b === (negB ? FALSE : TRUE)) return true;
    if (a === TRUE) return true; // b is not constant: both of its values occur
    const key = a * 67108864 + b;
    if (seen.has(key)) return false;
    const top = Math.min(this.v[a] as number, this.v[b] as number);
    if (this.meets(this.cof(a, top, 0), this.cof(b, top, 0), negB, seen) || this.meets(this.cof(a, top, 1), this.cof(b, top, 1), negB, seen)) return true;
    seen.add(key);
    return false;
  }

  /** a ∩ b ⊆ c, decided without building a ∩ b: stops at the first counterexample. */
  impliesBoth(a: number, b: number, c: number): boolean {
    return !this.meets3(a, b, c, true, new Map());
  }

  /** a ∩ b ∩ c ≠ ∅, decided without building any of the intersections. */
  intersectsAll(a: number, b: number, c: number): boolean {
    return this.meets3(a, b, c, false, new Map());
  }

  /** Some point lies in a, in b, and in c (or, when `negC`, not in c). */
  private meets3(a: number, b: number, c: number, negC: boolean, seen: Map<number, Set<number>>): boolean {
    if (a === FALSE || b === FALSE) return false;
    if (a === TRUE) return this.meets(b, c, negC, new Set());
    if (b === TRUE) return this.meets(a, c, negC, new Set());
    if (c === (negC ? TRUE : FALSE)) return false;
    if (c === (negC ? FALSE : TRUE)) return this.meets(a, b, false, new Set());
    let inner = seen.get(a);
    if (inner?.has(b * 67108864 + c) === true) return false;
    const top = Math.min(this.v[a] as number, this.v[b] as number, this.v[c] as number);
    for (const side of [0, 1] as const) {
      if (this.meets3(this.cof(a, top, side), this.cof(b, top, side), this.cof(c, top, side), negC, seen)) return true;
    }
    if (inner === undefined) seen.set(a, (inner = new Set()));
    inner.add(b * 67108864 + c);
    return false;
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
        break;
    }
    if (op !== DIFF && a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const slot = (mix3(a, b, op) & this.cmask) * 4;
    const c = this.cache;
    if (c[slot] === op && c[slot + 1] === a && c[slot + 2] === b) return c[slot + 3] as number;
    const top = Math.min(this.v[a] as number, this.v[b] as number);
    const r = this.mk(top, this.apply(op, this.cof(a, top, 0), this.cof(b, top, 0)), this.apply(op, this.cof(a, top, 1), this.cof(b, top, 1)));
    c[slot] = op;
    c[slot + 1] = a;
    c[slot + 2] = b;
    c[slot + 3] = r;
    return r;
  }

  /** The cofactor of x for variable `top` set to `side` (x itself when x does not test `top`). */
  private cof(x: number, top: number, side: 0 | 1): number {
    if (this.v[x] !== top) return x;
    return (side === 1 ? this.hi[x] : this.lo[x]) as number;
  }

  /**
   * Rebuilds a bottom-up, memoised, down to variable `to` (nodes below are kept as they are):
   * `node(v, x)` gives the result for a node x testing variable v, `go` recursing into children.
   */
  private rebuild(a: number, to: number, node: (v: number, x: number, go: (y: number) => number) => number): number {
    const memo = new Map<number, number>();
    const go = (x: number): number => {
      const v = this.v[x] as number;
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
      const l = go(this.lo[x] as number);
      const h = go(this.hi[x] as number);
      return v < from ? this.mk(v, l, h) : this.or(l, h);
    });
  }

  /** ∀ variables in [from, to). */
  forall(a: number, from: number, to: number): number {
    return this.not(this.exists(this.not(a), from, to));
  }

  /** The set with the variables in [from, from + bits.length) fixed to `bits` (a cofactor). */
  restrict(a: number, from: number, bits: ArrayLike<number>): number {
    return this.rebuild(a, from + bits.length, (v, x, go) => (v < from
      ? this.mk(v, go(this.lo[x] as number), go(this.hi[x] as number))
      : go(bits[v - from] === 1 ? (this.hi[x] as number) : (this.lo[x] as number))));
  }

  /** Membership of a full assignment (one 0/1 per variable). */
  evaluate(a: number, bits: ArrayLike<number>): boolean {
    let x = a;
    while (x > TRUE) x = bits[this.v[x] as number] === 1 ? (this.hi[x] as number) : (this.lo[x] as number);
    return x === TRUE;
  }

  /** One member: an assignment for every variable (free ones 0), or undefined for the empty set. */
  pick(a: number): Uint8Array | undefined {
    if (a === FALSE) return undefined;
    const bits = new Uint8Array(this.nvars);
    let x = a;
    while (x > TRUE) {
      const l = this.lo[x] as number;
      if (l !== FALSE) x = l;
      else {
        bits[this.v[x] as number] = 1;
        x = this.hi[x] as number;
      }
    }
    return bits;
  }

  /** Nodes reachable from a (its size). */
  size(a: number): number {
    const seen = new Set<number>();
    const stack = [a];
    while (stack.length > 0) {
      const x = stack.pop() as number;
      if (x <= TRUE || seen.has(x)) continue;
      seen.add(x);
      stack.push(this.lo[x] as number, this.hi[x] as number);
    }
    return seen.size;
  }
}
