import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSnapshot, type Runner } from './collect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('collect (with a fake runner)', () => {
  it('runs argument arrays with the prefix, notes missing tools and missing privileges', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fwdh-c-'));
    dirs.push(out);
    const calls: string[][] = [];
    const run: Runner = async (argv) => {
      calls.push([...argv]);
      const tool = argv[4];
      if (tool === 'ipset' || tool === 'nft') return { code: 127, stdout: '', stderr: 'not found', missing: true };
      if (tool === 'iptables-save' || tool === 'ip6tables-save') return { code: 1, stdout: '', stderr: 'Permission denied (you must be root)', missing: false };
      if (tool === 'ss') return { code: 0, stdout: 'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n', stderr: '', missing: false };
      if (tool === 'ip') return { code: 0, stdout: '[]', stderr: '', missing: false };
      return { code: 0, stdout: '', stderr: '', missing: false };
    };
    const r = await collectSnapshot({ out, run, prefix: ['ip', 'netns', 'exec', 'x'], root: false, etcDir: join(out, 'none') });
    expect(calls.every((c) => c.slice(0, 4).join(' ') === 'ip netns exec x')).toBe(true);
    expect(r.notes.some((n) => n.startsWith('not root'))).toBe(true);
    expect(r.notes.some((n) => /nft is not installed \(Debian package nftables\)/.test(n))).toBe(true);
    expect(r.notes.some((n) => /iptables-save failed \(exit 1, needs root\)/.test(n))).toBe(true);
    expect(r.written).toContain('sockets');
    expect(r.written).not.toContain('iptables');
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as { notes: string[] };
    expect(meta.notes).toEqual(r.notes);
  });
});
