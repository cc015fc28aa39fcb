import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { createModel } from '../src/zoo/index.js';
import { manualSeed } from '../src/nn/init.js';

const name = process.argv[2] ?? 'resnet50';
const size = Number(process.argv[3] ?? 32);
async function run(backend: string) {
  await useBackend(backend);
  manualSeed(0);
  const m = createModel(name, { numClasses: 10 });
  const xv = new Float32Array(2 * size * size * 3).map((_, i) => Math.sin(i * 0.37) * 1.3);
  const x = tf.tensor4d(xv, [2, size, size, 3]);
  let psum = 0; for (const v of m.trainableVariables()) psum += (await tf.sum(v).data())[0];
  console.log(backend, 'param sum', psum);
  const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
  m.train();
  const vars = m.trainableVariables();
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.call(x)) as tf.Scalar, vars);
  const loss = (await value.data())[0];
  const gv = await Promise.all(Object.values(grads).map(async (g) => Array.from(await g.data())));
  const buffers: number[][] = [];
  for (const [k, b] of m.namedBuffers()) buffers.push(Array.from(await b.variable.data()));
  m.eval();
  const logits = Array.from(await tf.tidy(() => m.call(x)).data());
  m.dispose();
  return { loss, gv, logits, buffers };
}
const a = await run('webgpu');
const b = await run(process.argv[4] ?? 'wasm');
releaseBackends();
const rel = (p: number[], q: number[]) => { let d = 0, s = 1e-12; for (let i = 0; i < p.length; i++) { d = Math.max(d, Math.abs(p[i] - q[i])); s = Math.max(s, Math.abs(q[i])); } return d / s; };
console.log('loss', a.loss, b.loss);
console.log('logits rel', rel(a.logits, b.logits));
console.log('grads max rel', Math.max(...a.gv.map((g, i) => rel(g, b.gv[i]))), 'n', a.gv.length);
console.log('buffers max rel', Math.max(...a.buffers.map((g, i) => rel(g, b.buffers[i]))), 'n', a.buffers.length);
