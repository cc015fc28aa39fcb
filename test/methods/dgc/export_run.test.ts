// A chanlab DGC run exported back to the official training-script format (`chanlab dgc export`) and loaded the way the
// official main.py resumes, by PyTorch (scripts/fixtures/check_dgc_export.py, torch 1.13): module. keys, epoch,
// best_prec1, the SGD state with every momentum buffer on its parameter, and the same eval logits.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { loadCheckpointWeights, readTrainCheckpoint } from '../../../src/checkpoint/training.js';
import { writeNpy } from '../../../src/interop/npy.js';
import { TorchTensor } from '../../../src/interop/tensor.js';
import { dgcLayers } from '../../../src/methods/dgc/index.js';
import { run as dgcCli } from '../../../src/cli/commands/dgc.js';
import { exportDgcRun } from '../../../src/train/dgc_export.js';
import { train } from '../../../src/train/loop.js';
import { createModel } from '../../../src/zoo/index.js';
import { expectLogitsClose, logitsOf, py, tmp } from '../../checkpoint/helpers.js';
import { smallDgcRun } from '../../helpers/dgc_run.js';

const config = smallDgcRun(48, 16);

it('exports a chanlab DGC run to the official .pth.tar, which PyTorch loads and resumes from with the same logits', async () => {
  const dir = join(tmp(), 'run');
  await train({ config, runDir: dir });
  const out = join(tmp(), 'exported.pth.tar');
  const r = exportDgcRun({ from: dir, out, which: 'final' });
  const ck = readTrainCheckpoint(join(dir, 'final.safetensors'));
  expect(r).toMatchObject({ model: 'dydensenet_fashion_mnist', epoch: 1, dgcLayers: 4, bestPrec1: ck.state!.bestTop1 });

  // chanlab's own model and momentum buffers, for comparison
  const m = createModel(ck.state!.model, ck.state!.modelConfig);
  loadCheckpointWeights(m, ck, 'model', ck.state!.model);
  const params = [...m.namedParameters()].map(([n]) => n);
  expect(r.momentumBuffers).toBe(params.length);
  const x = tf.randomNormal([3, 1, 28, 28], 0, 1, 'float32', 7);
  const xPath = join(tmp(), 'x.npy');
  writeNpy(xPath, new TorchTensor('float32', x.shape, Float32Array.from(x.dataSync() as Float32Array)));
  x.dispose();
  const mine = logitsOf(m, xPath);
  const inactive = Object.fromEntries(dgcLayers(m).map(([n, l]) => [`${n}._inactive_channels`, l.inactiveChannels]));
  m.dispose();

  const spec = JSON.stringify({ stages: [2, 2], growth: [8, 16], classes: 10, cifar: false, in_ch: 1 });
  const res = JSON.parse(py('import runpy; sys.argv = ["check_dgc_export.py"] + sys.argv[1:]; runpy.run_path("scripts/fixtures/check_dgc_export.py", run_name="__main__")', out, xPath, spec)) as {
    epoch: number; best_prec1: number; inactive: Record<string, number>; logits: number[]; buffers: Record<string, number>; params: number;
  };
  expect(res.epoch).toBe(1);
  expect(res.best_prec1).toBeCloseTo(r.bestPrec1, 5);
  expect(res.inactive).toEqual(inactive);
  expect(Object.values(inactive).every((v) => v > 0)).toBe(true); // the schedule ran: the checkpoint is pruned
  expect(res.params).toBe(params.length);
  // every momentum buffer sits on the parameter of the same name (sums are layout-independent)
  expect(Object.keys(res.buffers).sort()).toEqual([...params].sort());
  for (const [name, t] of ck.file.tensors) {
    if (!name.startsWith('optim.') || !name.endsWith('.momentum_buffer')) continue;
    const p = name.slice('optim.'.length, -'.momentum_buffer'.length);
    let s = 0;
    for (const v of t.data as Float32Array) s += v;
    expect(res.buffers[p]).toBeCloseTo(s, 4);
  }
  expectLogitsClose(mine, Float32Array.from(res.logits));
}, 300_000);

it('the CLI exports a run and names bad input', async () => {
  const dir = join(tmp(), 'missing');
  await expect(dgcCli(['export', '--from', dir, '--out', join(tmp(), 'x.pth.tar')])).rejects.toThrow(/from: .* does not exist/);
  await expect(dgcCli(['compact'])).rejects.toThrow(/unknown subcommand 'compact'/);
  expect(() => exportDgcRun({ from: tmp(), out: join(tmp(), 'y.pth.tar') })).toThrow(/has no last\.safetensors/);
});
