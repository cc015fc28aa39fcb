// The data pipeline: datasets, transforms, mixup/cutmix and the deterministic resumable DataLoader.
export * from './image.js';
export * from './rng_source.js';
export * from './dataset.js';
export * from './idx.js';
export * from './fashion_mnist.js';
export * from './cifar.js';
export * from './png.js';
export * from './decode.js';
export * from './image_folder.js';
export * from './resize.js';
export * from './transforms.js';
export * from './mix.js';
export * from './loader.js';
export * from './presets.js';
