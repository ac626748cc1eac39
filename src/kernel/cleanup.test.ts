import { describe, expect, it } from 'vitest';
import { parseNetnsList, staleNamespaces } from './cleanup.js';

describe('stale namespace detection', () => {
  it('reads `ip netns list` output', () => {
    expect(parseNetnsList('fwdk-12-1-s (id: 3)\nfwdh-nft\n\nfwdk-12-1-c\n')).toEqual(['fwdk-12-1-s', 'fwdh-nft', 'fwdk-12-1-c']);
  });

  it('only harness namespaces of dead processes are stale; other names are never touched', () => {
    const alive = (pid: number): boolean => pid === 200;
    const names = ['fwdk-100-1-s', 'fwdk-100-1-c', 'fwdk-200-3-s', 'fwdh-nft', 'fwdk-x-s', 'fwdk-100-1', 'other', `fwdk-${process.pid}-9-s`];
    expect(staleNamespaces(names, alive)).toEqual(['fwdk-100-1-s', 'fwdk-100-1-c']);
  });
});
