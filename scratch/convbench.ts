import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { setWebGPUKernels } from '../src/kernels/webgpu/index.js';
import { forceConvTile } from '../src/kernels/webgpu/conv.js';
import { WebGPUProfiler } from '../src/backend/webgpu_profile.js';
await useBackend('webgpu');
const [N, H, C, O, K, S] = (process.argv[2] ?? '1,56,64,64,3,1').split(',').map(Number);
const x = tf.randomNormal([N, H, H, C]) as tf.Tensor4D; const w = tf.randomNormal([K, K, C, O]) as tf.Tensor4D;
const dy = tf.randomNormal([N, H / S, H / S, O]) as tf.Tensor4D;
async function gpuMs(f: () => tf.Tensor) {
  const t = f(); await t.data(); t.dispose();
  const c0 = process.cpuUsage();
  for (let i = 0; i < 3; i++) { const u = f(); await u.data(); u.dispose(); }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 3000;
}
const fs: Record<string, () => tf.Tensor> = {
  fwd: () => tf.conv2d(x, w, S, 'same'),
  dx: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: S, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape } as never) as tf.Tensor,
  dw: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: S, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape } as never) as tf.Tensor,
};
const tiles = process.argv[3] ? process.argv[3].split(',').map(Number) : [undefined];
for (const [k, f] of Object.entries(fs)) {
  setWebGPUKernels(false); const stock = await gpuMs(f);
  setWebGPUKernels(true);
  const mine = [];
  for (const t of tiles) { forceConvTile(t); mine.push((await gpuMs(f)).toFixed(1)); }
  console.log(k, 'stock', stock.toFixed(1), 'chanlab', mine.join(' '));
}
releaseBackends();
