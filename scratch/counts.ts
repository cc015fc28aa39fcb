import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { profileTrainStep, DEFAULT_TRAIN_STEP } from '../src/bench/train-step.js';
import { profileLatency, formatKernelProfile } from '../src/latency/profile.js';
import { webgpuKernelsEnabled } from '../src/kernels/webgpu/index.js';
import { createModel } from '../src/zoo/index.js';
import { manualSeed } from '../src/nn/init.js';
await useBackend('webgpu');
const tag = webgpuKernelsEnabled() ? 'chanlab kernels' : 'tfjs stock kernels';
const what = process.argv[2] ?? 'all';
if (what !== 'train') for (const name of ['resnet50', 'pix_resnet50_cs']) {
  const p = await profileLatency(name, { runs: 1, warmup: 1, input: 64 });
  console.log(formatKernelProfile(`${name} forward b1 64² (${tag})`, p, 0.05, 'pass').split('\n').slice(0, 14).join('\n') + '\n');
}
if (what !== 'fwd') {
  manualSeed(0);
  const m = createModel('resnet50', { numClasses: 10 });
  const p = await profileTrainStep(m, 2, { ...DEFAULT_TRAIN_STEP, model: 'resnet50', size: 64, batch: 2 }, 1, 1);
  console.log(formatKernelProfile(`resnet50 training step b2 64² (${tag})`, p, 0.05, 'step').split('\n').slice(0, 22).join('\n'));
  m.dispose();
}
releaseBackends();
