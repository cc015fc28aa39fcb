// chanlab's public API: what users call. Core names are flat; larger areas are namespaces so names stay
// unambiguous (`data.FashionMNIST`, `flops.countFlops`, `checkpoint.loadCheckpointIntoModel`, `train.runTraining`).
// CLI commands, benchmarks and file utilities are internal and not exported here.

// Backends
export {
  useBackend, probeBackends, describeActive, releaseBackends, DEFAULT_BACKEND, BACKEND_NAMES,
  type BackendName, type BackendAvailability,
} from './backend/select.js';
export { enableWasmThreads } from './kernels/wasm/threads.js';

// Randomness
export { Rng, type RngState } from './core/rng.js';

// Module system and layers (PyTorch-like, NHWC activations, PyTorch state-dict keys and layouts)
export * from './nn/index.js';

// Models and the model zoo
export { createModel, listModels, getModelEntry, hasModel, type ModelConfig, type ModelEntry } from './zoo/index.js';
export {
  ResNet, BasicBlock, Bottleneck, ResNetBase, VGG, VGG_CFGS, ChexResNet,
  type ResNetConfig, type VGGConfig, type ChexResNetConfig, type Stem,
} from './models/index.js';

// PiX: the op and the method
export * from './ops/pix/index.js';
export * from './methods/pix/index.js';
// DGC: the layer, its models and checkpoints
export * from './methods/dgc/index.js';

// Areas
export * as data from './data/index.js';
export * as flops from './flops/index.js';
export * as latency from './latency/index.js';
export * as interop from './interop/index.js';
export * as checkpoint from './checkpoint/index.js';
export * as train from './train/index.js';
export * as viz from './viz/index.js';
