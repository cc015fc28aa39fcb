// The DGC oracle (test/flops/oracle_dgc.ts) reproduces the DGC repository's printed counts (docs/methods/dgc.md §4);
// the real DGC models, once registered, are checked against it.
import { describe, expect, it } from 'vitest';
import { priceGraph } from '../../src/flops/counter.js';
import { PAPER_DGC } from '../../repro/definitions/dgc-models.js';
import { printedLike } from '../../repro/flops-tables.js';
import { dyDenseNetGraph, dyResNet18Graph } from './oracle_dgc.js';
import { resnetGraph } from './oracle_resnet.js';

const CIFAR = { stages: [14, 14, 14], growth: [8, 16, 32], input: 32 as const };
const INET = { stages: [4, 6, 8, 10, 8], growth: [8, 16, 32, 64, 128], numClasses: 1000, input: 224 as const };

describe('DGC oracle (docs/methods/dgc.md §4)', () => {
  it('CIFAR DyDenseNet-86 71,109,208 / 4,336,900 and 71,037,118 / 4,264,810', () => {
    const c100 = dyDenseNetGraph({ ...CIFAR, numClasses: 100 });
    expect(priceGraph(c100, 'dgc').totals.macs).toBe(71_109_208);
    expect(c100.params).toBe(4_336_900);
    const c10 = dyDenseNetGraph({ ...CIFAR, numClasses: 10 });
    expect(priceGraph(c10, 'dgc').totals.macs).toBe(71_037_118);
    expect(c10.params).toBe(4_264_810);
  });

  it('ImageNet DyDenseNet 549,273,592 / 24,060,664; DyResNet-18 890,396,782.4 / 12,335,144; ResNet-18 1,818,213,864', () => {
    const inet = dyDenseNetGraph(INET);
    expect(priceGraph(inet, 'dgc').totals.macs).toBe(549_273_592);
    expect(inet.params).toBe(24_060_664);
    const dr = dyResNet18Graph();
    expect(Math.round(priceGraph(dr, 'dgc').totals.macs * 10) / 10).toBe(890_396_782.4);
    expect(dr.params).toBe(12_335_144);
    expect(priceGraph(resnetGraph({ block: 'basic', layers: [2, 2, 2, 2] }), 'dgc').totals.macs).toBe(1_818_213_864);
  });

  it('every printed count of the DGC table is reproduced by the oracle at the printed precision', () => {
    const graphs = [
      dyDenseNetGraph({ ...CIFAR, numClasses: 100 }), dyDenseNetGraph({ ...CIFAR, numClasses: 10 }), dyDenseNetGraph(INET),
      dyResNet18Graph(), resnetGraph({ block: 'basic', layers: [2, 2, 2, 2] }),
      dyDenseNetGraph({ ...CIFAR, numClasses: 10, static1x1Groups: 1 }), dyDenseNetGraph({ ...CIFAR, numClasses: 10, static1x1Groups: 4 }),
      dyDenseNetGraph({ ...INET, static1x1Groups: 4 }),
    ];
    expect(graphs).toHaveLength(PAPER_DGC.length);
    PAPER_DGC.forEach((p, i) => {
      const g = graphs[i]!;
      expect(printedLike(priceGraph(g, 'dgc').totals.macs, p.printedFlops), p.label).toBe(p.printedFlops);
      if (p.printedParams) expect(printedLike(g.params, p.printedParams), p.label).toBe(p.printedParams);
    });
  });
});
