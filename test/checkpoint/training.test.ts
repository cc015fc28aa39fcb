// Training checkpoints: ExtraState (hook state) round trip, and files without it keep the old layout exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import { readExtraState, readTrainCheckpoint, saveTrainCheckpoint, type TrainState } from '../../src/checkpoint/training.js';
import { createModel } from '../../src/zoo/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-ckpt-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('cpu');
});

const STATE: TrainState = {
  model: 'resnet8_small', modelConfig: {}, step: 3, loader: { epoch: 0, position: 3 }, rng: { s: [1, 2, 3, 4] } as unknown as TrainState['rng'],
  optimizer: {}, emaUpdates: 0, epochLossSum: 1.5, epochSamples: 24, bestTop1: null, finished: false,
};

describe('training checkpoint', () => {
  it('ExtraState: tensors under extra.<name>, JSON in the training state, read back equal', async () => {
    const model = createModel('resnet8_small', { widths: [2, 2, 2], inChannels: 1, numClasses: 3 });
    const mask = tf.tensor1d([1, 0, 1, 1], 'float32');
    const count = tf.tensor1d([5, 7], 'int32');
    const p = join(tmp, 'x.safetensors');
    await saveTrainCheckpoint(p, { model, state: STATE, extra: { json: { round: 2, pruned: [1, 3] }, tensors: new Map([['mask', mask], ['count', count]]) } });
    const ck = readTrainCheckpoint(p);
    expect(ck.state!.extra).toEqual({ round: 2, pruned: [1, 3] });
    const ex = readExtraState(ck);
    expect(ex.json).toEqual({ round: 2, pruned: [1, 3] });
    expect([...ex.tensors.keys()]).toEqual(['mask', 'count']);
    expect(Array.from(ex.tensors.get('mask')!.dataSync())).toEqual([1, 0, 1, 1]);
    expect(ex.tensors.get('count')!.dtype).toBe('int32');
    expect(Array.from(ex.tensors.get('count')!.dataSync())).toEqual([5, 7]);
    tf.dispose([...ex.tensors.values(), mask, count]);

    // without ExtraState: no extra.* tensors and no `extra` key in the metadata (the v1 layout as before)
    const q = join(tmp, 'y.safetensors');
    await saveTrainCheckpoint(q, { model, state: STATE });
    const f = readSafetensors(q);
    expect([...f.tensors.keys()].filter((k) => !k.startsWith('model.'))).toEqual([]);
    expect(Object.keys(JSON.parse(f.metadata.chanlab!))).not.toContain('extra');
    expect(f.metadata.format).toBe('chanlab-checkpoint-v1');
    const none = readExtraState(readTrainCheckpoint(q));
    expect(none.json).toEqual({});
    expect(none.tensors.size).toBe(0);
    model.dispose();
  });
});
