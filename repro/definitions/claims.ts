// Directions the papers claim without printing a number for the cell that checks them (definition.ts `Claim`), each
// with the printed numbers it rests on. Used by the frontier and the CHEX same-budget comparison.
import type { Claim } from '../definition.js';

/** PiX: fewer FLOPs and a higher top-1 than the dense network it modifies. */
export const PIX_ABOVE_DENSE: Claim = {
  sign: 1,
  text: 'fewer FLOPs and a higher top-1 than the dense network (ResNet-50 + PiX 3.18 B, 76.77 % vs ResNet-50 4.12 B, 76.30 %; ζ=8: 1.39 B, 74.47 % vs the half-width 1.85 B, 73.66 %; docs/methods/pix.md §8.5): above the dense curve at equal MACs',
};

/** CHEX: a network explored from scratch is more accurate than a dense network of the same MACs. */
export const CHEX_ABOVE_DENSE: Claim = {
  sign: 1,
  text: 'ResNet-50 pruned from scratch to 25 % of its FLOPs reaches 76 % top-1 (docs/methods/chex.md §8.3), close to the dense ResNet-50 (76.30 %, docs/methods/pix.md §8.5) at a quarter of its MACs: above a dense network of equal MACs',
};
