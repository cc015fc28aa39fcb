// DGC models (docs/methods/dgc.md §3–§4): official state-dict keys and counts, parameter counts and FLOPs in the
// 'dgc' convention counted by the FLOP counter from the real modules.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { dyDenseNetGraph, dyResNet18Graph } from '../../flops/oracle_dgc.js';
import { CONVENTIONS } from '../../../src/flops/conventions.js';
import { countFlops, countFlopsMany, priceGraph, type CapturedGraph } from '../../../src/flops/counter.js';
import { DGC_MODELS, dgcLayers } from '../../../src/methods/dgc/index.js';
import { createDenseTwin, createModel } from '../../../src/zoo/index.js';
import { withoutInit } from '../../../src/nn/init.js';

beforeAll(async () => {
  await useBackend('wasm');
});

async function dgcCount(name: string, input: number): Promise<{ flops: number; params: number }> {
  const m = withoutInit(() => createModel(name));
  try {
    const r = await countFlops(m, { inputShape: [1, input, input, 3], convention: 'dgc' });
    return { flops: r.totals.macs, params: r.totals.params };
  } finally {
    m.dispose();
  }
}

describe('DGC models', () => {
  it('registers the names of the issue', () => {
    expect(DGC_MODELS.map((e) => e.name)).toEqual(expect.arrayContaining([
      'dyresnet18', 'dydensenet86_cifar10', 'dydensenet86_cifar100', 'dydensenet_imagenet', 'densenet86_cifar10', 'densenet86_cifar100',
    ]));
  });

  it('dydensenet86_cifar100: 4,336,900 params, 71,109,208 FLOPs, 1184 keys, first layer 164,296', async () => {
    const m = withoutInit(() => createModel('dydensenet86_cifar100'));
    const keys = [...m.stateShapes().keys()];
    expect(keys.length).toBe(1184);
    expect(keys[0]).toBe('features.init_conv.weight');
    expect(keys).toContain('features.denseblock_3.denselayer_14.conv_1.headconv_3.fc2.bias');
    expect(keys.slice(-7)).toEqual(['bn_last.weight', 'bn_last.bias', 'bn_last.running_mean', 'bn_last.running_var', 'bn_last.num_batches_tracked', 'classifier.weight', 'classifier.bias']);
    expect(m.stateShapes().get('features.denseblock_1.denselayer_1.conv_2.conv.weight')).toEqual([8, 8, 3, 3]);
    expect(dgcLayers(m).length).toBe(42);
    const r = await countFlops(m, { inputShape: [1, 32, 32, 3], convention: 'dgc' });
    m.dispose();
    expect(r.totals.params).toBe(4_336_900);
    expect(r.totals.macs).toBe(71_109_208);
    expect(r.rows.find((row) => row.name === 'features.denseblock_1.denselayer_1.conv_1')!.macs).toBe(164_296);
    expect(r.uncounted).toEqual([]);
  });

  it('dydensenet86_cifar10: 4,264,810 params, 71,037,118 FLOPs', async () => {
    expect(await dgcCount('dydensenet86_cifar10', 32)).toEqual({ flops: 71_037_118, params: 4_264_810 });
  });

  it('dyresnet18: 12,335,144 params, 890,396,782.4 FLOPs, 521 keys', async () => {
    const m = withoutInit(() => createModel('dyresnet18'));
    const shapes = m.stateShapes();
    expect(shapes.size).toBe(521);
    expect(shapes.get('layer2.0.downsample.0.headconv_0.conv.weight')).toEqual([32, 64, 1, 1]);
    expect(shapes.has('layer2.0.downsample.1.norm.running_var')).toBe(true);
    expect(dgcLayers(m).length).toBe(19);
    m.dispose();
    const r = await dgcCount('dyresnet18', 224);
    expect(r.params).toBe(12_335_144);
    expect(r.flops).toBeCloseTo(890_396_782.4, 1);
  });

  it('dydensenet_imagenet: 24,060,664 params, 549,273,592 FLOPs, 1016 keys', async () => {
    const m = withoutInit(() => createModel('dydensenet_imagenet'));
    expect(m.stateShapes().size).toBe(1016);
    m.dispose();
    expect(await dgcCount('dydensenet_imagenet', 224)).toEqual({ flops: 549_273_592, params: 24_060_664 });
  }, 300_000);

  it('static baselines: DenseNet-86 177.3 M / 1.45 M (plain 1×1, the default) and 65.8 M / 0.52 M (1×1 groups 4); ResNet-18 1,818,213,864', async () => {
    const g1 = await dgcCount('densenet86_cifar10', 32);
    expect((g1.flops / 1e6).toFixed(1)).toBe('177.3');
    expect((g1.params / 1e6).toFixed(2)).toBe('1.45');
    const m = withoutInit(() => createModel('densenet86_cifar10', { group1x1: 4 }));
    const r = await countFlops(m, { inputShape: [1, 32, 32, 3], convention: 'dgc' });
    m.dispose();
    expect((r.totals.macs / 1e6).toFixed(1)).toBe('65.8');
    expect((r.totals.params / 1e6).toFixed(2)).toBe('0.52');
    expect((await dgcCount('resnet18', 224)).flops).toBe(1_818_213_864);
  });

  it('every DGC model has a dense twin: the same network with plain convolutions in place of the DGC layers', () => {
    const twins: Record<string, string> = {
      dyresnet18: 'resnet18', dydensenet86_cifar10: 'densenet86_cifar10', dydensenet86_cifar100: 'densenet86_cifar100',
      dydensenet_imagenet: 'densenet_imagenet', dyresnet_bottleneck_small: 'resnet8_small', dydensenet_fashion_mnist: 'densenet_fashion_mnist',
    };
    const dynamic = DGC_MODELS.filter((e) => e.name.startsWith('dy'));
    expect(Object.fromEntries(dynamic.map((e) => [e.name, e.denseTwin?.model]))).toEqual(twins);
    for (const e of dynamic) {
      const dy = withoutInit(() => createModel(e.name));
      const { model: twin } = withoutInit(() => createDenseTwin(e.name));
      expect(dgcLayers(twin).length, e.name).toBe(0);
      expect(dgcLayers(dy).length, e.name).toBeGreaterThan(0);
      for (const [name, layer] of dgcLayers(dy)) {
        // the DGC layer C → C' is a plain conv of the same shape in the twin (torchvision's ResNet: the same key;
        // the DenseNets: conv_1.conv)
        const shape = twin.stateShapes().get(`${name}.weight`) ?? twin.stateShapes().get(`${name}.conv.weight`);
        expect(shape, `${e.name} ${name}`).toEqual([layer.outChannels, layer.inChannels, layer.kernelSize, layer.kernelSize]);
      }
      dy.dispose();
      twin.dispose();
    }
    expect(() => createDenseTwin('resnet18')).toThrow(/model 'resnet18' has no dense twin \(models with one: dydensenet86_cifar10/);
    expect(() => createDenseTwin('dyresnet18', { nope: 1 } as never)).toThrow(/createDenseTwin\(dyresnet18\): unknown config key 'nope'/);
  });

  it('every convention: totals and parameters equal the analytic structure oracle (dgc.md §3.2–3.3)', async () => {
    const cases: Array<[string, number, CapturedGraph]> = [
      ['dydensenet86_cifar100', 32, dyDenseNetGraph({ input: 32, stages: [14, 14, 14], growth: [8, 16, 32], numClasses: 100 })],
      ['densenet86_cifar10', 32, dyDenseNetGraph({ input: 32, stages: [14, 14, 14], growth: [8, 16, 32], numClasses: 10, static1x1Groups: 1 })],
      ['dyresnet18', 224, dyResNet18Graph()],
    ];
    for (const [name, input, oracle] of cases) {
      const m = createModel(name); // initialised: the 'chex' convention counts non-zero weights
      const res = await countFlopsMany(m, CONVENTIONS, { inputShape: [1, input, input, 3] });
      m.dispose();
      for (const c of CONVENTIONS) {
        const want = priceGraph(oracle, c);
        expect(res.get(c)!.totals.macs, `${name} ${c}`).toBeCloseTo(want.totals.macs, 1);
        expect(res.get(c)!.totals.params, `${name} params`).toBe(want.totals.params);
      }
    }
  }, 300_000);
});
