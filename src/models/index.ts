export * from './registry.js';
export * from './resnet.js';
export * from './vgg.js';
export * from './resnet_base.js';
export * from './chex_resnet.js';
export { TORCHVISION_MODELS } from './torchvision.js';
