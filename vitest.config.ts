import { defineConfig } from 'vitest/config';

// Where the native addon is built, every test runs on it ('default'); the 'pure-wasm' project runs the kernel,
// PiX-backend and resume tests, and the data tests whose code has native paths (decoding, resize, normalise), again
// with CHANLAB_NATIVE=0, so a machine without the addon is covered too.
const PURE_WASM = [
  'test/kernels/**/*.test.ts', 'test/ops/pix_backends.test.ts', 'test/ops/pix_gate.test.ts', 'test/ops/dgc_heads.test.ts', 'test/train/resume.test.ts',
  'test/data/decode.test.ts', 'test/data/transforms.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // tfjs backends are process-global singletons: isolate test files in forked processes.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'pure-wasm', include: PURE_WASM, exclude: ['test/kernels/webgpu-*.test.ts'], env: { CHANLAB_NATIVE: '0' } },
      },
    ],
  },
});
