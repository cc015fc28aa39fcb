// Registry entries of the PiX family (docs/methods/pix.md §5–§6). Channel-squeezing ResNets follow the official model file;
// everything marked ⚠ in the descriptions is inferred (basic blocks, ζ=8 layout, downscaling/dynamic-pruning modes).
import { defineModel, type ModelEntry } from '../../models/registry.js';
import { ResNet, type ResNetConfig } from '../../models/resnet.js';
import { VGG_CFGS } from '../../models/vgg.js';
import { PiXDSResNet, type PiXDSResNetConfig } from './resnet_ds.js';
import { PiXResNet, type PiXResNetConfig, type PiXVariant } from './resnet_cs.js';
import { SEResNet } from './se_resnet.js';
import { PiXVGG, type PiXVGGConfig } from './vgg_ds.js';

/** Official defaults: sigmoid, no BN, τ = 0.5, pick-or-mix (supplement Table 2 "default" row). */
export const PIX_DEFAULT_VARIANT: PiXVariant = { tau: 0.5, reduce: 'pick-or-mix', activation: 'sigmoid', bnBeforeAct: false };

const BOTTLENECK_OUT = [256, 512, 1024, 2048];

function csBottleneck(layers: number[], extra: Partial<PiXResNetConfig> = {}): PiXResNetConfig {
  return {
    numClasses: 1000, inChannels: 3, block: 'bottleneck', layers, outWidths: BOTTLENECK_OUT, stemWidth: 64,
    stem: 'imagenet', firstZeta: [1, 2, 2, 2], zeta: 4, dropRate: 0, se: false, ...PIX_DEFAULT_VARIANT, ...extra,
  };
}

function cs(name: string, layers: number[], desc: string): ModelEntry {
  return defineModel<PiXResNetConfig>({
    name, family: 'pix', description: `${desc}: PiX replaces every squeeze 1×1 conv, ζ 1/2/2/2 first blocks, 4 elsewhere`,
    defaultConfig: csBottleneck(layers), defaultInputSize: 224, create: (c) => new PiXResNet(c),
  });
}

// ⚠ Basic-block PiX-ResNets (inferred; see resnet_cs.ts): PiX on the block input, first 3×3 takes C_in/ζ channels.
function csBasic(layers: number[], extra: Partial<PiXResNetConfig> = {}): PiXResNetConfig {
  return {
    numClasses: 1000, inChannels: 3, block: 'basic', layers, outWidths: [64, 128, 256, 512], stemWidth: 64,
    stem: 'imagenet', firstZeta: [1, 1, 1, 1], zeta: 2, dropRate: 0, se: false, ...PIX_DEFAULT_VARIANT, ...extra,
  };
}
function csBasicEntry(name: string, layers: number[]): ModelEntry {
  return defineModel<PiXResNetConfig>({
    name, family: 'pix',
    description: `${name.replace('pix_resnet', 'PiX-ResNet-').replace('_cs', '')} ⚠ inferred basic-block rule: PiX before the first 3×3 (ζ 1 in first blocks, 2 elsewhere)`,
    defaultConfig: csBasic(layers), defaultInputSize: 224, create: (c) => new PiXResNet(c),
  });
}

type Block = 'basic' | 'bottleneck';

// Small-input (28–32 px) CIFAR-style variants: 3×3/1 stem of 16, no max-pool, 10 classes, three stages of 3 blocks.
function cifarResnet(name: string, block: Block, outWidths: number[], firstZeta: number[], zeta: number, description: string): ModelEntry {
  return defineModel<PiXResNetConfig>({
    name, family: 'pix', description,
    defaultConfig: {
      numClasses: 10, inChannels: 3, block, layers: [3, 3, 3], outWidths, stemWidth: 16,
      stem: 'small', firstZeta, zeta, dropRate: 0, se: false, ...PIX_DEFAULT_VARIANT,
    },
    defaultInputSize: 32, create: (c) => new PiXResNet(c),
  });
}

// ⚠ Network-downscaling (ds) and dynamic-pruning (dp) modes: inferred constructions (docs/methods/pix.md §6).
function dsResnet(name: string, base: string, block: Block, layers: number[], mode: 'ds' | 'dp'): ModelEntry {
  return defineModel<PiXDSResNetConfig>({
    name, family: 'pix',
    description: `${base} with PiX ${mode === 'ds' ? 'network downscaling (global ζ=4)' : 'dynamic-pruning configuration (ζ=2, vs FBS)'}: PiX inserted on every block input ⚠ inferred`,
    defaultConfig: {
      numClasses: 1000, inChannels: 3, block, layers, widths: [64, 128, 256, 512], stem: 'imagenet', zeta: mode === 'ds' ? 4 : 2,
      ...PIX_DEFAULT_VARIANT,
    },
    defaultInputSize: 224, create: (c) => new PiXDSResNet(c),
  });
}

function vggConfig(head: 'imagenet' | 'small', gate: 'pix' | 'fbs', zeta: number): PiXVGGConfig {
  return {
    numClasses: head === 'small' ? 10 : 1000, inChannels: 3, cfg: VGG_CFGS.vgg16!, gate, zeta, widthMultiplier: 1,
    fbsKeep: 0.5, dropout: head === 'small' ? 0 : 0.5, head, ...PIX_DEFAULT_VARIANT,
  };
}

function vgg(name: string, head: 'imagenet' | 'small', gate: 'pix' | 'fbs', zeta: number, description: string): ModelEntry {
  return defineModel<PiXVGGConfig>({
    name, family: 'pix', description, defaultConfig: vggConfig(head, gate, zeta), defaultInputSize: head === 'small' ? 32 : 224,
    create: (c) => new PiXVGG(c),
  });
}

