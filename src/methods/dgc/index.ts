// DGC (Dynamic Group Convolution, ECCV 2020): the layer, its gate, schedule and head interleaving, the gathered
// inference path, models and their registration. Importing this file registers the `dgc` model family.
export { DynamicMultiHeadConv, HeadConv, type DynamicMultiHeadConvOptions } from './layer.js';
export { keepMask, gateSaliency } from './gate.js';
export { roundHalfEven, inactiveChannelsAt, checkGateFactor } from './schedule.js';
export { interleaveHeads, channelShuffle } from './shuffle.js';
export { dgcForwardGathered } from './gathered.js';
