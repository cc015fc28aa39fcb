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
import { ReLU } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { kaimingNormal } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { registerModel, type ModelConfig } from './registry.js';
import { conv1x1, conv3x3, type Stem } from './resnet.js';

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

class ChexBasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Module | null;

  /** x [N,H,W,cin] → [N,H/s,W/s,cout]; conv1 cin→c (kept width), conv2 c→cout. */
  constructor(cin: number, c: number, cout: number, stride: number, downsample: Module | null) {
    super();
    this.conv1 = this.addModule('conv1', conv3x3(cin, c, stride));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(c));
    this.relu = this.addModule('relu', new ReLU());
    this.conv2 = this.addModule('conv2', conv3x3(c, cout));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(cout));
    this.downsample = downsample ? this.addModule('downsample', downsample) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const out = this.bn2.call(this.conv2.call(this.relu.call(this.bn1.call(this.conv1.call(x)))));
      return tf.relu(tf.add(out, this.downsample ? this.downsample.call(x) : x));
    });
  }
}

class ChexBottleneck extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly relu: ReLU;
  readonly downsample: Module | null;

  /** conv1 1×1 cin→c1, conv2 3×3/s c1→c2, conv3 1×1 c2→cout (ResNet v1.5). */
  constructor(cin: number, c1: number, c2: number, cout: number, stride: number, downsample: Module | null) {
    super();
    this.conv1 = this.addModule('conv1', conv1x1(cin, c1));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(c1));
    this.conv2 = this.addModule('conv2', conv3x3(c1, c2, stride));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(c2));
    this.conv3 = this.addModule('conv3', conv1x1(c2, cout));
    this.bn3 = this.addModule('bn3', new BatchNorm2d(cout));
    this.relu = this.addModule('relu', new ReLU());
    this.downsample = downsample ? this.addModule('downsample', downsample) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
      out = this.relu.call(this.bn2.call(this.conv2.call(out)));
      out = this.bn3.call(this.conv3.call(out));
      return tf.relu(tf.add(out, this.downsample ? this.downsample.call(x) : x));
    });
  }
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
          stage.append(new ChexBottleneck(cin, cfg[k + 1]!, cfg[k + 2]!, cout, stride, down));
        } else {
          stage.append(new ChexBasicBlock(cin, cfg[k]!, cout, stride, down));
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

export const CHEX_RESNETS: ReadonlyArray<[string, 'basic' | 'bottleneck', number[]]> = [
  ['chex_resnet18', 'basic', [2, 2, 2, 2]],
  ['chex_resnet34', 'basic', [3, 4, 6, 3]],
  ['chex_resnet50', 'bottleneck', [3, 4, 6, 3]],
  ['chex_resnet101', 'bottleneck', [3, 4, 23, 3]],
];

for (const [name, block, layers] of CHEX_RESNETS) {
  registerModel<ChexResNetConfig>({
    name,
    family: 'chex',
    description: `CHEX ${name.replace('chex_resnet', 'ResNet-')}: torchvision keys, inner widths from a checkpoint cfg ` +
      `(${block === 'bottleneck' ? '[Cin,c1,c2] per block + [F]' : 'conv1 width per block + F'}); cfg null = full width`,
    defaultConfig: { numClasses: 1000, inChannels: 3, block, layers, widths: [64, 128, 256, 512], stemWidth: 64, stem: 'imagenet', cfg: null },
    defaultInputSize: 224,
    create: (c) => new ChexResNet(c),
  });
}
