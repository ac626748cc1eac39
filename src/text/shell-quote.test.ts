import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('leaves safe words bare and quotes the rest', () => {
    expect(shellQuote('INPUT')).toBe('INPUT');
    expect(shellQuote('198.18.0.0/15')).toBe('198.18.0.0/15');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(reboot)')).toBe("'$(reboot)'");
    expect(shellCommand(['iptables', '-m', 'comment', '--comment', 'x`id`;rm -rf /'])).toBe("iptables -m comment --comment 'x`id`;rm -rf /'");
  });

  it('round-trips any string through a real shell', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/\0/g, '')), { minLength: 1, maxLength: 4 }), (words) => {
      const out = execFileSync('sh', ['-c', `printf '%s\\0' ${shellCommand(words)}`], { encoding: 'utf8' });
      expect(out.split('\0').slice(0, -1)).toEqual(words);
    }), { numRuns: 60 });
  });
});
