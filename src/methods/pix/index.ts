// PiX (Pick-or-Mix, CVPR 2024): modules, baselines (SE, CBAM, FBS, group-conv squeeze) and models.

export { PiX, PiXLayer, PiXSampler, PiXOperator, HalfTanh, type PiXOptions, type PiXActivation } from './pix_module.js';
export { SqueezeExcitation, type SEOptions } from './se.js';
export { CBAM, CbamChannelGate, CbamSpatialGate, type CBAMOptions } from './cbam.js';
export { FBS, type FBSOptions } from './fbs.js';
export { GroupConvSqueeze, type GroupConvSqueezeOptions } from './group_squeeze.js';
export { PiXResNet, PiXBlock, PiXBottleneck, PiXBasicBlock, PiXResNetStage, type PiXResNetConfig, type PiXVariant } from './resnet_cs.js';
export { PiXDSResNet, PiXDSBlock, type PiXDSResNetConfig } from './resnet_ds.js';
export { PiXVGG, type PiXVGGConfig } from './vgg_ds.js';
export { PIX_DEFAULT_VARIANT, PIX_MODELS } from './models.js';
