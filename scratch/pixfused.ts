import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { createModel } from '../src/zoo/index.js';
import { manualSeed } from '../src/nn/init.js';
import { WebGPUProfiler } from '../src/backend/webgpu_profile.js';
const name = process.argv[2] ?? 'pix_resnet50_cs';
const size = Number(process.argv[3] ?? 64);
async function run(backend: string) {
  await useBackend(backend);
  manualSeed(0);
  const m = createModel(name, { numClasses: 10 });
  m.eval();
  const xv = new Float32Array(1 * size * size * 3).map((_, i) => Math.sin(i * 0.37) * 1.3);
  const x = tf.tensor4d(xv, [1, size, size, 3]);
  const y0 = tf.tidy(() => m.call(x)); await y0.data(); y0.dispose();
  let counts = null;
  const p = backend === 'webgpu' ? new WebGPUProfiler({ timestamps: false }) : null;
  p?.start();
  const y = tf.tidy(() => m.call(x));
  const v = Array.from(await y.data());
  if (p) counts = (await p.stop()).counts;
  m.dispose();
  return { v, counts };
}
const a = await run('webgpu');
const b = await run('wasm');
releaseBackends();
let d = 0, s = 0; a.v.forEach((x, i) => { d = Math.max(d, Math.abs(x - b.v[i])); s = Math.max(s, Math.abs(b.v[i])); });
console.log(name, 'rel', d / s, JSON.stringify(a.counts));
