import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
await useBackend('webgpu');
const d = (tf.backend() as any).device as GPUDevice;
console.log([...d.features].join(' '), d.limits.maxStorageBuffersPerShaderStage, d.limits.maxComputeWorkgroupStorageSize, d.limits.maxComputeInvocationsPerWorkgroup);
releaseBackends();
