// Non-finite values (NaN, ±Inf) in host arrays: counted so that runs, evaluations and checkpoint loads can refuse or
// report them instead of producing numbers that look fine.

/** Number of NaN / ±Inf entries. */
export function countNonFinite(data: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) n++;
  return n;
}

/** Keys of float tensors holding NaN/Inf, each with its count, e.g. "fc.weight (10 of 10)". */
export function describeNonFinite(entries: Iterable<[string, ArrayLike<number>]>, max = 5): { count: number; keys: string[] } {
  let count = 0;
  const keys: string[] = [];
  for (const [k, data] of entries) {
    const n = countNonFinite(data);
    if (n === 0) continue;
    count += n;
    if (keys.length < max) keys.push(`${k} (${n} of ${data.length})`);
  }
  return { count, keys };
}
