// Target-layer lookup by module path (`layer4`, `layer4.2.conv3`) with an error that lists the model's paths.
import { Conv2d } from '../nn/conv.js';
import type { Module } from '../nn/module.js';

/** The dotted paths of every submodule of `model` (PyTorch's `named_modules()` names, root excluded). */
export function layerPaths(model: Module): string[] {
  return [...model.namedModules()].map(([name]) => name).filter((name) => name !== '');
}

/** The submodule at `path`; a missing path is an error listing the model's layer paths. */
export function findLayer(model: Module, path: string): Module {
  if (typeof path !== 'string' || path === '') {
    throw new Error(`layer: expected a module path such as 'layer4' or 'layer4.1.conv2', got '${String(path)}'`);
  }
  for (const [name, m] of model.namedModules()) if (name === path) return m;
  throw new Error(`layer: '${path}' is not a module of ${model.typeName}; its layer paths are: ${layerPaths(model).join(', ')}`);
}

/** Input channels of the model's first convolution (undefined for a model without one). */
export function inputChannels(model: Module): number | undefined {
  for (const [, m] of model.namedModules()) if (m instanceof Conv2d) return m.inChannels;
  return undefined;
}
