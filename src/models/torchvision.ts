// Registry entries for the torchvision-equivalent models and their small-input variants.
import { registerModel } from './registry.js';
import { ResNet, type ResNetConfig } from './resnet.js';
import { VGG, VGG_CFGS, type VGGConfig } from './vgg.js';

const RESNETS: Array<[string, 'basic' | 'bottleneck', number[]]> = [
  ['resnet18', 'basic', [2, 2, 2, 2]],
  ['resnet34', 'basic', [3, 4, 6, 3]],
  ['resnet50', 'bottleneck', [3, 4, 6, 3]],
  ['resnet101', 'bottleneck', [3, 4, 23, 3]],
  ['resnet152', 'bottleneck', [3, 8, 36, 3]],
];

for (const [name, block, layers] of RESNETS) {
  for (const stem of ['imagenet', 'small'] as const) {
    const small = stem === 'small';
    registerModel<ResNetConfig>({
      name: small ? `${name}_small` : name,
      family: 'torchvision',
      description: `${name.replace('resnet', 'ResNet-')} (torchvision keys)${small ? ', 3×3/1 stem without max-pool for 28–32 px inputs' : ''}`,
      defaultConfig: { numClasses: small ? 10 : 1000, inChannels: 3, block, layers, stem },
      defaultInputSize: small ? 32 : 224,
      create: (c) => new ResNet(c),
    });
  }
}

// He et al.'s CIFAR ResNets (3 stages of 16/32/64 basic blocks, 6n+2 layers), with 1×1-conv projection shortcuts.
for (const depth of [8, 20, 32, 56, 110]) {
  const n = (depth - 2) / 6;
  registerModel<ResNetConfig>({
    name: `resnet${depth}_small`,
    family: 'torchvision',
    description: `CIFAR-style ResNet-${depth}: 3 stages × ${n} basic blocks, widths 16/32/64, projection shortcuts`,
    defaultConfig: { numClasses: 10, inChannels: 3, block: 'basic', layers: [n, n, n], widths: [16, 32, 64], stem: 'small' },
    defaultInputSize: 32,
    create: (c) => new ResNet(c),
  });
}

for (const base of ['vgg11', 'vgg13', 'vgg16', 'vgg19']) {
  for (const bn of [false, true]) {
    registerModel<VGGConfig>({
      name: bn ? `${base}_bn` : base,
      family: 'torchvision',
      description: `${base.toUpperCase()}${bn ? ' with BatchNorm' : ''} (torchvision keys)`,
      defaultConfig: { numClasses: 1000, inChannels: 3, cfg: VGG_CFGS[base]!, batchNorm: bn, dropout: 0.5, head: 'imagenet' },
      defaultInputSize: 224,
      create: (c) => new VGG(c),
    });
  }
  registerModel<VGGConfig>({
    name: `${base}_bn_small`,
    family: 'torchvision',
    description: `${base.toUpperCase()}-BN for 32 px inputs: global pool and a single Linear classifier`,
    defaultConfig: { numClasses: 10, inChannels: 3, cfg: VGG_CFGS[base]!, batchNorm: true, dropout: 0, head: 'small' },
    defaultInputSize: 32,
    create: (c) => new VGG(c),
  });
}
