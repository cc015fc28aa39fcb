// The reproduction tables, counted on the real registered models (wasm), and the PiX-ResNet / torchvision ResNet
// oracles (test/flops/oracle_resnet.ts) against the counter's rows on the real models.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { captureGraph, priceGraph } from '../../src/flops/counter.js';
import { CONVENTIONS } from '../../src/flops/conventions.js';
import { formatTable, generateTables, type ReproTable } from '../../repro/flops-tables.js';
import { createModel } from '../../src/zoo/index.js';
import { withoutInit } from '../../src/nn/init.js';
import { pixResnetGraph, resnetGraph } from './oracle_resnet.js';

let tables: Map<string, ReproTable>;
beforeAll(async () => {
  await useBackend('wasm');
  tables = new Map((await generateTables()).map((t) => [t.id, t]));
}, 600_000);

describe('PiX main table (docs/methods/pix.md §5.6–5.7, §8.5)', () => {
  it('exact params and counts under every convention, from the registered models', () => {
    const t = tables.get('pix-main-table1')!;
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
    expect(t.rows.map((r) => r.source)).toContain('model pix_resnet50_cs_z8');
  });

  it('printed precision: params truncated to 0.1M all match; FLOPs rounded to 0.01B match 7 of 8', () => {
    const t = tables.get('pix-main-table1')!;
    expect(t.rows.every((r) => r.params_match === true)).toBe(true);
    expect(t.rows.filter((r) => r.flops_match !== true).map((r) => [r.model, r.flops_printed, r.paper_flops]))
      .toEqual([['ResNet-50 + PiX', '3.19B', '3.18B']]);
    // The paper's reductions are computed from its own rounded FLOPs and truncated to 0.1.
    for (const r of t.rows.filter((x) => x.paper_reduction_pct !== null)) {
      expect(Math.trunc(Number(r.reduction_from_paper_pct) * 10) / 10).toBe(Number(r.paper_reduction_pct));
    }
  });

  it('PiX-ResNet-50: the counter rows on the real model equal the independent oracle under every convention', async () => {
    const m = withoutInit(() => createModel('pix_resnet50_cs'));
    const g = await captureGraph(m, { inputShape: [1, 224, 224, 3] });
    m.dispose();
    const oracle = pixResnetGraph({ layers: [3, 4, 6, 3] });
    expect(g.params).toBe(oracle.params);
    const counted = (rows: Array<{ kind: string; macs: number }>) => rows.filter((r) => r.kind !== 'none').map((r) => r.macs);
    for (const c of CONVENTIONS) expect(counted(priceGraph(g, c).rows), c).toEqual(counted(priceGraph(oracle, c).rows));
    // the 16 PiX samplers (GAP, conv_sqz, sigmoid, fusion) cost 13,677,312 by the supplement convention
    const pixOps = g.items.filter((it) => (it.tag === 'op' ? it.op.name : it.name).match(/\.(global_pool|conv_sqz|sigmoid_sqz|pix)$/));
    expect(pixOps).toHaveLength(64);
    expect(priceGraph({ ...g, items: pixOps }, 'pix-supplement').totals.macs).toBe(13_677_312);
    // and the squeeze convs they replace cost 937,689,088 MACs in ResNet-50
    const r = resnetGraph({ block: 'bottleneck', layers: [3, 4, 6, 3] });
    const squeeze = r.items.filter((it) => it.tag === 'op' && /layer\d\.\d+\.conv1$/.test(it.op.name));
    expect(priceGraph({ ...r, items: squeeze }, 'macs').totals.macs).toBe(937_689_088);
  }, 120_000);
});

describe('CHEX baselines (docs/methods/chex.md §6)', () => {
  it('exact integers and 3-decimal G values', () => {
    const t = tables.get('chex-baselines')!;
    const base = t.rows.filter((r) => r.chex_macs !== null);
    expect(base.map((r) => r.chex_macs)).toEqual([1_814_074_344, 3_663_762_408, 4_089_185_256, 7_801_406_440]);
    expect(base.map((r) => r.gflops)).toEqual(['1.814', '3.664', '4.089', '7.801']);
    expect(base.every((r) => r.match === true)).toBe(true);
    expect(t.rows.filter((r) => r.chex_macs === null).map((r) => r.derived_reduction_pct)).toEqual([43.2, 45.4, 26.6, 51.1, 75.5, 80.4, 56.4, 75.6]);
  });
});

describe('DGC counts (docs/methods/dgc.md §4)', () => {
  it('every row from a registered model (src/methods/dgc/models.ts, torchvision resnet18) matches the printed counts', () => {
    const t = tables.get('dgc-counts')!;
    expect(t.rows).toHaveLength(8);
    const r18 = t.rows.find((r) => r.model === 'ResNet-18 (baseline)')!;
    expect([r18.dgc_flops, r18.flops_printed, r18.flops_match]).toEqual([1_818_213_864, '1.82G', true]);
    const c100 = t.rows.find((r) => r.model === 'DyDenseNet-86 CIFAR-100 (h4, gf .25)')!;
    expect([c100.dgc_flops, c100.params]).toEqual([71_109_208, 4_336_900]);
    for (const r of t.rows) {
      expect(r.source).toMatch(/^model \w+$/);
      expect(r.flops_match, r.model as string).toBe(true);
      if (r.paper_params !== null) expect(r.params_match, r.model as string).toBe(true);
    }
  });
});

describe('rendering', () => {
  it('formats every table with its notes', () => {
    expect([...tables.keys()]).toEqual(['pix-supp-table1', 'pix-supp-squeeze', 'pix-main-table1', 'chex-baselines', 'dgc-counts']);
    const text = [...tables.values()].map(formatTable).join('\n');
    expect(text).toContain('25,557,032');
    expect(text).toContain('note:');
    expect(text).toContain('890.4M'); // dyresnet18 (DGC counts, printed form)
  });
});
