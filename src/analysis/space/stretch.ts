/**
 * A stretch of verdict rules (accept, drop, reject) read backwards, as suffixSets() collects it
 * before applying it to the suffix stored below it. Each of the three outcome sets of a stretch
 * is a decision list: the first rule of the stretch whose condition holds decides it, else the
 * stored suffix does. For the accepted set, an accept rule decides "yes" on the packets it may
 * match (holds or unknown) and a blocking rule "no" on those it surely matches; the blocked set is
 * the mirror image; the returned set is "no" for every packet some rule surely matches. So a set
 * is `took ∪ (stored ∖ matched)`, with `matched` and `took` unions of a few rules' conditions.
 */
import { type Bdd, FALSE } from './bdd.js';
import type { ChainSets } from './walk.js';

export class Stretch {
  /** Packets some rule decides the accepted set of, and those it decides "yes". */
  accMatched = FALSE;
  accTook = FALSE;
  blkMatched = FALSE;
  blkTook = FALSE;
  /** Packets some rule surely matches: none of them is returned. */
  retMatched = FALSE;
  /** Rules collected. */
  count = 0;

  /** `exact`: the blocked set is not tracked (SuffixSets.exact). */
  constructor(private readonly bdd: Bdd, private readonly exact: boolean) {}

  /** One more rule, before the ones collected: its condition holds on h, is unknown on u. */
  add(accept: boolean, h: number, u: number): void {
    const { bdd } = this;
    this.count++;
    if (this.exact) {
      // No rule is undecided (u is empty): every set is decided by the same rules.
      this.accTook = accept ? bdd.or(this.accTook, h) : bdd.diff(this.accTook, h);
      this.accMatched = this.retMatched = bdd.or(this.retMatched, h);
      return;
    }
    const may = bdd.or(h, u);
    this.accTook = accept ? bdd.or(this.accTook, may) : bdd.diff(this.accTook, h);
    this.accMatched = bdd.or(this.accMatched, accept ? may : h);
    this.blkTook = accept ? bdd.diff(this.blkTook, h) : bdd.or(this.blkTook, may);
    this.blkMatched = bdd.or(this.blkMatched, accept ? h : may);
    this.retMatched = bdd.or(this.retMatched, h);
  }

  /** The stretch applied to the sets of the suffix below it; the stretch is emptied. */
  apply(below: ChainSets): ChainSets {
    const { bdd } = this;
    const out = this.count === 0 ? below : {
      acc: bdd.or(this.accTook, bdd.diff(below.acc, this.accMatched)),
      blk: this.exact ? FALSE : bdd.or(this.blkTook, bdd.diff(below.blk, this.blkMatched)),
      ret: bdd.diff(below.ret, this.retMatched),
    };
    this.accMatched = this.accTook = this.blkMatched = this.blkTook = this.retMatched = FALSE;
    this.count = 0;
    return out;
  }
}
