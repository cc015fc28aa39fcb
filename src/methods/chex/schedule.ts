// When CHEX explores and how much it regrows (docs/methods/chex.md §3.5, §2.7): exploration at the epochs
// 1 ≤ e ≤ T_max with e mod ΔT = 0; regrow factor δ_e = δ0·½(1 + cos(π e / T_max)); initial uniform keep count.

export function isExplorationEpoch(epoch: number, deltaT: number, tMax: number): boolean {
  return epoch >= 1 && epoch <= tMax && epoch % deltaT === 0;
}

export function regrowFactor(epoch: number, delta0: number, tMax: number): number {
  return delta0 * 0.5 * (1 + Math.cos((Math.PI * epoch) / tMax));
}

/** Channels kept by the initial uniform mask: floor(C·(1 − (S − δ0))) (same float expression as the official code). */
export function initialKeep(channels: number, sparsity: number, delta0: number): number {
  return Math.floor(channels * (1 - (sparsity - delta0)));
}
