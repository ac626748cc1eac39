/** Side effects of a matching rule that later rules can see: packet mark, connection mark, notrack. */
import type { Effect } from '../../model/action.js';

export interface MarkState {
  readonly mark: number;
  readonly connmark: number;
  /** A NOTRACK / CT --notrack ran: chains after conntrack see the packet UNTRACKED. */
  readonly notrack: boolean;
}

/**
 * Applies the effects in order. `set`: x = (x & ~mask) ^ value; `and`/`or`/`xor` with value;
 * `save`: connmark = (connmark & ~mask) ^ (mark & mask); `restore`: the reverse. The connection mark
 * lives in the conntrack entry: without one (`tracked` false) connmark effects do nothing.
 */
export function applyEffects(effects: readonly Effect[], s: MarkState, tracked: boolean): MarkState {
  let { mark, connmark, notrack } = s;
  for (const e of effects) {
    if (e.kind === 'notrack') notrack = true;
    if (e.kind !== 'mark') continue;
    const mask = e.mask >>> 0;
    if (e.op === 'save') {
      if (tracked) connmark = ((connmark & ~mask) ^ (mark & mask)) >>> 0;
    } else if (e.op === 'restore') {
      if (tracked) mark = ((mark & ~mask) ^ (connmark & mask)) >>> 0;
    } else if (e.target === 'mark' || tracked) {
      const old = e.target === 'mark' ? mark : connmark;
      const v = e.op === 'set' ? (old & ~mask) ^ e.value : e.op === 'and' ? old & e.value : e.op === 'or' ? old | e.value : old ^ e.value;
      if (e.target === 'mark') mark = v >>> 0;
      else connmark = v >>> 0;
    }
  }
  return { mark, connmark, notrack };
}
