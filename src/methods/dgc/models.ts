// Registry entries of the DGC family (docs/methods/dgc.md §3, §6): the README's four DGC models with the official
// keys, the static baselines the official repository ships broken (built here as §3.4 describes) and a small DGC
// DenseNet for Fashion-MNIST. The plain ResNet-18 baseline is torchvision's `resnet18`. Every DGC model names its
// dense twin (`denseTwin`): the network it prunes, with plain convolutions in place of its DGC layers.
import { defineModel, type ModelConfig, type ModelEntry } from '../../models/registry.js';
import { DyDenseNet, StaticDenseNet, type DyDenseNetConfig, type StaticDenseNetConfig } from './densenet.js';
import { DyResNet, type DyResNetConfig } from './dyresnet.js';

const DGC = { heads: 4, gateFactor: 0.25, squeezeRate: 16 };
const CIFAR86 = { inChannels: 3, stages: [14, 14, 14], growth: [8, 16, 32], bottleneck: 4, group3x3: 4, stemStride: 1, poolSize: 8 };
/** The dense twin of a DGC DenseNet: the same stages, growth, bottleneck and 3×3 groups with a plain 1×1 conv. */
function staticDenseTwin(model: string): { model: string; config(c: DyDenseNetConfig): Partial<ModelConfig> } {
  return {
    model,
    config: ({ heads: _h, gateFactor: _g, squeezeRate: _s, ...rest }) => ({ ...rest, group1x1: 1 }),
  };
}

/** The dense twin of a DGC ResNet: torchvision's ResNet of the same blocks, stages, widths and stem. */
function resNetTwin(model: string, withWidths: boolean): { model: string; config(c: DyResNetConfig): Partial<ModelConfig> } {
  return {
    model,
    config: (c) => {
      if (!withWidths && c.widths !== undefined && c.widths.join() !== '64,128,256,512') {
        throw new Error(`denseTwin(${model}): widths must be 64,128,256,512, got ${c.widths.join(',')}`);
      }
      return { numClasses: c.numClasses, inChannels: c.inChannels, block: c.block ?? 'basic', layers: c.layers, stem: c.stem, ...(withWidths ? { widths: c.widths } : {}) };
    },
  };
}

const FASHION_DENSE = { inChannels: 1, stages: [3, 3], growth: [8, 16], bottleneck: 4, group3x3: 4, stemStride: 2, poolSize: 7 };
const IMAGENET_DENSE = { numClasses: 1000, inChannels: 3, stages: [4, 6, 8, 10, 8], growth: [8, 16, 32, 64, 128], bottleneck: 4, group3x3: 4, stemStride: 2, poolSize: 7 };

export const DGC_MODELS: readonly ModelEntry[] = [
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet86_cifar10', family: 'dgc',
    description: 'DGC DenseNet-86 (CondenseNet-style, stages 14-14-14, growth 8-16-32, heads 4, gate 0.25): 4,264,810 params, 71,037,118 DGC FLOPs',
    defaultConfig: { numClasses: 10, ...CIFAR86, ...DGC }, defaultInputSize: 32, create: (c) => new DyDenseNet(c), denseTwin: staticDenseTwin('densenet86_cifar10'),
  }),
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet86_cifar100', family: 'dgc',
    description: 'DGC DenseNet-86 for CIFAR-100 (as dydensenet86_cifar10): 4,336,900 params, 71,109,208 DGC FLOPs',
    defaultConfig: { numClasses: 100, ...CIFAR86, ...DGC }, defaultInputSize: 32, create: (c) => new DyDenseNet(c),
    denseTwin: staticDenseTwin('densenet86_cifar100'),
  }),
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet_imagenet', family: 'dgc',
    description: 'DGC DenseNet for ImageNet (stages 4-6-8-10-8, growth 8-16-32-64-128, heads 4, gate 0.25): 24,060,664 params, 549.3 M DGC FLOPs',
    defaultConfig: { ...IMAGENET_DENSE, ...DGC }, defaultInputSize: 224, create: (c) => new DyDenseNet(c),
    denseTwin: staticDenseTwin('densenet_imagenet'),
  }),
  defineModel<DyResNetConfig>({
    name: 'dyresnet18', family: 'dgc',
    description: 'DGC ResNet-18 (every block conv and downsample a DGC layer, heads 4, gate 0.45): 12,335,144 params, 890.4 M DGC FLOPs',
    defaultConfig: { numClasses: 1000, inChannels: 3, layers: [2, 2, 2, 2], widths: [64, 128, 256, 512], stem: 'imagenet', heads: 4, gateFactor: 0.45, squeezeRate: 16 },
    defaultInputSize: 224, create: (c) => new DyResNet(c), denseTwin: resNetTwin('resnet18', false),
  }),
  defineModel<DyResNetConfig>({
    name: 'dyresnet_bottleneck_small', family: 'dgc',
    description: 'Small DGC bottleneck ResNet for 28–32 px inputs (chanlab, not in the official code): bottleneck stages 16/32/64 ×2, ImageNet stem, ' +
      'the 3×3 conv of every block a DGC layer (heads 4, gate 0.45, squeeze 16 as dyresnet18), 1×1 convs and shortcuts plain — the head-to-head\'s DGC variant of its small ResNet',
    defaultConfig: { numClasses: 10, inChannels: 1, block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet', heads: 4, gateFactor: 0.45, squeezeRate: 16 },
    defaultInputSize: 28, create: (c) => new DyResNet(c), denseTwin: resNetTwin('resnet8_small', true),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet86_cifar10', family: 'dgc',
    description: 'DGC baseline, the dense twin of dydensenet86_cifar10: DenseNet-86 with a plain 1×1 conv (group1x1 1; 4 gives CondenseNet-86), 3×3 groups 4 as the DGC net: 177.3 M DGC FLOPs',
    defaultConfig: { numClasses: 10, ...CIFAR86, group1x1: 1 }, defaultInputSize: 32, create: (c) => new StaticDenseNet(c),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet86_cifar100', family: 'dgc',
    description: 'DGC baseline for CIFAR-100, the dense twin of dydensenet86_cifar100 (as densenet86_cifar10: plain 1×1 conv, group1x1 1)',
    defaultConfig: { numClasses: 100, ...CIFAR86, group1x1: 1 }, defaultInputSize: 32, create: (c) => new StaticDenseNet(c),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet_imagenet', family: 'dgc',
    description: 'DGC baseline for ImageNet: the dydensenet_imagenet topology with static 1×1 group conv (groups 4), 530.4 M DGC FLOPs; with group1x1 1 the dense twin of dydensenet_imagenet',
    defaultConfig: { ...IMAGENET_DENSE, group1x1: 4 }, defaultInputSize: 224, create: (c) => new StaticDenseNet(c),
  }),
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet_fashion_mnist', family: 'dgc',
    description: 'Small DGC DenseNet for 28 px grey images (stride-2 stem, stages 3-3, growth 8-16, heads 4, gate 0.25, pool 7) — the dgc-fashion-mnist preset',
    defaultConfig: { numClasses: 10, ...FASHION_DENSE, ...DGC },
    defaultInputSize: 28, create: (c) => new DyDenseNet(c), denseTwin: staticDenseTwin('densenet_fashion_mnist'),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet_fashion_mnist', family: 'dgc',
    description: 'The dense twin of dydensenet_fashion_mnist: the same DenseNet with a plain 1×1 conv (group1x1 1)',
    defaultConfig: { numClasses: 10, ...FASHION_DENSE, group1x1: 1 }, defaultInputSize: 28, create: (c) => new StaticDenseNet(c),
  }),
];
