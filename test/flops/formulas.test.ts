import { describe, expect, it } from 'vitest';
import {
  cbamFormula, dgcHiddenWidth, dgcLayerCost, dgcLayerParams, fbsFormula, pixFormula, pixSqueezeMemory,
  seFormula, squeezeExample, squeezeFormula,
} from '../../src/flops/formulas.js';
import { PIX_SQUEEZE_PRINTED } from '../../repro/definitions/pix-squeeze.js';
import { fbsConsistentK, squeezeExampleTable, supplementTable1, truncateScaled } from '../../repro/flops-tables.js';
import { printedDecimals } from '../../repro/status.js';

describe('supplement Table 1 formulas (docs/methods/pix.md §8.1)', () => {
  it('gives the exact formula values at C = 512', () => {
    const C = 512;
    const at = (s: number) => ({ C, H: s, W: s });
    expect([112, 56, 28].map((s) => seFormula(at(s)).flops)).toEqual([12_879_904, 3_246_112, 837_664]);
    expect([112, 56, 28].map((s) => cbamFormula(at(s)).flops)).toEqual([38_645_792, 9_687_968, 2_448_512]);
    expect([112, 56, 28].map((s) => fbsFormula({ ...at(s), k: 0 }).flops)).toEqual([45_221_888, 11_503_616, 3_074_048]);
    expect([112, 56, 28].map((s) => pixFormula({ ...at(s), zeta: 1 }).flops)).toEqual([6_686_720, 1_869_824, 665_600]);
    expect([112, 56, 28].map((s) => 4 * seFormula(at(s)).memoryElements)).toEqual([25_694_336, 6_426_752, 1_609_856]);
    expect([112, 56, 28].map((s) => 4 * cbamFormula(at(s)).memoryElements)).toEqual([51_639_424, 12_916_096, 3_235_264]);
    expect([112, 56, 28].map((s) => 4 * fbsFormula(at(s)).memoryElements)).toEqual([51_384_320, 12_849_152, 3_215_360]);
    expect([112, 56, 28].map((s) => 4 * pixFormula({ ...at(s), zeta: 1 }).memoryElements)).toEqual([25_694_208, 6_426_624, 1_609_728]);
    expect(pixFormula({ ...at(112), zeta: 2 }).flops).toBe(9_765_888);
    expect(pixFormula({ ...at(112), zeta: 4 }).flops).toBe(11_305_472);
  });

  it('generalised terms: hidden width, FBS k, BN on the PiX logits (E1), grouped squeeze; exact parameter counts', () => {
    // SE with hidden S: 2CHW + 2CS + S + 4C; params 2CS + S + C (the torchvision module's two biased 1×1 convs).
    expect(seFormula({ C: 64, H: 7, W: 7, hidden: 4 }).flops).toBe(2 * 64 * 49 + 2 * 64 * 4 + 4 + 4 * 64);
    expect(seFormula({ C: 64, H: 1, W: 1 }).params).toBe(2 * 64 * 4 + 4 + 64);
    expect(cbamFormula({ C: 32, H: 1, W: 1, reduction: 8 }).params).toBe(2 * 32 * 4 + 4 + 32 + 2 * 49 + 2);
    expect(fbsFormula({ C: 512, H: 56, W: 56, k: 10 }).flops - fbsFormula({ C: 512, H: 56, W: 56 }).flops).toBe(10 * 512 - 55);
    expect(fbsFormula({ C: 16, H: 1, W: 1, k: 5 }).params).toBe(16 * 16 + 16 + 32);
    const bn = pixFormula({ C: 256, H: 14, W: 14, zeta: 4, bn: true });
    expect(bn.flops - pixFormula({ C: 256, H: 14, W: 14, zeta: 4 }).flops).toBe(4 * 64);
    expect(bn.params).toBe(256 * 64 + 2 * 64);
    expect(pixFormula({ C: 512, H: 1, W: 1, zeta: 1 }).params).toBe(512 * 512);
    expect(pixFormula({ C: 10, H: 1, W: 1, zeta: 4, bias: true }).params).toBe(10 * 3 + 3); // G = ceil(10/4)
    expect(squeezeFormula({ C: 12, H: 5, W: 5, zeta: 4, groups: 3 }).flops).toBe(3 * 4 * 25 + 300 + 75);
    expect(squeezeFormula({ C: 24, H: 1, W: 1, zeta: 4, groups: 6 }).params).toBe(6 * 4 + 12);
  });

  it('parts sum to the totals', () => {
    for (const f of [seFormula({ C: 512, H: 56, W: 56 }), cbamFormula({ C: 512, H: 28, W: 28 }), fbsFormula({ C: 512, H: 56, W: 56, k: 7 }),
      pixFormula({ C: 256, H: 14, W: 14, zeta: 4, reduce: 'w-pix', bn: true })]) {
      expect(Object.values(f.parts).reduce((a, b) => a + b, 0)).toBe(f.flops);
    }
  });

  it('reproduces all 12 printed cells: FLOPs truncated to the printed decimals, memory to the byte', () => {
    const t = supplementTable1();
    expect(t.rows).toHaveLength(12);
    for (const r of t.rows) {
      expect(r.flops_match, `${r.size} ${r.method} flops`).toBe(true);
      expect(r.memory_match, `${r.size} ${r.method} memory`).toBe(true);
    }
    // Truncation, not rounding: rounding would print 12.9, 9.7, 1.9, 0.7 and .838.
    expect(truncateScaled(12_879_904, 1e6, 1)).toBe(12.8);
    expect(Math.round(12_879_904 / 1e5) / 10).toBe(12.9);
    expect(truncateScaled(837_664, 1e6, printedDecimals('.837'))).toBe(0.837);
    expect(fbsConsistentK()).toEqual([0, 53]);
  });
});

