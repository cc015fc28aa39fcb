// DGC (Dynamic Group Convolution, ECCV 2020): the layer (its eval mode computes only the kept channels), its gate,
// schedule and head interleaving, models and their registration. Importing this file registers the `dgc` model family.
export { DynamicMultiHeadConv, HeadConv, type DynamicMultiHeadConvOptions } from './layer.js';
export { keepMask, gateSaliency } from '../../ops/dgc/gate.js';
export { roundHalfEven, inactiveChannelsAt, checkGateFactor } from './schedule.js';
export { interleaveHeads, channelShuffle } from './shuffle.js';
export { DyDenseNet, StaticDenseNet, DenseLayer, type DenseNetConfig, type DyDenseNetConfig, type StaticDenseNetConfig } from './densenet.js';
export { DyResNet, DyBasicBlock, NormAfterDownsample, type DyResNetConfig } from './dyresnet.js';
export { PreActConv } from './preact_conv.js';
export { dgcLayers, setDgcProgress, dgcLasso, keptRatios, finishDgcSchedule } from './hooks.js';
export { initDgcConvs } from './init.js';
export { DGC_MODELS } from './models.js';
export { checkDgcCheckpoint } from './checkpoint.js';
