import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { WebGPUProfiler } from '../src/backend/webgpu_profile.js';
import { createModel } from '../src/zoo/index.js';
import { manualSeed } from '../src/nn/init.js';

const size = Number(process.env.SIZE ?? 64);
async function forward(name: string) {
  manualSeed(0);
  const m = createModel(name, { numClasses: 1000 });
  m.eval();
  const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 1);
  for (let i = 0; i < 2; i++) { const y = tf.tidy(() => m.call(x)); await y.data(); y.dispose(); }
  const p = new WebGPUProfiler();
  p.start();
  const y = tf.tidy(() => m.call(x)); await y.data(); y.dispose();
  const r = await p.stop();
  const gpu = r.dispatches.reduce((a, d) => a + (d.gpuMs ?? 0), 0);
  console.log(name, 'forward b1', size, JSON.stringify(r.counts), 'gpu ms', gpu.toFixed(1));
  const by = new Map<string, [number, number]>();
  for (const d of r.dispatches) { const k = d.kernel + ' ' + d.program; const e = by.get(k) ?? [0, 0]; e[0]++; e[1] += d.gpuMs ?? 0; by.set(k, e); }
  console.log([...by].sort((a, b) => b[1][1] - a[1][1]).slice(0, 15).map(([k, [n, ms]]) => `  ${ms.toFixed(2)} ms ${n}x ${k}`).join('\n'));
  m.dispose(); x.dispose();
}
async function trainStep(name: string, batch: number) {
  manualSeed(0);
  const m = createModel(name, { numClasses: 10 });
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
  const vars = m.trainableVariables();
  const opt = tf.train.momentum(0.01, 0.9);
  const step = async () => { const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.call(x)) as tf.Scalar, true, vars); await l!.data(); l!.dispose(); };
  await step(); await step();
  const p = new WebGPUProfiler();
  p.start();
  await step();
  const r = await p.stop();
  const gpu = r.dispatches.reduce((a, d) => a + (d.gpuMs ?? 0), 0);
  console.log(name, 'train step batch', batch, size, JSON.stringify(r.counts), 'gpu ms', gpu.toFixed(1));
  const by = new Map<string, [number, number]>();
  for (const d of r.dispatches) { const k = d.kernel + ' ' + d.program; const e = by.get(k) ?? [0, 0]; e[0]++; e[1] += d.gpuMs ?? 0; by.set(k, e); }
  console.log([...by].sort((a, b) => b[1][1] - a[1][1]).slice(0, 25).map(([k, [n, ms]]) => `  ${ms.toFixed(2)} ms ${n}x ${k}`).join('\n'));
  opt.dispose(); m.dispose();
}
await useBackend('webgpu');
const what = process.argv[2] ?? 'all';
if (what === 'all' || what === 'fwd') { await forward('resnet50'); await forward('pix_resnet50_cs'); }
if (what === 'all' || what === 'train') await trainStep('resnet50', 2);
releaseBackends();
