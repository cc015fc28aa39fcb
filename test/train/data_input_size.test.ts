// `data.inputSize` for the data sets other than ImageNet: every image is resized (PIL-exact bilinear) before the
// augmentation and normalisation, in training and evaluation (the small tier of pix-table1 trains Fashion-MNIST at 56²).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { transformFromSpec } from '../../src/data/presets.js';
import { resizeTo } from '../../src/data/resize.js';
import { specOutputSize } from '../../src/data/transform_spec.js';
import { normalize } from '../../src/data/transforms.js';
import type { DataConfig } from '../../src/train/config.js';
import { buildDatasets, evalTransform, trainTransform } from '../../src/train/data.js';

const cfg = (extra: Partial<DataConfig> = {}): DataConfig => ({
  dataset: 'synthetic', synthetic: { trainSize: 4, testSize: 4, height: 8, width: 8, channels: 1, numClasses: 2 }, ...extra,
});

describe('data.inputSize outside ImageNet', () => {
  it('resizes every image to inputSize² before normalising (train and eval)', async () => {
    const c = cfg({ inputSize: 20 });
    const d = buildDatasets(c, 0);
    const img = (await d.train.get(1)).image;
    const want = normalize(resizeTo(img, 20, 20, 'bilinear'), d.mean, d.std);
    for (const t of [trainTransform(c, d), evalTransform(c, d)]) {
      const got = t(img, new Rng(0));
      expect([got.height, got.width, got.channels]).toEqual([20, 20, 1]);
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
    }
  });

  it('crops at the resized size with crop_flip, and leaves images alone without inputSize', async () => {
    const d = buildDatasets(cfg(), 0);
    const img = (await d.train.get(0)).image;
    const cropped = trainTransform(cfg({ inputSize: 12, augment: 'crop_flip' }), d)(img, new Rng(3));
    expect([cropped.height, cropped.width]).toEqual([12, 12]);
    const plain = evalTransform(cfg(), d)(img, new Rng(0));
    expect([plain.height, plain.width]).toEqual([8, 8]);
  });

  it('keeps a transform spec, so worker threads rebuild the same transform (crop_flip and normalise)', async () => {
    const d = buildDatasets(cfg(), 0);
    const img = (await d.train.get(2)).image;
    for (const c of [cfg({ inputSize: 12, augment: 'crop_flip' }), cfg({ inputSize: 20 })]) {
      for (const t of [trainTransform(c, d), evalTransform(c, d)]) {
        expect(t.spec?.kind).toBe('resized');
        expect(specOutputSize(t.spec!)).toEqual([c.inputSize, c.inputSize]);
        const rebuilt = transformFromSpec(JSON.parse(JSON.stringify(t.spec)));
        expect(Array.from(rebuilt(img, new Rng(5)).data)).toEqual(Array.from(t(img, new Rng(5)).data));
      }
    }
  });
});
