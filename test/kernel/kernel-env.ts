/**
 * The one rule every kernel test follows: without root, network namespaces or a tool, the suite is
 * skipped with the reason printed — unless FWDOCTOR_REQUIRE_KERNEL=1 (CI), where the same problem
 * is a test failure.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { checkKernelSupport, type KernelSupport } from '../../src/kernel/environment.js';
import { destroyAllSync } from '../../src/kernel/cleanup.js';
import { KernelSession, type SessionOptions } from '../../src/kernel/session.js';

export const REQUIRE_KERNEL_ENV = 'FWDOCTOR_REQUIRE_KERNEL';

export const kernelRequired = process.env[REQUIRE_KERNEL_ENV] === '1';

let cached: KernelSupport | undefined;

export function kernelSupport(): KernelSupport {
  cached ??= checkKernelSupport();
  return cached;
}

/** What a kernel suite does: run; skip (with the reason); or fail, when required but unsupported. */
export function kernelSuiteDecision(support: KernelSupport, required: boolean): 'run' | 'skip' | 'fail' {
  if (support.ok) return 'run';
  return required ? 'fail' : 'skip';
}

/** Whether a kernel suite runs: always when required (and then fails if unsupported). */
export function kernelSuiteRuns(): boolean {
  return kernelSuiteDecision(kernelSupport(), kernelRequired) !== 'skip';
}

/** describe() for a kernel suite: skipped with the reason, or failing under FWDOCTOR_REQUIRE_KERNEL=1. */
export function describeKernel(name: string, body: () => void): void {
  const support = kernelSupport();
  if (kernelSuiteDecision(support, kernelRequired) === 'skip' && !support.ok) {
    console.warn(`[kernel] skipping "${name}": ${support.message} (set ${REQUIRE_KERNEL_ENV}=1 to make this a failure)`);
    describe.skip(`${name} (skipped: ${support.message})`, body);
    return;
  }
  describe(name, () => {
    beforeAll(() => {
      if (!support.ok) throw new Error(`${REQUIRE_KERNEL_ENV}=1 but the kernel harness cannot run: ${support.message}`);
    });
    afterAll(() => {
      // Anything a failed test left behind (sessions are closed by the tests themselves on success).
      destroyAllSync();
    });
    body();
  });
}

/**
 * A kernel session for the suite this is called in: opened before its tests, closed after them.
 * Tests call the returned function to get it.
 */
export function suiteSession(opts: SessionOptions = {}): () => KernelSession {
  let session: KernelSession | undefined;
  beforeAll(async () => {
    session = await KernelSession.open(opts);
  });
  afterAll(async () => {
    await session?.close();
  });
  return () => {
    if (session === undefined) throw new Error('the kernel session did not open (see the error of beforeAll)');
    return session;
  };
}

/** A number from the environment, or the default. */
export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}
