import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { setConvF16 } from '../src/kernels/webgpu/conv.js';
import { createModel } from '../src/zoo/index.js';
import { manualSeed } from '../src/nn/init.js';
const size = Number(process.argv[2] ?? 128), n = Number(process.argv[3] ?? 8);
await useBackend('webgpu');
for (const name of ['resnet50', 'pix_resnet50_cs']) {
  manualSeed(0);
  const m = createModel(name); m.eval();
  let worst = 0, agree = 0, meanRel = 0;
  for (let i = 0; i < n; i++) {
    const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 100 + i);
    setConvF16(false); const a = Array.from(await tf.tidy(() => m.call(x)).data());
    setConvF16(true); const b = Array.from(await tf.tidy(() => m.call(x)).data());
    const scale = Math.max(...a.map(Math.abs));
    const d = Math.max(...a.map((v, j) => Math.abs(v - b[j]))) / scale;
    worst = Math.max(worst, d); meanRel += d / n;
    const am = a.indexOf(Math.max(...a)), bm = b.indexOf(Math.max(...b));
    if (am === bm) agree++;
    x.dispose();
  }
  console.log(`${name} ${size}x${size}, ${n} N(0,1) inputs, random init (seed 0): f16 vs f32 logits max |diff|/max|logit| worst ${worst.toExponential(2)} mean ${meanRel.toExponential(2)}; top-1 agreement ${agree}/${n}`);
  m.dispose();
}
releaseBackends();
