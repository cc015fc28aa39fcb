// SE-ResNet (Hu et al.), the E4 baseline of PiX main Table 1 (docs/methods/pix.md §5.8): torchvision's ResNet whose
// bottleneck blocks gate the residual branch with Squeeze-and-Excitation (r = 16) on the bn3 output before the add.
// Keys: torchvision's, plus `layer{s}.{b}.se.fc1/fc2` (weight, bias) after each block's downsample.
import { ResNet, Bottleneck, type BlockKind, type BlockOptions, type ResNetConfig } from '../../models/resnet.js';
import type { Module } from '../../nn/module.js';
import { SqueezeExcitation } from './se.js';

export const SE_REDUCTION = 16;

export class SEBottleneck extends Bottleneck {
  readonly se: SqueezeExcitation;

  constructor(o: BlockOptions) {
    super(o);
    this.se = this.addModule('se', new SqueezeExcitation({ channels: o.outplanes ?? o.planes * Bottleneck.expansion, reduction: SE_REDUCTION }));
  }
}

export class SEResNet extends ResNet {
  constructor(config: ResNetConfig) {
    if (config.block !== 'bottleneck') throw new Error(`SEResNet: block must be 'bottleneck', got '${String(config.block)}'`);
    super(config);
  }

  protected override createBlock(_kind: BlockKind, o: BlockOptions): Module {
    return new SEBottleneck(o);
  }
}
