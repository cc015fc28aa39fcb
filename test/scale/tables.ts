// Test-only tables for the scale-out scripts (scripts/run-table.mjs, test/scale/): `chanlab repro` loads them through
// CHANLAB_EXTRA_TABLES=test/scale/tables.ts (helpers.ts). `scale-toy`: two training rows on synthetic 8×8 data
// (seconds each on the cpu backend), the first also computes a count with its seed 0; `scale-failing`: a row whose
// computation always fails.
import type { TableDefinition, Tier } from '../../repro/definition.js';
import type { TrainConfig } from '../../src/train/config.js';

function toyConfig(seed: number, lr: number): TrainConfig {
  return {
    model: 'resnet8_small', modelConfig: { widths: [4, 4, 8] },
    data: { dataset: 'synthetic', synthetic: { trainSize: 96, testSize: 16, height: 8, width: 8, channels: 1, numClasses: 3 } },
    epochs: 8, batchSize: 8,
    optimizer: { kind: 'sgd', lr, momentum: 0.9 }, schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
    loss: { kind: 'ce', labelSmoothing: 0 }, seed, backend: 'cpu', logEvery: 4, checkpointEvery: 4,
  };
}

const source = { paper: 'PiX', table: 'none (test table)', doc: 'docs/runs.md' } as const;
const tiers: readonly Tier[] = ['quick'];

export const scaleToy: TableDefinition = {
  id: 'scale-toy', title: 'Scale-out toy table (tests only)', source, tiers,
  metrics: [{ key: 'count', label: 'count', unit: '', decimals: 0 }, { key: 'top1', label: 'top-1', unit: '%', decimals: 2 }],
  rows: [
    { id: 'a', label: 'lr 0.05', config: { lr: 0.05 }, train: { tiers, config: (_t, seed) => toyConfig(seed, 0.05) },
      async compute() {
        return { count: 7 };
      } },
    { id: 'b', label: 'lr 0.02', config: { lr: 0.02 }, metrics: ['top1'], train: { tiers, config: (_t, seed) => toyConfig(seed, 0.02) } },
  ],
  defaultSeeds: { quick: 1 },
};

export const scaleFailing: TableDefinition = {
  id: 'scale-failing', title: 'A row that always fails (tests only)', source, tiers,
  metrics: [{ key: 'count', label: 'count', unit: '', decimals: 0 }],
  rows: [
    { id: 'broken', label: 'always fails', config: {}, async compute() {
      throw new Error('scale-failing/broken fails on purpose');
    } },
  ],
};

export const TABLES: readonly TableDefinition[] = [scaleToy, scaleFailing];
