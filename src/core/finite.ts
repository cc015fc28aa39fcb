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

/** What eval, predict and gradcam found non-finite: reported in the same words, and exit status 3 when any. */
export interface NonFiniteFindings {
  /** tensors of the loaded weights holding NaN/Inf (loaded with --allow-non-finite), e.g. "conv1.weight (3 of 432)" */
  weights?: readonly string[];
  /** samples whose input holds NaN/Inf */
  inputs?: { count: number; first: number };
  /** samples whose outputs hold NaN/Inf */
  outputs?: { count: number; first?: number };
  /** samples in all */
  samples: number;
  /** what the outputs are: 'logits', 'CAMs' */
  outputName: string;
}

/**
 * One line per kind of non-finite value found (none: empty). Weights come first: with a NaN weight some backends
 * still give finite outputs (wasm's max-pooling drops NaN, cpu's keeps it), so the weights are what every backend
 * reports alike.
 */
export function nonFiniteLines(f: NonFiniteFindings): string[] {
  const lines: string[] = [];
  const w = f.weights ?? [];
  if (w.length) {
    lines.push(`non-finite weights: ${w.length} tensor(s) hold NaN/Inf (${w.slice(0, 3).join(', ')}${w.length > 3 ? ', …' : ''}); ` +
      'loaded with --allow-non-finite: no output of this model is trustworthy, on any backend');
  }
  if (f.inputs && f.inputs.count > 0) {
    lines.push(`non-finite inputs: ${f.inputs.count} of ${f.samples} samples hold NaN/Inf (first: sample ${f.inputs.first}); their ${f.outputName} are NaN`);
  }
  if (f.outputs && f.outputs.count > 0) {
    lines.push(`non-finite outputs: ${f.outputs.count} of ${f.samples} samples have NaN/Inf ${f.outputName}` +
      (f.outputs.first !== undefined ? ` (first: sample ${f.outputs.first})` : ''));
  }
  return lines;
}

/** The samples of a row-major [n, per] array holding NaN/Inf: how many and the first. */
export function nonFiniteRows(data: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, n: number, per: number): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (countNonFinite(data.subarray(i * per, (i + 1) * per)) > 0) {
      if (count++ === 0) first = i;
    }
  }
  return { count, first };
}
