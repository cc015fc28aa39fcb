// Global re-allocation of channels across layers (docs/methods/chex.md §4.1): all |γ| of the BNs after prunable convs,
// sorted ascending; thr(s) = y[floor(M·s)]; a channel is pruned iff |γ| ≤ thr (ties pruned), so at least floor(M·s)+1
// channels are pruned.

/** thr(s) over the |γ| of all prunable layers. */
export function bnThreshold(gammas: readonly ArrayLike<number>[], sparsity: number): number {
  if (!(sparsity >= 0 && sparsity < 1)) throw new Error(`channel sparsity must be in [0, 1), got ${sparsity}`);
  const all: number[] = [];
  for (const g of gammas) for (let i = 0; i < g.length; i++) all.push(Math.abs(g[i]!));
  if (all.length === 0) throw new Error('channel allocation: no prunable channels');
  all.sort((a, b) => a - b);
  return all[Math.floor(all.length * sparsity)]!;
}

/** Pruned channels per layer at global sparsity `sparsity`. */
export function bnPrunedCounts(gammas: readonly ArrayLike<number>[], sparsity: number): number[] {
  const thr = bnThreshold(gammas, sparsity);
  return gammas.map((g) => {
    let n = 0;
    for (let i = 0; i < g.length; i++) if (Math.abs(g[i]!) <= thr) n++;
    return n;
  });
}
