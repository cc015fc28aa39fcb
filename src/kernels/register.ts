// Every custom kernel and gradient chanlab adds to tfjs, in three lists installed through one function
// (installKernels, ./install.ts):
//   CUSTOM_KERNELS   cpu and wasm kernels, installed when this module is imported (src/backend imports it), over
//                    the stock kernels of the same name (the cpu and wasm backends register theirs on import);
//   WEBGPU_KERNELS   webgpu kernels, installed by loadWebGPU once tfjs-backend-webgpu has registered its own (it can
//                    only be imported after navigator.gpu exists); with them chanlab's switchable webgpu set
//                    (./webgpu/index.ts: convolutions, batch norm, PiX gate, …; CHANLAB_WEBGPU_KERNELS=0 keeps tfjs's);
//   NATIVE_KERNELS   the native addon's kernels over the wasm ones (./native/index.ts), switched by setNativeKernels.
// CUSTOM_GRADIENTS: one registered gradient per custom op's kernel, shared by every backend.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerGradient, type GradConfig } from '@tensorflow/tfjs-core';
import { batchNormTrainActGradConfig, batchNormTrainGradConfig } from '../ops/batchnorm/gradient.js';
import { dgcHeadsGradConfig } from '../ops/dgc/gradient.js';
import { dgcStackHeadsGradConfig } from '../ops/dgc/stack_heads_gradient.js';
import { dgcTrainGradConfig } from '../ops/dgc/train_gradient.js';
import { groupConv2dGradConfig } from '../ops/group_conv/gradient.js';
import { pixGateGradConfig } from '../ops/pix/gate_gradient.js';
import { pixGradConfig } from '../ops/pix/gradient.js';
import { dgcEvalCpuConfig } from './cpu/DgcEval.js';
import { dgcHeadsCpuConfig, dgcHeadsGradCpuConfig } from './cpu/DgcHeads.js';
import { pixCpuConfig } from './cpu/Pix.js';
import { pixGradCpuConfig } from './cpu/PixGrad.js';
import { installKernels, type CustomKernel } from './install.js';
import { setNativeKernels } from './native/index.js';
import { conv2DBackpropFilterWasmConfig } from './wasm/Conv2DBackpropFilter.js';
import { conv2DBackpropInputWasmConfig } from './wasm/Conv2DBackpropInput.js';
import { depthwiseConv2dNativeBackpropFilterWasmConfig } from './wasm/DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputWasmConfig } from './wasm/DepthwiseConv2dNativeBackpropInput.js';
import { maxPoolGradWasmConfig } from './wasm/MaxPoolGrad.js';
import { pixWasmConfig } from './wasm/Pix.js';
import { pixGradWasmConfig } from './wasm/PixGrad.js';
import { addNWebGPUKernel } from './webgpu/AddN.js';
import { dgcEvalWebGPUConfig } from './webgpu/DgcEval.js';
import { dgcHeadsGradWebGPUConfig, dgcHeadsWebGPUConfig } from './webgpu/DgcHeads.js';
import { pixWebGPUConfig } from './webgpu/Pix.js';
import { pixGradWebGPUConfig } from './webgpu/PixGrad.js';
import { setWebGPUKernels } from './webgpu/index.js';

export const CUSTOM_KERNELS: readonly CustomKernel[] = [
  pixCpuConfig, pixGradCpuConfig, dgcHeadsCpuConfig, dgcHeadsGradCpuConfig, dgcEvalCpuConfig,
  pixWasmConfig, pixGradWasmConfig,
  // the wasm training kernels tfjs 4.22 lacks (or has wrong)
  conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig, depthwiseConv2dNativeBackpropFilterWasmConfig,
  depthwiseConv2dNativeBackpropInputWasmConfig, maxPoolGradWasmConfig,
];

export const WEBGPU_KERNELS: readonly CustomKernel[] = [
  pixWebGPUConfig, pixGradWebGPUConfig, dgcHeadsWebGPUConfig, dgcHeadsGradWebGPUConfig, dgcEvalWebGPUConfig, addNWebGPUKernel,
];

export const CUSTOM_GRADIENTS: readonly GradConfig[] = [
  pixGradConfig, pixGateGradConfig, dgcHeadsGradConfig, dgcTrainGradConfig, dgcStackHeadsGradConfig, groupConv2dGradConfig, batchNormTrainGradConfig,
  batchNormTrainActGradConfig,
];

installKernels(CUSTOM_KERNELS);
for (const g of CUSTOM_GRADIENTS) registerGradient(g);
// Last: the native kernels replace the wasm ones above when the addon is present (CHANLAB_NATIVE=0 disables them).
setNativeKernels(true);

let webgpuInstalled = false;

/** Installs WEBGPU_KERNELS and chanlab's switchable webgpu kernels (unless CHANLAB_WEBGPU_KERNELS=0); call once
 *  tfjs-backend-webgpu is imported (src/backend/webgpu.ts does). Idempotent. */
export function installWebGPUKernels(): void {
  if (webgpuInstalled) return;
  installKernels(WEBGPU_KERNELS);
  setWebGPUKernels(process.env.CHANLAB_WEBGPU_KERNELS !== '0');
  webgpuInstalled = true;
}
