// Registry entries for the torchvision-equivalent models and their small-input variants.
import { defineModel, type ModelEntry } from './registry.js';
import { ResNet, type ResNetConfig } from './resnet.js';
import { VGG, VGG_CFGS, type VGGConfig } from './vgg.js';

type Block = 'basic' | 'bottleneck';

/** torchvision ResNet with the ImageNet stem (7×7/2 + max-pool), 1000 classes. */
function resnet(name: string, block: Block, layers: number[]): ModelEntry {
  return defineModel<ResNetConfig>({
    name, family: 'torchvision',
    description: `${name.replace('resnet', 'ResNet-')} (torchvision keys)`,
    defaultConfig: { numClasses: 1000, inChannels: 3, block, layers, stem: 'imagenet' },
    defaultInputSize: 224, create: (c) => new ResNet(c),
  });
}

/** The same network with a 3×3/1 stem and no max-pool for 28–32 px inputs, 10 classes. */
function resnetSmall(name: string, block: Block, layers: number[]): ModelEntry {
  return defineModel<ResNetConfig>({
    name, family: 'torchvision',
    description: `${name.replace('resnet', 'ResNet-').replace('_small', '')} (torchvision keys), 3×3/1 stem without max-pool for 28–32 px inputs`,
    defaultConfig: { numClasses: 10, inChannels: 3, block, layers, stem: 'small' },
    defaultInputSize: 32, create: (c) => new ResNet(c),
  });
}

/** He et al.'s CIFAR ResNets (3 stages of n basic blocks, widths 16/32/64, depth 6n+2), projection shortcuts. */
function cifarResnet(name: string, depth: number): ModelEntry {
  const n = (depth - 2) / 6;
  return defineModel<ResNetConfig>({
    name, family: 'torchvision',
    description: `CIFAR-style ResNet-${depth}: 3 stages × ${n} basic blocks, widths 16/32/64, projection shortcuts`,
    defaultConfig: { numClasses: 10, inChannels: 3, block: 'basic', layers: [n, n, n], widths: [16, 32, 64], stem: 'small', widthPerGroup: 64 },
    defaultInputSize: 32, create: (c) => new ResNet(c),
  });
}

function vgg(name: string, cfg: keyof typeof VGG_CFGS, batchNorm: boolean): ModelEntry {
  return defineModel<VGGConfig>({
    name, family: 'torchvision',
    description: `${cfg.toUpperCase()}${batchNorm ? ' with BatchNorm' : ''} (torchvision keys)`,
    defaultConfig: { numClasses: 1000, inChannels: 3, cfg: VGG_CFGS[cfg]!, batchNorm, dropout: 0.5, head: 'imagenet' },
    defaultInputSize: 224, create: (c) => new VGG(c),
  });
}

/** VGG-BN for 32 px inputs: global pool and a single Linear classifier. */
function vggSmall(name: string, cfg: keyof typeof VGG_CFGS): ModelEntry {
  return defineModel<VGGConfig>({
    name, family: 'torchvision',
    description: `${cfg.toUpperCase()}-BN for 32 px inputs: global pool and a single Linear classifier`,
    defaultConfig: { numClasses: 10, inChannels: 3, cfg: VGG_CFGS[cfg]!, batchNorm: true, dropout: 0, head: 'small' },
    defaultInputSize: 32, create: (c) => new VGG(c),
  });
}

/** The three entries of one VGG configuration: plain, with BatchNorm, and BatchNorm for 32 px inputs. */
function vggs(cfg: keyof typeof VGG_CFGS, bn: string, small: string): ModelEntry[] {
  return [vgg(cfg, cfg, false), vgg(bn, cfg, true), vggSmall(small, cfg)];
}

export const TORCHVISION_MODELS: readonly ModelEntry[] = [
  resnet('resnet18', 'basic', [2, 2, 2, 2]),
  resnet('resnet34', 'basic', [3, 4, 6, 3]),
  resnet('resnet50', 'bottleneck', [3, 4, 6, 3]),
  resnet('resnet101', 'bottleneck', [3, 4, 23, 3]),
  resnet('resnet152', 'bottleneck', [3, 8, 36, 3]),
  resnetSmall('resnet18_small', 'basic', [2, 2, 2, 2]),
  resnetSmall('resnet34_small', 'basic', [3, 4, 6, 3]),
  resnetSmall('resnet50_small', 'bottleneck', [3, 4, 6, 3]),
  resnetSmall('resnet101_small', 'bottleneck', [3, 4, 23, 3]),
  resnetSmall('resnet152_small', 'bottleneck', [3, 8, 36, 3]),
  cifarResnet('resnet8_small', 8),
  cifarResnet('resnet20_small', 20),
  cifarResnet('resnet32_small', 32),
  cifarResnet('resnet56_small', 56),
  cifarResnet('resnet110_small', 110),
  ...vggs('vgg11', 'vgg11_bn', 'vgg11_bn_small'),
  ...vggs('vgg13', 'vgg13_bn', 'vgg13_bn_small'),
  ...vggs('vgg16', 'vgg16_bn', 'vgg16_bn_small'),
  ...vggs('vgg19', 'vgg19_bn', 'vgg19_bn_small'),
];
