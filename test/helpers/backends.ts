// One line per test file for the backends it compares: started before its tests (the last one left active), GPU
// devices released after (a live device would keep the worker alive).
import { afterAll, beforeAll } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { nativeStatus } from '../../src/kernels/native/addon.js';
import { setNativeKernels } from '../../src/kernels/native/index.js';

export function withBackends(...names: string[]): void {
  beforeAll(async () => {
    for (const n of names) await useBackend(n);
  });
  afterAll(() => releaseBackends());
}

/** For files that switch the native kernels off: after all tests, back on where the addon is active, devices released. */
export function restoreNativeAfterAll(): void {
  afterAll(() => {
    setNativeKernels(nativeStatus().active);
    releaseBackends();
  });
}
