// Registry entries of the DGC family (docs/methods/dgc.md §3, §6): the README's four DGC models with the official
// keys, the static baselines the official repository ships broken (built here as §3.4 describes) and a small DGC
// DenseNet for Fashion-MNIST. The plain ResNet-18 baseline is torchvision's `resnet18`.
import { defineModel, type ModelEntry } from '../../models/registry.js';
import { DyDenseNet, StaticDenseNet, type DyDenseNetConfig, type StaticDenseNetConfig } from './densenet.js';
import { DyResNet, type DyResNetConfig } from './dyresnet.js';

const DGC = { heads: 4, gateFactor: 0.25, squeezeRate: 16 };
const CIFAR86 = { inChannels: 3, stages: [14, 14, 14], growth: [8, 16, 32], bottleneck: 4, group3x3: 4, stemStride: 1, poolSize: 8 };
const IMAGENET_DENSE = { numClasses: 1000, inChannels: 3, stages: [4, 6, 8, 10, 8], growth: [8, 16, 32, 64, 128], bottleneck: 4, group3x3: 4, stemStride: 2, poolSize: 7 };

export const DGC_MODELS: readonly ModelEntry[] = [
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet86_cifar10', family: 'dgc',
    description: 'DGC DenseNet-86 (CondenseNet-style, stages 14-14-14, growth 8-16-32, heads 4, gate 0.25): 4,264,810 params, 71,037,118 DGC FLOPs',
    defaultConfig: { numClasses: 10, ...CIFAR86, ...DGC }, defaultInputSize: 32, create: (c) => new DyDenseNet(c),
  }),
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet86_cifar100', family: 'dgc',
    description: 'DGC DenseNet-86 for CIFAR-100 (as dydensenet86_cifar10): 4,336,900 params, 71,109,208 DGC FLOPs',
    defaultConfig: { numClasses: 100, ...CIFAR86, ...DGC }, defaultInputSize: 32, create: (c) => new DyDenseNet(c),
  }),
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet_imagenet', family: 'dgc',
    description: 'DGC DenseNet for ImageNet (stages 4-6-8-10-8, growth 8-16-32-64-128, heads 4, gate 0.25): 24,060,664 params, 549.3 M DGC FLOPs',
    defaultConfig: { ...IMAGENET_DENSE, ...DGC }, defaultInputSize: 224, create: (c) => new DyDenseNet(c),
  }),
  defineModel<DyResNetConfig>({
    name: 'dyresnet18', family: 'dgc',
    description: 'DGC ResNet-18 (every block conv and downsample a DGC layer, heads 4, gate 0.45): 12,335,144 params, 890.4 M DGC FLOPs',
    defaultConfig: { numClasses: 1000, inChannels: 3, layers: [2, 2, 2, 2], widths: [64, 128, 256, 512], stem: 'imagenet', heads: 4, gateFactor: 0.45, squeezeRate: 16 },
    defaultInputSize: 224, create: (c) => new DyResNet(c),
  }),
  defineModel<DyResNetConfig>({
    name: 'dyresnet_bottleneck_small', family: 'dgc',
    description: 'Small DGC bottleneck ResNet for 28–32 px inputs (chanlab, not in the official code): bottleneck stages 16/32/64 ×2, ImageNet stem, ' +
      'the 3×3 conv of every block a DGC layer (heads 4, gate 0.45, squeeze 16 as dyresnet18), 1×1 convs and shortcuts plain — the head-to-head\'s DGC variant of its small ResNet',
    defaultConfig: { numClasses: 10, inChannels: 1, block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet', heads: 4, gateFactor: 0.45, squeezeRate: 16 },
    defaultInputSize: 28, create: (c) => new DyResNet(c),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet86_cifar10', family: 'dgc',
    description: 'DGC baseline: DenseNet-86 with static 1×1 group conv (groups 4, CondenseNet-86-like; set group1x1 1 for dense), 3×3 groups 4',
    defaultConfig: { numClasses: 10, ...CIFAR86, group1x1: 4 }, defaultInputSize: 32, create: (c) => new StaticDenseNet(c),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet86_cifar100', family: 'dgc',
    description: 'DGC baseline for CIFAR-100: DenseNet-86 with static 1×1 group conv (groups 4; set group1x1 1 for dense)',
    defaultConfig: { numClasses: 100, ...CIFAR86, group1x1: 4 }, defaultInputSize: 32, create: (c) => new StaticDenseNet(c),
  }),
  defineModel<StaticDenseNetConfig>({
    name: 'densenet_imagenet', family: 'dgc',
    description: 'DGC baseline for ImageNet: the dydensenet_imagenet topology with static 1×1 group conv (groups 4), 530.4 M DGC FLOPs',
    defaultConfig: { ...IMAGENET_DENSE, group1x1: 4 }, defaultInputSize: 224, create: (c) => new StaticDenseNet(c),
  }),
  defineModel<DyDenseNetConfig>({
    name: 'dydensenet_fashion_mnist', family: 'dgc',
    description: 'Small DGC DenseNet for 28 px grey images (stride-2 stem, stages 3-3, growth 8-16, heads 4, gate 0.25, pool 7) — the dgc-fashion-mnist preset',
    defaultConfig: { numClasses: 10, inChannels: 1, stages: [3, 3], growth: [8, 16], bottleneck: 4, group3x3: 4, stemStride: 2, poolSize: 7, ...DGC },
    defaultInputSize: 28, create: (c) => new DyDenseNet(c),
  }),
];
