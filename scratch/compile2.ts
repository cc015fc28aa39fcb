import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { forceConvTile } from '../src/kernels/webgpu/conv.js';
await useBackend('webgpu');
const x = tf.randomNormal([1, 5, 5, 4]); const w = tf.randomNormal([3, 3, 4, 4]);
for (const t of (process.argv[2] ?? '0,1,2,3,4').split(',').map(Number)) {
  forceConvTile(t);
  const t0 = performance.now();
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'); await y.data(); y.dispose();
  const t1 = performance.now();
  const y2 = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'); await y2.data(); y2.dispose();
  console.log('tile', t, 'first ms', (t1 - t0).toFixed(0), 'second', (performance.now() - t1).toFixed(0));
}
releaseBackends();
