/**
 * The fast reader's memory of rule tails (fast-line.ts). A tail is what a line has from its first
 * `-m` or `-j` on, when it holds only extensions (`-m NAME options…`, `-j TARGET options…`).
 * Whether it passes iptables' checks and what it converts to depend only on its text, the rule's
 * protocol and the chain (with the table and the family, fixed per reader): the extensions' checks
 * do not look at addresses or interfaces (the interface-against-chain check is made for every
 * line), and the extensions convert apart from the base options (convert-rule.ts ExtensionParts). So a tail read on a line that passed every check can be reused
 * on a later line with the same protocol in the same chain: only that line's base options are read.
 *
 * A tail is remembered the second time it is seen (the first time only its hash is noted): many
 * tails of a large file name ports or ranges and are unique, and for them the memory costs one
 * hash.
 */

/** Slots of a table (a power of two). */
const SLOTS = 1 << 15;
/** Remembered tails per table at most; beyond this, no more are remembered. */
const MAX_SIZE = 50_000;
/** Tails remembered in one slot at most (a guard against many tails of one hash). */
const MAX_CHAIN = 8;

/** What reading a tail depends on besides its text. */
export interface TailContext {
  readonly chain: string;
  readonly protocol: number;
  readonly protocolInvert: boolean;
}

export interface Remembered<V> {
  readonly hash: number;
  readonly text: string;
  readonly chain: string;
  readonly protocol: number;
  readonly protocolInvert: boolean;
  readonly value: V;
  readonly next: Remembered<V> | undefined;
}

/** A hash of line[from, to) (FNV-1a over the UTF-16 code units). */
export function hashRange(line: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Is line[from, from + text.length) equal to `text`? */
function sameChars(line: string, from: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (line.charCodeAt(from + k) !== text.charCodeAt(k)) return false;
  return true;
}

export class TailMemo<V> {
  private readonly slots = new Array<Remembered<V> | undefined>(SLOTS);
  private readonly seen = new Int32Array(SLOTS);
  private size = 0;

  /** The remembered tail line[from, to) with this hash for this context, if any. */
  find(line: string, from: number, to: number, hash: number, at: TailContext): Remembered<V> | undefined {
    for (let g = this.slots[hash & (SLOTS - 1)]; g !== undefined; g = g.next) {
      if (g.hash === hash && g.text.length === to - from && g.chain === at.chain && g.protocol === at.protocol
        && g.protocolInvert === at.protocolInvert && sameChars(line, from, g.text)) return g;
    }
    return undefined;
  }

  /** Notes tail line[from, to) (read and checked in this context); remembers it when noted before. */
  note(line: string, from: number, to: number, hash: number, at: TailContext, value: V): void {
    const slot = hash & (SLOTS - 1);
    if (this.seen[slot] !== hash) {
      this.seen[slot] = hash;
      return;
    }
    if (this.size >= MAX_SIZE || this.find(line, from, to, hash, at) !== undefined) return;
    let depth = 0;
    for (let g = this.slots[slot]; g !== undefined; g = g.next) if (++depth >= MAX_CHAIN) return;
    this.size++;
    this.slots[slot] = {
      hash, text: line.slice(from, to), chain: at.chain, protocol: at.protocol, protocolInvert: at.protocolInvert,
      value, next: this.slots[slot],
    };
  }
}
