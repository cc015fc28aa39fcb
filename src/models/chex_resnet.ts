// CHEX ResNet (spec chex.md §1.2–§1.5, §7.2): torchvision-keyed ResNet whose inner widths come from a `cfg`, as the
// official CLS `resnet.py` builds compact (physically pruned) networks.
//   basic blocks (R18/R34):       cfg = [c of every block's conv1 ..., F]              (R18: 9 ints, R34: 17)
//   bottlenecks  (R50/R101):      cfg = [[Cin, c1, c2] per block ..., [F]] (nested or flat; R50: 49 ints, R101: 100)
// Cin must equal the real block input and F the final stage width (residual channels are never pruned); downsample
// convs are always full size. cfg null = the default (unpruned) widths, which equals torchvision's ResNet.
// Init as CHEX: Kaiming-normal fan-out convs, BN γ = 0.5, β = 0 (§1.4). Keys: conv1, bn1, layer{s}.{b}.conv{1,2[,3]},
// bn{1,2[,3]}, downsample.{0,1}, fc.
import * as tf from '@tensorflow/tfjs-core';
import { ResNetBase } from './resnet_base.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { kaimingNormal } from '../nn/init.js';
import { defineModel, type ModelConfig, type ModelEntry } from './registry.js';
import { BasicBlock, Bottleneck, conv1x1, type Stem } from './resnet.js';

/** A cfg as stored in checkpoints: flat ints or (for bottlenecks) nested lists of ints. */
export type ChexCfg = ReadonlyArray<number | ReadonlyArray<number>>;

export interface ChexResNetConfig extends ModelConfig {
  block: 'basic' | 'bottleneck';
  /** Blocks per stage, e.g. [3,4,6,3]. */
  layers: number[];
  /** Default inner width per stage (torchvision planes 64,128,256,512); stage outputs are widths·expansion. */
  widths: number[];
  stemWidth: number;
  stem: Stem;
  /** Kept widths (see the file header); null = default widths. */
  cfg: ChexCfg | null;
}

const expansionOf = (block: ChexResNetConfig['block']): number => (block === 'bottleneck' ? 4 : 1);

/** The default (unpruned) flat cfg of a configuration. */
export function defaultChexCfg(c: Pick<ChexResNetConfig, 'block' | 'layers' | 'widths' | 'stemWidth'>): number[] {
  const out: number[] = [];
  let cin = c.stemWidth;
  const e = expansionOf(c.block);
  c.layers.forEach((n, s) => {
    for (let b = 0; b < n; b++) {
      if (c.block === 'bottleneck') out.push(cin, c.widths[s]!, c.widths[s]!);
      else out.push(c.widths[s]!);
      cin = c.widths[s]! * e;
    }
  });
  out.push(cin);
  return out;
}

/** Flattens a nested cfg (Python `sum(cfg, [])`) and checks it is non-negative integers. */
export function flattenChexCfg(cfg: ChexCfg): number[] {
  const out: number[] = [];
  for (const [i, v] of cfg.entries()) {
    for (const x of typeof v === 'number' ? [v] : v) {
      if (!Number.isInteger(x) || x < 0) throw new Error(`ChexResNet: cfg entry ${i} must hold non-negative integers, got ${JSON.stringify(v)}`);
      out.push(x);
    }
  }
  return out;
}

export class ChexResNet extends ResNetBase {
  readonly config: ChexResNetConfig;
  /** The flat cfg actually built. */
  readonly cfg: number[];

  constructor(config: ChexResNetConfig) {
    super();
    this.config = config;
    const { block, layers, widths, stemWidth } = config;
    if (block !== 'basic' && block !== 'bottleneck') throw new Error(`ChexResNet: block must be 'basic' or 'bottleneck', got '${String(block)}'`);
    if (widths.length !== layers.length) throw new Error(`ChexResNet: widths (${widths.length}) and layers (${layers.length}) must have the same length`);
    const cfg = config.cfg === null ? defaultChexCfg(config) : flattenChexCfg(config.cfg);
    const nBlocks = layers.reduce((a, b) => a + b, 0);
    const per = block === 'bottleneck' ? 3 : 1;
    if (cfg.length !== nBlocks * per + 1) {
      throw new Error(`ChexResNet: cfg must have ${nBlocks * per + 1} entries for ${block} layers [${layers.join(',')}] ` +
        `(${block === 'bottleneck' ? '[Cin, c1, c2] per block' : 'one conv1 width per block'} + the FC input width), got ${cfg.length}`);
    }
    this.cfg = cfg;
    const e = expansionOf(block);
    this.addStem(config.stem, config.inChannels, stemWidth, 'ChexResNet');
    let cin = stemWidth;
    let k = 0;
    layers.forEach((n, s) => {
      const stage = new Sequential();
      const cout = widths[s]! * e;
      for (let b = 0; b < n; b++) {
        const stride = s > 0 && b === 0 ? 2 : 1;
        const down = stride !== 1 || cin !== cout
          ? new Sequential(conv1x1(cin, cout, stride), new BatchNorm2d(cout)) : null;
        if (block === 'bottleneck') {
          if (cfg[k] !== cin) {
            throw new Error(`ChexResNet: cfg[${k}] (Cin of layer${s + 1}.${b}) must equal the block input width ${cin}, got ${cfg[k]}`);
          }
          stage.append(new Bottleneck({ inplanes: cin, planes: cout / 4, stride, downsample: down, groups: 1, baseWidth: 64, inner: [cfg[k + 1]!, cfg[k + 2]!], outplanes: cout }));
        } else {
          stage.append(new BasicBlock({ inplanes: cin, planes: cout, stride, downsample: down, groups: 1, baseWidth: 64, inner: [cfg[k]!], outplanes: cout }));
        }
        k += per;
        cin = cout;
      }
      this.addStage(stage);
    });
    if (cfg[k] !== cin) throw new Error(`ChexResNet: the last cfg entry (FC input width) must be ${cin}, got ${cfg[k]}`);
    this.addHead(cin, config.numClasses);
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d) m.weight.reset(kaimingNormal(m.weight.shape, { mode: 'fan_out', nonlinearity: 'relu' }));
      if (m instanceof BatchNorm2d && m.weight) m.weight.reset(tf.fill([m.numFeatures], 0.5));
    }
  }
}

function chexResnet(name: string, block: 'basic' | 'bottleneck', layers: number[]): ModelEntry {
  return defineModel<ChexResNetConfig>({
    name,
    family: 'chex',
    description: `CHEX ${name.replace('chex_resnet', 'ResNet-')}: torchvision keys, inner widths from a checkpoint cfg ` +
      `(${block === 'bottleneck' ? '[Cin,c1,c2] per block + [F]' : 'conv1 width per block + F'}); cfg null = full width`,
    defaultConfig: { numClasses: 1000, inChannels: 3, block, layers, widths: [64, 128, 256, 512], stemWidth: 64, stem: 'imagenet', cfg: null },
    defaultInputSize: 224,
    create: (c) => new ChexResNet(c),
  });
}

/** CHEX compact ResNets (widths from a checkpoint's cfg). */
export const CHEX_COMPACT_MODELS: readonly ModelEntry[] = [
  chexResnet('chex_resnet18', 'basic', [2, 2, 2, 2]),
  chexResnet('chex_resnet34', 'basic', [3, 4, 6, 3]),
  chexResnet('chex_resnet50', 'bottleneck', [3, 4, 6, 3]),
  chexResnet('chex_resnet101', 'bottleneck', [3, 4, 23, 3]),
];