describe('squeeze example and section F (docs/methods/pix.md §8.2–8.3)', () => {
  it('baseline 1,275; PiX 573 from its terms; w-PiX = PiX + 225', () => {
    const ex = squeezeExample();
    expect(ex.baseline.flops).toBe(1275);
    expect(ex.baseline.parts).toEqual({ conv: 900, bn: 300, relu: 75 });
    expect(ex.pix.parts).toEqual({ gap: 300, conv: 36, sigmoid: 12, fusion: 225 });
    expect(ex.pix.flops).toBe(573);
    expect(ex.pixWithPMul).toBe(648);
    expect(ex.wpix.flops).toBe(798);
    const printed = PIX_SQUEEZE_PRINTED;
    expect([printed.baseline, printed.pixFirst, printed.pix, printed.wpix]).toEqual([1275, 811, 523, 748]);
    expect(printed.wpix - printed.pix).toBe(ex.wpix.flops - ex.pix.flops);
    const t = squeezeExampleTable();
    expect(t.rows.map((r) => r.computed)).toEqual([1275, 573, 648, 798, 225]);
  });

  it('PiX squeeze memory exceeds the baseline output by 1.25C at ζ = 4', () => {
    const C = 256, H = 14;
    expect(pixSqueezeMemory({ C, H, W: H, zeta: 4 }) - squeezeFormula({ C, H, W: H, zeta: 4 }).memoryElements).toBe(1.25 * C);
  });
});

describe('DGC layer formula (docs/methods/dgc.md §4)', () => {
  it('the worked example 164,296 (docs/methods/dgc.md §4.2) and hidden widths', () => {
    const cfg = { inputShape: [1, 32, 32, 16], outChannels: 32, kernelSize: 1, heads: 4, squeezeRate: 16, gateFactor: 0.25 };
    expect(dgcLayerCost(cfg, 'dgc').macs).toBe(164_296);
    expect([16, 72, 80, 768].map((c) => dgcHiddenWidth(c))).toEqual([2, 9, 5, 48]);
    expect(dgcLayerParams(cfg)).toBe(2 * 16 + 32 * 16 + 4 * (2 * 16 * 2 + 16));
  });
});
