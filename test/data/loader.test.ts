// DataLoader: deterministic order and augmentation, exact resume from state(), prefetch, mixup/cutmix targets.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ArrayDataset, type Dataset, type Sample } from '../../src/data/dataset.js';
import { FashionMNIST } from '../../src/data/fashion_mnist.js';
import { DataLoader, mixTransform, smoothTransform, type Batch, type DataLoaderOptions } from '../../src/data/loader.js';
import { cutmixBox, mixBatch, oneHot } from '../../src/data/mix.js';
import { chexMixOptions, cifarTrainTransform, imagenetEvalTransform, imagenetTrainTransform, pixMixOptions } from '../../src/data/presets.js';

/** 50 tiny 8×8×3 images, image i filled with pattern (i, pixel); label i % 10. */
function toy(n = 50): ArrayDataset {
  const px = new Uint8Array(n * 8 * 8 * 3).map((_, k) => (Math.floor(k / 192) * 5 + (k % 192)) & 255);
  return new ArrayDataset(px, Int32Array.from({ length: n }, (_, i) => i % 10), [8, 8, 3], 10);
}

const randomCropFlip: DataLoaderOptions['transform'] = (img, rng) => {
  // a random 6×6 window + random flip, to make augmentation randomness visible in the output
  const top = rng.randint(3), left = rng.randint(3), flip = rng.random() < 0.5;
  const out = new Float32Array(6 * 6 * 3);
  for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) for (let c = 0; c < 3; c++) {
    const sx = flip ? 5 - x : x;
    out[(y * 6 + x) * 3 + c] = img.data[((top + y) * 8 + left + sx) * 3 + c]! / 255;
  }
  return { data: out, height: 6, width: 6, channels: 3 };
};

async function collect(loader: DataLoader, maxBatches = Infinity): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader) {
    out.push(b);
    if (out.length >= maxBatches) break;
  }
  return out;
}
const sig = (b: Batch) => [Array.from(b.indices), Array.from(b.y), Buffer.from(b.x.buffer).toString('base64')];

