// Initialisation shared by the DGC models (docs/methods/dgc.md §3.1): every Conv2d, the per-head DGC convs included,
// gets N(0, √(2 / (k·k·out))) — the DenseNet rule and ResNet's kaiming_normal_(fan_out, relu) are the same draw, with
// `out` the width of one head for DGC convs. BNs start at γ = 1, β = 0 (their constructor default); the saliency FCs
// keep the Kaiming init of their head.
import { Conv2d } from '../../nn/conv.js';
import { kaimingNormal } from '../../nn/init.js';
import type { Module } from '../../nn/module.js';

export function initDgcConvs(model: Module): void {
  for (const [, m] of model.namedModules()) {
    if (m instanceof Conv2d) m.weight.reset(kaimingNormal(m.weight.shape, { mode: 'fan_out', nonlinearity: 'relu' }));
  }
}