/** Every PiX-family model, by registered name. */
export const PIX_MODELS: readonly ModelEntry[] = [
  cs('pix_resnet50_cs', [3, 4, 6, 3], 'PiX-ResNet-50 (official PiXResNet50_cs; 25,549,480 params)'),
  cs('pix_resnet101_cs', [3, 4, 23, 3], 'PiX-ResNet-101 (official PiXResNet101_cs; 44,532,904 params)'),
  cs('pix_resnet152_cs', [3, 8, 36, 3], 'PiX-ResNet-152 (official PiXResNet152_cs; 60,168,872 params)'),
  defineModel<PiXResNetConfig>({
    name: 'pix_resnet50_cs_z8', family: 'pix',
    description: 'PiX-ResNet-50 at ζ=8 (paper Table 1 E3): half bottleneck widths 32/64/128/256, ζ 2/4/4/4 first blocks, 8 elsewhere ⚠ inferred layout, reproduces 12,378,088 params',
    defaultConfig: csBottleneck([3, 4, 6, 3], { firstZeta: [2, 4, 4, 4], zeta: 8 }), defaultInputSize: 224,
    create: (c) => new PiXResNet(c),
  }),
  defineModel<PiXResNetConfig>({
    name: 'pix_se_resnet50_cs', family: 'pix',
    description: 'SE-ResNet-50 + PiX (paper Table 1 E4) ⚠ inferred: SE (r=16) on bn_exp before the add; 28,080,472 params',
    defaultConfig: csBottleneck([3, 4, 6, 3], { se: true }), defaultInputSize: 224, create: (c) => new PiXResNet(c),
  }),
  defineModel<ResNetConfig>({
    name: 'se_resnet50', family: 'pix',
    description: 'SE-ResNet-50 (Hu et al.; paper Table 1 E4 baseline): torchvision ResNet-50 keys plus layer*.*.se.fc1/fc2, SE (r=16) on bn3 before the add',
    defaultConfig: { numClasses: 1000, inChannels: 3, block: 'bottleneck', layers: [3, 4, 6, 3], widths: [64, 128, 256, 512], stem: 'imagenet' },
    defaultInputSize: 224, create: (c) => new SEResNet(c),
  }),
  defineModel<ResNetConfig>({
    name: 'resnet50_half', family: 'pix',
    description: 'Baseline of PiX-ResNet-50 ζ=8: torchvision ResNet-50 with halved bottleneck widths (width_per_group 32; 12,381,864 params)',
    defaultConfig: { numClasses: 1000, inChannels: 3, block: 'bottleneck', layers: [3, 4, 6, 3], stem: 'imagenet', widthPerGroup: 32 },
    defaultInputSize: 224, create: (c) => new ResNet(c),
  }),
  csBasicEntry('pix_resnet18_cs', [2, 2, 2, 2]),
  csBasicEntry('pix_resnet34_cs', [3, 4, 6, 3]),
  defineModel<PiXResNetConfig>({
    name: 'pix_resnet50_small', family: 'pix',
    description: 'PiX-ResNet-50 channel squeezing with a 3×3/1 stem and no max-pool for 28–32 px inputs',
    defaultConfig: csBottleneck([3, 4, 6, 3], { numClasses: 10, stem: 'small' }), defaultInputSize: 32, create: (c) => new PiXResNet(c),
  }),
  cifarResnet('pix_resnet29_small', 'bottleneck', [64, 128, 256], [1, 2, 2], 4,
    'CIFAR-style bottleneck ResNet-29 (3 stages × 3, widths 16/32/64, outputs 64/128/256) with PiX squeezing (ζ 1/2/2 first, 4 elsewhere)'),
  cifarResnet('pix_resnet20_small', 'basic', [16, 32, 64], [1, 1, 1], 2,
    'CIFAR-style ResNet-20 (basic blocks 16/32/64) with PiX before each first 3×3 ⚠ inferred (ζ 1 first blocks, 2 elsewhere)'),
  dsResnet('pix_resnet18_ds', 'resnet18', 'basic', [2, 2, 2, 2], 'ds'),
  dsResnet('pix_resnet18_dp', 'resnet18', 'basic', [2, 2, 2, 2], 'dp'),
  dsResnet('pix_resnet34_ds', 'resnet34', 'basic', [3, 4, 6, 3], 'ds'),
  dsResnet('pix_resnet34_dp', 'resnet34', 'basic', [3, 4, 6, 3], 'dp'),
  dsResnet('pix_resnet50_ds', 'resnet50', 'bottleneck', [3, 4, 6, 3], 'ds'),
  dsResnet('pix_resnet50_dp', 'resnet50', 'bottleneck', [3, 4, 6, 3], 'dp'),
  vgg('pix_vgg16_bn_ds', 'imagenet', 'pix', 2, 'VGG-16-BN with PiX network downscaling: PiX before every conv but the first, global ζ=2 ⚠ inferred'),
  vgg('pix_vgg16_bn_small_ds', 'small', 'pix', 2, 'CIFAR VGG-16-BN (global pool + Linear) with PiX network downscaling, ζ=2 ⚠ inferred'),
  vgg('pix_vgg16_bn_small_dp', 'small', 'pix', 2,
    'CIFAR VGG-16-BN, PiX dynamic-pruning configuration (ζ=2, ~2× fewer conv MACs; compare fbs_vgg16_bn_small) ⚠ inferred'),
  vgg('fbs_vgg16_bn_small', 'small', 'fbs', 1,
    'FBS baseline: CIFAR VGG-16-BN with every BN+ReLU replaced by FBS (top-k saliency gating, keep 1/2) as the PiX supplement describes it'),
];
