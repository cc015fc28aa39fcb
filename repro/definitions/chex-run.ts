// The network a CHEX training run explored, physically compacted (docs/methods/chex.md §7.5): compact.pth.tar and
// compact.json in the run directory (as `chanlab train` writes them), and its MACs and parameters.
import { join } from 'node:path';
import { inferChexConfig, loadChexCheckpoint, resnetDepth } from '../../src/checkpoint/chex.js';
import { compactCheckpoint, readMaskedStateDict } from '../../src/checkpoint/chex_compact.js';
import { writeJsonAtomic } from '../../src/core/fs.js';
import { captureGraph, priceGraph } from '../../src/flops/counter.js';
import type { Convention } from '../../src/flops/conventions.js';

/** { macs, params } of the compacted network of the CHEX run in `runDir` on [1, side, side, channels] under `convention`. */
export async function compactedChexRun(runDir: string, side: number, channels: number, convention: Convention): Promise<{ macs: number; params: number }> {
  const final = join(runDir, 'final.safetensors');
  const shapes = new Map([...readMaskedStateDict(final)].map(([k, t]) => [k, t.shape]));
  const depth = resnetDepth(inferChexConfig(shapes));
  const out = join(runDir, 'compact.pth.tar');
  const report = await compactCheckpoint({ model: `resnet${depth}`, checkpoint: final, out, input: side });
  writeJsonAtomic(join(runDir, 'compact.json'), report);
  const m = loadChexCheckpoint(out).model;
  try {
    const g = await captureGraph(m, { inputShape: [1, side, side, channels], countZeros: convention === 'chex' });
    return { macs: priceGraph(g, convention).totals.macs, params: g.params };
  } finally {
    m.dispose();
  }
}
