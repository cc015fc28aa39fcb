import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
await useBackend('webgpu');
const b = tf.backend() as any;
console.log(JSON.stringify(b.adapterInfo), JSON.stringify(b.device.adapterInfo ?? null));
releaseBackends();
