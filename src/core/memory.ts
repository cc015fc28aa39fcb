// Out-of-memory failures arrive as "memory access out of bounds" (wasm), "Array buffer allocation failed" or
// "Invalid typed array length" (V8): none says what to change. This names the batch size that did not fit.

const OOM = /memory access out of bounds|out of memory|Array buffer allocation failed|Invalid typed array length|Aborted\(OOM\)|Cannot enlarge memory/i;

/** An Error naming the parameter when `e` is an out-of-memory failure, else `e` unchanged. */
export function explainMemoryError(e: unknown, param: string, value: number, what: string): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (!OOM.test(msg)) return e;
  return new Error(`${param}: ${what} with ${param} ${value} ran out of memory (${msg}); expected a smaller ${param} ` +
    `(the wasm backend addresses at most 4 GiB${what === 'training' ? '; gradient accumulation, accumSteps, keeps the effective batch' : ''})`);
}
