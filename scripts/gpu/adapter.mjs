#!/usr/bin/env node
// What Dawn offers on this machine's adapter, for docs/gpu.md's tensor-core question: features (shader-f16,
// subgroups, timestamp-query, chromium-experimental-subgroup-matrix), the compute limits, and the subgroup-matrix
// configurations (tensor-core shapes) — without and with Dawn's allow_unsafe_apis toggle, which experimental features
// need. Loads dawn.node directly: DAWN=<path to dawn.node> or npm `webgpu` from the current directory.
//   node scripts/gpu/adapter.mjs [dawn.node]
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'x.js'));
const path = process.argv[2] ?? process.env.DAWN;
const dawn = path && existsSync(path) ? require(path) : require('webgpu');
Object.assign(globalThis, dawn.globals);
const LIMITS = ['maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxStorageBufferBindingSize', 'maxBufferSize'];
const out = {};
for (const [name, flags] of [['default', []], ['allow_unsafe_apis', ['enable-dawn-features=allow_unsafe_apis']]]) {
  const a = await dawn.create(flags).requestAdapter({ powerPreference: 'high-performance' });
  if (!a) { out[name] = 'no adapter'; continue; }
  const info = a.info ?? {};
  out[name] = {
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    features: [...a.features].sort(),
    limits: Object.fromEntries(LIMITS.map((k) => [k, a.limits[k]])),
    subgroupMinSize: info.subgroupMinSize, subgroupMaxSize: info.subgroupMaxSize,
    subgroupMatrixConfigs: (info.subgroupMatrixConfigs ?? []).map((c) => ({
      M: c.M, N: c.N, K: c.K, componentType: c.componentType, resultComponentType: c.resultComponentType,
    })),
  };
}
console.log(JSON.stringify(out, null, 1));
process.exit(0);
