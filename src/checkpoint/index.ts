// Checkpoint interop at the model level: load PyTorch checkpoints into chanlab models (torchvision, PiX, CHEX, DGC
// training dicts), export models as .pth, and the `inspect` / `predict` command functions.
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
export { buildModel, inspectCommand, predictCommand, type PredictOptions } from './commands.js';
export { guessArchitecture, stageBlockCounts } from './guess.js';
export { torchToTf, tfToTorch, toMeta, type Meta } from './convert.js';
