import './torchvision.js';

export * from './registry.js';
export * from './resnet.js';
export * from './vgg.js';
export * from './resnet_base.js';
