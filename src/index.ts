// chanlab's public API.
//
// Core: backends, the module system, models and their registry, the PiX op and layers. Larger areas are exported
// as namespaces (data, flops, latency, interop, checkpoint, train) to keep names unambiguous.
import './models/chex_resnet.js';
import './methods/pix/index.js';

export * from './backend/index.js';
export { enableWasmThreads } from './kernels/wasm/threads.js';
export { Rng, type RngState } from './core/rng.js';
export { writeFileAtomic, writeJsonAtomic } from './core/fs.js';
export * from './nn/index.js';
export * from './models/index.js';
export * from './models/chex_resnet.js';
export * from './ops/pix/index.js';
export * from './methods/pix/index.js';

export * as data from './data/index.js';
export * as flops from './flops/index.js';
export * as latency from './latency/index.js';
export * as interop from './interop/index.js';
export * as checkpoint from './checkpoint/index.js';
export * as train from './train/index.js';
export * as bench from './bench/index.js';
export * as viz from './viz/index.js';
