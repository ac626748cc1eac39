import { describe, expect, it } from 'vitest';
import { DIALECTS, detectDialect } from './registry.js';

describe('dialect registry', () => {
  it('lists dialects with distinct ids', () => {
    const ids = DIALECTS.map((d) => d.id);
    expect(ids).toContain('iptables');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('detects iptables-save text', () => {
    expect(detectDialect('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n', 'rules.v4')?.id).toBe('iptables');
    expect(detectDialect('hello world', 'notes.txt')).toBeUndefined();
  });
});
