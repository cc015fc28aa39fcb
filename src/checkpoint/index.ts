// Checkpoints, all in one place:
//  - PyTorch checkpoints (.pth / .pth.tar) at the model level: find the state dict (state_dict.ts, with the one
//    `module.` prefix rule), load into chanlab models (torchvision, PiX, CHEX, DGC training dicts), export models as
//    .pth, summaries and the `inspect` / `predict` command functions. The byte formats live in src/interop.
//  - chanlab training checkpoints: a safetensors-style file (safetensors.ts) holding model, EMA, optimiser and
//    training state (training.ts), written atomically, read back for exact resume and `eval`.
export { flattenStateDict, stripPrefix, stripKey, MODULE_PREFIX, STATE_DICT_KEYS } from './state_dict.js';
export { describeCheckpoint, type DescribeOptions } from './describe.js';
export {
  loadCheckpointIntoModel, readCheckpoint, checkpointShapes,
  type Checkpoint, type CheckpointMetadata, type CheckpointSource, type LoadCheckpointOptions, type LoadCheckpointResult,
  type ReadOptions,
} from './load.js';
export {
  loadChexCheckpoint, inferChexConfig, chexModelFromCheckpoint, compactChexState,
  type LoadChexOptions, type LoadChexResult, type CompactResult,
} from './chex.js';
export { saveModelAsTorch, modelStateAsTorch, type SaveModelOptions } from './export.js';
export { saveDgcCheckpoint, type DgcCheckpointMeta } from './dgc.js';
export { buildModel, inspectCommand, predictCommand, type PredictOptions } from './commands.js';
export { guessArchitecture, stageBlockCounts } from './guess.js';
export { torchToTf, tfToTorch, toMeta, type Meta } from './convert.js';
export {
  encodeSafetensors, decodeSafetensors, readSafetensors, writeSafetensors,
  type StDtype, type StArray, type StTensor, type StFile,
} from './safetensors.js';
export {
  CHECKPOINT_FORMAT, saveTrainCheckpoint, readTrainCheckpoint, checkpointStateDict, loadCheckpointWeights, loadOptimizer,
  checkFiniteWeights, type LoadWeightsOptions,
  readExtraState,
  type TrainState, type CheckpointParts, type LoadedCheckpoint, type ExtraState, type OptimizerSnapshot,
  type CheckpointableOptimizer,
} from './training.js';
