// The small ResNet training runs of the training tests: resnet8_small on synthetic one-channel square images of 3
// classes, 2 epochs of batch 8 on cpu, a log line every step and a checkpoint every 2 steps, unless `run` says otherwise.
import type { DataConfig, TrainConfig } from '../../src/train/config.js';

type Run = Pick<TrainConfig, 'optimizer' | 'schedule' | 'loss' | 'seed'> & Partial<TrainConfig>;

/** `size`×`size` images, `trainSize`/`testSize` of them; `data`: augmentation and other loader settings. */
export function smallResnetRun(widths: number[], [trainSize, testSize, size]: [number, number, number], data: Partial<DataConfig>,
  run: Run): TrainConfig {
  return {
    model: 'resnet8_small',
    modelConfig: { widths },
    data: { dataset: 'synthetic', synthetic: { trainSize, testSize, height: size, width: size, channels: 1, numClasses: 3 }, ...data },
    epochs: 2, batchSize: 8, backend: 'cpu', logEvery: 1, checkpointEvery: 2,
    ...run,
  };
}
