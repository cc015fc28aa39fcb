// Imports every custom kernel and gradient so they register with tfjs. Kernel modules append themselves here.
export {};
import '../ops/pix/gradient.js';
import '../ops/pix/gate_gradient.js';
import './cpu/Pix.js';
import './cpu/PixGrad.js';
import './wasm/Pix.js';
import './wasm/PixGrad.js';
import './webgpu/Pix.js';
import './webgpu/PixGrad.js';
import '../ops/dgc/gradient.js';
import './cpu/DgcHeads.js';
import './webgpu/DgcHeads.js';
import './wasm/Conv2DBackpropFilter.js';
import './wasm/Conv2DBackpropInput.js';
import './wasm/DepthwiseConv2dNativeBackpropFilter.js';
import './wasm/DepthwiseConv2dNativeBackpropInput.js';
import './wasm/MaxPoolGrad.js';
// Last: the native kernels replace the wasm ones above when the addon is present (CHANLAB_NATIVE=0 disables them).
import { setNativeKernels } from './native/index.js';
setNativeKernels(true);
