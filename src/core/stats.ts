// Summary statistics of timing samples, one definition each for every benchmark and latency measurement.

/**
 * The median of `xs`: the middle value of the sorted sample for odd n, the mean of the two middle values for even n
 * (the usual definition, as numpy.median). `xs` is not modified; an empty sample is an error.
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median: xs must be a non-empty sample, got 0 values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
