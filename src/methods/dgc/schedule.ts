// Gradual deactivation schedule of a DGC layer (docs/methods/dgc.md §2): how many input channels each head drops at
// training progress p. Linear in iterations: nothing before p = 1/12, round(C·(1−gf)·1.5·(p − 1/12)) up to p = 3/4,
// round(C·(1−gf)) from then on. `round` is Python 3's (half to even), applied to the float.

/** Python 3 `round(x)`: nearest integer, exact halves to the even neighbour (JavaScript's Math.round goes up). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`roundHalfEven: x must be finite, got ${x}`);
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Gate factor check shared by the layer and the schedule: the fraction of channels a head keeps, in (0, 1]. */
export function checkGateFactor(gf: number, owner: string): number {
  if (typeof gf !== 'number' || !(gf > 0 && gf <= 1)) {
    throw new Error(`${owner}: gateFactor must be in (0, 1] (fraction of input channels each head keeps), got ${gf}`);
  }
  return gf;
}

/**
 * Channels each head drops at progress p ∈ [0, 1] (dgc.md §2.2). For p ≤ 1/12 the official code leaves the count
 * unchanged, so the current value is returned (0 for a fresh layer).
 */
export function inactiveChannelsAt(inChannels: number, gateFactor: number, p: number, current = 0): number {
  if (!Number.isInteger(inChannels) || inChannels <= 0) throw new Error(`inactiveChannelsAt: inChannels must be a positive integer, got ${inChannels}`);
  checkGateFactor(gateFactor, 'inactiveChannelsAt');
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`inactiveChannelsAt: progress must be in [0, 1], got ${p}`);
  const prune = inChannels * (1 - gateFactor);
  if (p > 1 / 12 && p < 3 / 4) return roundHalfEven(prune * 1.5 * (p - 1 / 12));
  if (p >= 3 / 4) return roundHalfEven(prune);
  return current;
}
