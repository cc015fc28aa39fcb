// The small DGC training run of the DGC tests: a two-stage DyDenseNet on synthetic 28×28×1 data, 2 epochs of batch
// 16, SGD with Nesterov momentum and a cosine schedule, the lasso term weighted 1e-5, on wasm.
import type { TrainConfig } from '../../src/train/config.js';

export function smallDgcRun(trainSize: number, testSize: number, over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    model: 'dydensenet_fashion_mnist',
    modelConfig: { stages: [2, 2], growth: [8, 16] },
    data: { dataset: 'synthetic', synthetic: { trainSize, testSize, height: 28, width: 28, channels: 1, numClasses: 10 }, prefetch: 0 },
    epochs: 2,
    batchSize: 16,
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4, weightDecayFilter: 'all' },
    schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
    loss: { kind: 'ce', labelSmoothing: 0 },
    auxLossWeight: 1e-5,
    seed: 0,
    backend: 'wasm',
    logEvery: 1,
    ...over,
  };
}
