import { describe, expect, it } from 'vitest';
import type { Effect, MarkOp } from '../../model/action.js';
import { applyEffects } from './effects.js';

const mk = (target: 'mark' | 'connmark', op: MarkOp, value: number, mask = 0xffffffff): Effect => ({ kind: 'mark', target, op, value, mask });
const start = { mark: 0xf0f0, connmark: 0x0a0a, notrack: false };

describe('applyEffects', () => {
  it('set / and / or / xor on the packet mark', () => {
    expect(applyEffects([mk('mark', 'set', 0x1, 0xff)], start, true).mark).toBe(0xf001);
    expect(applyEffects([mk('mark', 'set', 0x1)], start, true).mark).toBe(0x1);
    expect(applyEffects([mk('mark', 'and', 0xff)], start, true).mark).toBe(0xf0);
    expect(applyEffects([mk('mark', 'or', 0xf)], start, true).mark).toBe(0xf0ff);
    expect(applyEffects([mk('mark', 'xor', 0xffff)], start, true).mark).toBe(0x0f0f);
  });

  it('stays unsigned 32-bit', () => {
    expect(applyEffects([mk('mark', 'set', 0xffffffff)], start, true).mark).toBe(0xffffffff);
  });

  it('connmark set, save and restore, in order', () => {
    expect(applyEffects([mk('connmark', 'set', 0x5, 0xf)], start, true).connmark).toBe(0x0a05);
    expect(applyEffects([mk('connmark', 'save', 0, 0xff)], start, true).connmark).toBe(0x0af0);
    expect(applyEffects([mk('connmark', 'restore', 0, 0xff00)], start, true).mark).toBe(0x0af0);
    const chained = applyEffects([mk('mark', 'set', 0x7), mk('connmark', 'save', 0)], start, true);
    expect(chained).toEqual({ mark: 0x7, connmark: 0x7, notrack: false });
  });

  it('connmark effects need a conntrack entry', () => {
    expect(applyEffects([mk('connmark', 'set', 0x5), mk('connmark', 'restore', 0)], start, false)).toEqual(start);
    expect(applyEffects([mk('mark', 'set', 0x5)], start, false).mark).toBe(0x5);
  });

  it('records notrack; log and other effects change nothing', () => {
    const r = applyEffects([{ kind: 'notrack' }, { kind: 'log', name: 'LOG', text: '-j LOG' }, { kind: 'counter' }], start, true);
    expect(r).toEqual({ ...start, notrack: true });
  });
});