describe('DataLoader', () => {
  const base = (o: Partial<DataLoaderOptions> = {}): DataLoaderOptions => ({
    dataset: toy(), batchSize: 8, shuffle: true, seed: 7, transform: randomCropFlip, ...o,
  });

  it('batch shapes, dropLast, all samples once per epoch, NHWC float32', async () => {
    const keep = await collect(new DataLoader(base()));
    expect(keep.map((b) => b.shape[0])).toEqual([8, 8, 8, 8, 8, 8, 2]);
    expect(keep[0]!.shape).toEqual([8, 6, 6, 3]);
    expect(keep[0]!.x).toBeInstanceOf(Float32Array);
    expect(keep[0]!.y).toBeInstanceOf(Int32Array);
    const all = keep.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const drop = new DataLoader(base({ dropLast: true }));
    expect(drop.batchesPerEpoch).toBe(6);
    expect((await collect(drop)).length).toBe(6);
    // without shuffle: 0..N−1 in order; label checks
    const seq = await collect(new DataLoader(base({ shuffle: false })));
    expect(Array.from(seq[1]!.indices)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(Array.from(seq[1]!.y)).toEqual([8, 9, 0, 1, 2, 3, 4, 5]);
  });

  it('same seed → identical batches; other seed or epoch → different order and augmentation', async () => {
    const a = (await collect(new DataLoader(base()))).map(sig);
    const b = (await collect(new DataLoader(base({ prefetch: 0 })))).map(sig);
    expect(b).toEqual(a);
    const c = (await collect(new DataLoader(base({ seed: 8 })))).map(sig);
    expect(c[0]![0]).not.toEqual(a[0]![0]);
    const l = new DataLoader(base());
    await collect(l);
    expect(l.state()).toEqual({ epoch: 1, position: 0 });
    const e1 = (await collect(l)).map(sig);
    expect(e1[0]![0]).not.toEqual(a[0]![0]);
    // same sample in two epochs gets different augmentation (its rng depends on the epoch)
    const noShuffle = new DataLoader(base({ shuffle: false }));
    const s0 = (await collect(noShuffle))[0]!;
    const s1 = (await collect(noShuffle))[0]!;
    expect(Array.from(s1.indices)).toEqual(Array.from(s0.indices));
    expect(Buffer.from(s1.x.buffer).equals(Buffer.from(s0.x.buffer))).toBe(false);
  });

  it('resumes mid-epoch at the exact next batch from a saved state (JSON round trip)', async () => {
    const full = new DataLoader(base());
    const ref = [...(await collect(full)), ...(await collect(full))].map(sig); // epochs 0 and 1
    const first = new DataLoader(base());
    const got: Batch[] = [];
    let saved = '';
    for await (const b of first) {
      got.push(b);
      if (got.length === 3) {
        saved = JSON.stringify(first.state());
        break;
      }
    }
    expect(JSON.parse(saved)).toEqual({ epoch: 0, position: 3 });
    const resumed = DataLoader.fromState(base(), JSON.parse(saved));
    got.push(...(await collect(resumed)), ...(await collect(resumed)));
    expect(got.map(sig)).toEqual(ref);
    // state saved after the last batch of an epoch points at the next epoch
    const l = DataLoader.fromState(base(), { epoch: 0, position: 6 });
    const last = await collect(l);
    expect(last.length).toBe(1);
    expect(l.state()).toEqual({ epoch: 1, position: 0 });
    expect(() => l.loadState({ epoch: 0, position: 8 })).toThrow(/state.position: expected an integer in \[0, 7\]/);
    expect(() => new DataLoader(base({ batchSize: 0 }))).toThrow(/batchSize/);
  });

  it('batchAt is random access and equals the iterated batch', async () => {
    const l = new DataLoader(base({ batchTransform: mixTransform({ numClasses: 10, mixupAlpha: 0.8, cutmixAlpha: 1 }) }));
    const it1 = await collect(l);
    const again = await l.batchAt(0, 4);
    expect(sig(again)).toEqual(sig(it1[4]!));
    expect(Array.from(again.softY!)).toEqual(Array.from(it1[4]!.softY!));
  });

  it('prefetch builds ahead while the consumer awaits, without blocking the event loop', async () => {
    let gets = 0;
    const slow: Dataset = {
      length: 40, numClasses: 2, imageShape: [4, 4, 1],
      get(i: number): Sample {
        gets++;
        const t = Date.now();
        while (Date.now() - t < 1); // ~1 ms of CPU per sample
        return { image: { data: new Uint8Array(16).fill(i), height: 4, width: 4, channels: 1 }, label: i % 2 };
      },
    };
    const l = new DataLoader({ dataset: slow, batchSize: 4, prefetch: 2, chunkMs: 2 });
    const it = l[Symbol.asyncIterator]();
    await it.next();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await new Promise((r) => setTimeout(r, 60)); // "training" on batch 0
    clearInterval(timer);
    expect(gets).toBe(12); // batch 0 + two prefetched batches, no more
    expect(ticks).toBeGreaterThan(5); // timers ran while batches were being built
    await it.return(undefined);
    expect(l.state()).toEqual({ epoch: 0, position: 1 });
  });

  it('real Fashion-MNIST batches', async () => {
    const ds = new FashionMNIST({ split: 'test' });
    const l = new DataLoader({ dataset: ds, batchSize: 256, shuffle: true, seed: 1 });
    const t0 = performance.now();
    const bs = await collect(l);
    const ms = performance.now() - t0;
    expect(bs.length).toBe(40);
    expect(bs[0]!.shape).toEqual([256, 28, 28, 1]);
    const b = bs[3]!;
    const idx = b.indices[5]!;
    expect(b.y[5]).toBe(ds.get(idx).label);
    expect(b.x[5 * 784 + 400]).toBeCloseTo(ds.get(idx).image.data[400]! / 255, 6);
    console.log(`Fashion-MNIST test epoch (10k, batch 256): ${ms.toFixed(0)} ms`);
  });
});

describe('mixup / cutmix', () => {
  const mk = (n: number, h = 8, w = 10, c = 2) => {
    const x = new Float32Array(n * h * w * c).map((_, k) => Math.floor(k / (h * w * c)));
    const y = Int32Array.from({ length: n }, (_, i) => (i * 3) % 5);
    return { x, y, shape: [n, h, w, c] as [number, number, number, number] };
  };

  it('soft labels sum to 1 and carry λ and 1 − λ', () => {
    const rng = new Rng(5);
    let sawMix = 0, sawCut = 0;
    for (let t = 0; t < 40; t++) {
      const { x, y, shape } = mk(6);
      const r = mixBatch(x, shape, y, rng, { numClasses: 5, mixupAlpha: 0.8, cutmixAlpha: 1.0, labelSmoothing: 0.1 });
      for (let i = 0; i < 6; i++) {
        const row = r.softY.subarray(i * 5, i * 5 + 5);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        const off = 0.1 / 5, on = 1 - 0.1 + off;
        const want = new Array(5).fill(off).map((v, k) => (k === y[i] ? on : v) * r.lam + (k === y[5 - i] ? on : off) * (1 - r.lam));
        for (let k = 0; k < 5; k++) expect(row[k]).toBeCloseTo(want[k]!, 6);
      }
      if (r.method === 'mixup') {
        sawMix++;
        // image i = λ·i + (1−λ)·(5 − i)
        expect(x[2 * 160 + 7]).toBeCloseTo(r.lam * 2 + (1 - r.lam) * 3, 5);
      } else if (r.method === 'cutmix') {
        sawCut++;
        const [yl, yh, xl, xh] = r.box!;
        expect(r.lam).toBeCloseTo(1 - ((yh - yl) * (xh - xl)) / 80, 10);
        // pixels inside the box come from the partner, outside from the image itself
        let inside = 0;
        for (let yy = 0; yy < 8; yy++) for (let xx = 0; xx < 10; xx++) {
          const v = x[1 * 160 + (yy * 10 + xx) * 2]!;
          const inBox = yy >= yl && yy < yh && xx >= xl && xx < xh;
          expect(v).toBe(inBox ? 4 : 1);
          inside += inBox ? 1 : 0;
        }
        expect(inside).toBe((yh - yl) * (xh - xl));
      }
    }
    expect(sawMix).toBeGreaterThan(5);
    expect(sawCut).toBeGreaterThan(5);
  });

  it('timm rand_bbox geometry by hand, prob 0 → no mixing, permute pairing', () => {
    // λ = 0.75 → ratio 0.5; H 8 W 10 → cut 4 × 5; centre draws (cy, cx) = (1, 9) → rows 0..3, cols 7..10 (clipped)
    const draws = [1, 9];
    const src = { random: () => 0, uniform: () => 0, beta: () => 0, randint: () => draws.shift()!, normal: () => 0 };
    expect(cutmixBox(8, 10, 0.75, src)).toEqual([0, 3, 7, 10]);
    const { x, y, shape } = mk(4);
    const before = x.slice();
    const r = mixBatch(x, shape, y, new Rng(1), { numClasses: 5, mixupAlpha: 1, prob: 0, labelSmoothing: 0 });
    expect(r.method).toBe('none');
    expect(x).toEqual(before);
    expect(Array.from(r.softY)).toEqual(Array.from(oneHot(y, 5)));
    const p = mixBatch(mk(16).x, [16, 8, 10, 2], mk(16).y, new Rng(2), { numClasses: 5, mixupAlpha: 0.2, pairing: 'permute', labelSmoothing: 0 });
    expect(Array.from(p.partner).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(Array.from(p.partner)).not.toEqual(Array.from({ length: 16 }, (_, i) => 15 - i));
    // the paper recipes: PiX targets use off 1e-4 / on 0.9001 for 1000 classes; CHEX keeps hard one-hot mixing
    const big = mixBatch(mk(4).x, [4, 8, 10, 2], Int32Array.from([1, 2, 3, 4]), new Rng(9), { ...pixMixOptions(), prob: 0 });
    expect(big.softY[0]).toBeCloseTo(1e-4, 9);
    expect(big.softY[1]).toBeCloseTo(0.9001, 6);
    const ch = mixBatch(mk(4).x, [4, 8, 10, 2], Int32Array.from([1, 2, 3, 4]), new Rng(9), chexMixOptions(5));
    expect(ch.method).toBe('mixup');
    for (let i = 0; i < 4; i++) expect(ch.softY[i * 5 + [1, 2, 3, 4][i]!]! + ch.softY[i * 5 + [1, 2, 3, 4][ch.partner[i]!]!]!).toBeCloseTo(ch.partner[i] === i ? 2 : 1, 5);
    const s = smoothTransform(5, 0.1)({ x: new Float32Array(0), y: Int32Array.from([2]), shape: [1, 0, 0, 0], indices: new Int32Array(1), epoch: 0, batch: 0 }, new Rng(0));
    expect(Array.from(s.softY!)).toEqual(Array.from(new Float32Array([0.02, 0.02, 0.92, 0.02, 0.02])));
  });
});

describe('presets', () => {
  it('CIFAR train / ImageNet train and eval produce the expected shapes, deterministic per rng', () => {
    const cifar = { data: new Uint8Array(32 * 32 * 3).fill(128), height: 32, width: 32, channels: 3 };
    const c = cifarTrainTransform()(cifar, new Rng(1));
    expect([c.height, c.width, c.channels]).toEqual([32, 32, 3]);
    expect(c.data).toBeInstanceOf(Float32Array);
    const img = { data: new Uint8Array(375 * 500 * 3).map((_, i) => (i * 7) & 255), height: 375, width: 500, channels: 3 };
    const t0 = performance.now();
    const tr = imagenetTrainTransform()(img, new Rng(3));
    const t1 = performance.now();
    const ev = imagenetEvalTransform()(img, new Rng(3));
    const t2 = performance.now();
    expect([tr.height, tr.width, ev.height, ev.width]).toEqual([224, 224, 224, 224]);
    expect(Array.from(imagenetTrainTransform()(img, new Rng(3)).data)).toEqual(Array.from(tr.data));
    console.log(`375×500 → train RRC 224: ${(t1 - t0).toFixed(1)} ms, eval resize 256 + crop: ${(t2 - t1).toFixed(1)} ms`);
  });
});
