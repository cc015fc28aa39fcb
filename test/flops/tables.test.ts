import { describe, expect, it } from 'vitest';
import { dyDenseNetGraph, dyResNet18Graph, pixResnetGraph, resnetGraph } from '../../src/flops/analytic.js';
import { priceGraph } from '../../src/flops/counter.js';
import { chexBaselinesTable, dgcTable, formatTable, generateTables, pixMainTable } from '../../repro/flops-tables.js';

describe('PiX main table (pix.md §5.6–5.7, §8.5)', () => {
  it('exact params and counts under every convention', async () => {
    const t = await pixMainTable();
    const got = t.rows.map((r) => [r.model, r.params, r.conv_fc_macs, r.torchprofile, r.ptflops, r.pix_supplement]);
    expect(got).toEqual([
      ['ResNet-50', 25_557_032, 4_089_184_256, 4_100_300_288, 4_121_925_096, 4_143_349_248],
      ['ResNet-50 + PiX', 25_549_480, 3_155_824_640, 3_165_047_104, 3_188_465_128, 3_209_804_032],
      ['ResNet-101', 44_549_160, 7_801_405_440, 7_817_639_424, 7_849_500_136, 7_881_160_192],
      ['ResNet-101 + PiX', 44_532_904, 5_999_038_464, 6_012_543_296, 6_047_885_800, 6_080_331_008],
      ['ResNet-152', 60_192_808, 11_513_626_624, 11_536_182_784, 11_580_687_848, 11_624_992_256],
      ['ResNet-152 + PiX', 60_168_872, 8_841_465_856, 8_860_254_528, 8_910_333_416, 8_956_492_032],
      ['ResNet-50 (ζ=8, half inner width)', 12_381_864, 1_822_031_872, 1_831_504_640, 1_849_842_920, 1_867_980_544],
      ['ResNet-50 + PiX (ζ=8)', 12_378_088, 1_355_352_064, 1_363_884_608, 1_385_922_792, 1_406_827_648],
    ]);
  });

  it('printed precision: params truncated to 0.1M all match; FLOPs rounded to 0.01B match 7 of 8', async () => {
    const t = await pixMainTable();
    expect(t.rows.every((r) => r.params_match === true)).toBe(true);
    expect(t.rows.filter((r) => r.flops_match !== true).map((r) => [r.model, r.flops_printed, r.paper_flops]))
      .toEqual([['ResNet-50 + PiX', '3.19B', '3.18B']]);
    // The paper's reductions are computed from its own rounded FLOPs and truncated to 0.1.
    for (const r of t.rows.filter((x) => x.paper_reduction_pct !== null)) {
      expect(Math.trunc(Number(r.reduction_from_paper_pct) * 10) / 10).toBe(Number(r.paper_reduction_pct));
    }
  });

  it('the 16 PiX modules cost 13,677,312 by the supplement convention and the squeeze convs 937,689,088 MACs', () => {
    const g = pixResnetGraph({ layers: [3, 4, 6, 3] });
    const pixOps = g.items.filter((it) => it.tag === 'op' && /\.(global_pool|conv_sqz|sigmoid_sqz|pix)$/.test(it.op.name));
    expect(pixOps).toHaveLength(64);
    expect(priceGraph({ ...g, items: pixOps }, 'pix-supplement').totals.macs).toBe(13_677_312);
    const r = resnetGraph({ block: 'bottleneck', layers: [3, 4, 6, 3] });
    const squeeze = r.items.filter((it) => it.tag === 'op' && /layer\d\.\d+\.conv1$/.test(it.op.name));
    expect(priceGraph({ ...r, items: squeeze }, 'macs').totals.macs).toBe(937_689_088);
  });
});

describe('CHEX baselines (chex.md §6)', () => {
  it('exact integers and 3-decimal G values', () => {
    const t = chexBaselinesTable();
    const base = t.rows.filter((r) => r.chex_macs !== null);
    expect(base.map((r) => r.chex_macs)).toEqual([1_814_074_344, 3_663_762_408, 4_089_185_256, 7_801_406_440]);
    expect(base.map((r) => r.gflops)).toEqual(['1.814', '3.664', '4.089', '7.801']);
    expect(base.every((r) => r.match === true)).toBe(true);
    expect(t.rows.filter((r) => r.chex_macs === null).map((r) => r.derived_reduction_pct)).toEqual([43.2, 45.4, 26.6, 51.1, 75.5, 80.4, 56.4, 75.6]);
  });
});

describe('DGC counts (dgc.md §4)', () => {
  it('CIFAR DyDenseNet-86 71,109,208 / 4,336,900 and 71,037,118 / 4,264,810', () => {
    const c100 = dyDenseNetGraph({ stages: [14, 14, 14], growth: [8, 16, 32], numClasses: 100, input: 32 });
    expect(priceGraph(c100, 'dgc').totals.macs).toBe(71_109_208);
    expect(c100.params).toBe(4_336_900);
    const c10 = dyDenseNetGraph({ stages: [14, 14, 14], growth: [8, 16, 32], numClasses: 10, input: 32 });
    expect(priceGraph(c10, 'dgc').totals.macs).toBe(71_037_118);
    expect(c10.params).toBe(4_264_810);
  });

  it('ImageNet DyDenseNet 549,273,592 / 24,060,664; DyResNet-18 890,396,782.4 / 12,335,144; ResNet-18 1,818,213,864', () => {
    const inet = dyDenseNetGraph({ stages: [4, 6, 8, 10, 8], growth: [8, 16, 32, 64, 128], numClasses: 1000, input: 224 });
    expect(priceGraph(inet, 'dgc').totals.macs).toBe(549_273_592);
    expect(inet.params).toBe(24_060_664);
    const dr = dyResNet18Graph();
    expect(Math.round(priceGraph(dr, 'dgc').totals.macs * 10) / 10).toBe(890_396_782.4);
    expect(dr.params).toBe(12_335_144);
    expect(priceGraph(resnetGraph({ block: 'basic', layers: [2, 2, 2, 2] }), 'dgc').totals.macs).toBe(1_818_213_864);
  });

  it('printed values all match', () => {
    const t = dgcTable();
    expect(t.rows).toHaveLength(8);
    for (const r of t.rows) {
      expect(r.flops_match, String(r.model)).toBe(true);
      if (r.params_match !== null) expect(r.params_match, String(r.model)).toBe(true);
    }
  });
});

describe('rendering', () => {
  it('formats every table with its notes', async () => {
    const ts = await generateTables();
    expect(ts.map((t) => t.id)).toEqual(['pix-supp-table1', 'pix-supp-squeeze', 'pix-main-table1', 'chex-baselines', 'dgc-counts']);
    const text = ts.map(formatTable).join('\n');
    expect(text).toContain('25,557,032');
    expect(text).toContain('note:');
  });
});
