import { afterEach, describe, expect, it, vi } from 'vitest';
import { kernelSuiteDecision } from './kernel-env.js';
import { checkKernelSupport } from '../../src/kernel/environment.js';

describe('the kernel-test gate', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('runs when supported, skips when not, fails when required but not supported', () => {
    const missing = { ok: false as const, kind: 'not-root' as const, message: 'needs root' };
    expect(kernelSuiteDecision({ ok: true }, false)).toBe('run');
    expect(kernelSuiteDecision({ ok: true }, true)).toBe('run');
    expect(kernelSuiteDecision(missing, false)).toBe('skip');
    expect(kernelSuiteDecision(missing, true)).toBe('fail');
  });

  it('says "not root" first, with what to do', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const s = checkKernelSupport();
    expect(s).toMatchObject({ ok: false, kind: 'not-root' });
    expect(!s.ok && s.message).toMatch(/needs root .* run it with sudo/);
  });

  it('names the Debian package of a missing tool', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-fwdk-bin';
    try {
      const s = checkKernelSupport();
      expect(s).toMatchObject({ ok: false, kind: 'tool-missing' });
      expect(!s.ok && s.message).toContain("install the Debian package 'iproute2'");
    } finally {
      process.env.PATH = path;
    }
  });
});
