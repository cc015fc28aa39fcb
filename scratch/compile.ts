import * as tf from '@tensorflow/tfjs-core';
import { useBackend, releaseBackends } from '../src/backend/index.js';
import { gemmBody, planGemm } from '../src/kernels/webgpu/gemm.js';
import { kernelSource } from '../src/kernels/webgpu/runtime.js';
import { convUniforms, convDims } from '../src/kernels/webgpu/conv_dims.js';
await useBackend('webgpu');
const b = tf.backend() as any;
const d = convDims('x', [2, 9, 7, 6], [3, 3, 6, 10], { strides: 2, pad: 'same' });
const mod = await import('../src/kernels/webgpu/conv.js');
const tile = { tm: Number(process.argv[2] ?? 64), tn: Number(process.argv[3] ?? 64), tk: 16, rm: Number(process.argv[4] ?? 4), rn: Number(process.argv[5] ?? 4) };
const loaders = { aFast: 'k' as const, bFast: 'n' as const, code: `fn loadA(m : i32, k : i32, grp : i32) -> f32 { return x[m * u.IC + k]; }
fn loadB(k : i32, n : i32, grp : i32) -> f32 { return w[k * u.OC + n]; }
fn store(m : i32, n : i32, grp : i32, split : i32, v : f32) { y[m * u.OC + n] = v; }` };
const plan = planGemm(b, { M: 100, N: 10, K: 54, groups: 1 });
const src = kernelSource({ body: () => gemmBody(tile, loaders), outputs: [{ name: 'y', tensor: null as any }], inputs: [{ name: 'x', tensor: null as any }, { name: 'w', tensor: null as any }], uniforms: [...plan.uniforms, ...convUniforms(d), { name: 'eps', type: 'f32', value: 0 }] });
if (process.env.PRINT) console.log(src);
const t0 = performance.now();
const m = b.device.createShaderModule({ code: src });
const p = b.device.createComputePipeline({ layout: 'auto', compute: { module: m, entryPoint: 'main' } });
console.log('compile ms', (performance.now() - t0).toFixed(0), JSON.stringify(tile));
releaseBackends();
