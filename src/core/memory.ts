// Out-of-memory failures arrive as "memory access out of bounds" (wasm), "Array buffer allocation failed" or
// "Invalid typed array length" (V8): none says what to change. This names the batch size that did not fit.

const OOM = /memory access out of bounds|out of memory|Array buffer allocation failed|Invalid typed array length|Aborted\(OOM\)|Cannot enlarge memory/i;

/** An Error naming the parameter when `e` is an out-of-memory failure, else `e` unchanged. */
export function explainMemoryError(e: unknown, param: string, value: number, what: string): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (!OOM.test(msg)) return e;
  // the wasm heap guard (backend/wasm_heap.ts) already says the 4 GiB bound
  const notes = [/at most 4 GiB/.test(msg) ? '' : 'the wasm backend addresses at most 4 GiB',
    what === 'training' ? 'gradient accumulation, accumSteps, keeps the effective batch' : ''].filter((n) => n !== '');
  return new Error(`${param}: ${what} with ${param} ${value} ran out of memory (${msg}); expected a smaller ${param}` +
    (notes.length > 0 ? ` (${notes.join('; ')})` : ''));
}

/**
 * Runs `body`, then disposes `resource`. When `body` failed, a failing dispose does not hide its error: after an
 * out-of-memory failure the wasm heap is corrupt and freeing throws a bare "memory access out of bounds" again.
 */
export async function disposingAfter<T>(resource: { dispose(): void }, body: () => Promise<T>): Promise<T> {
  let done = false;
  try {
    const r = await body();
    done = true;
    return r;
  } finally {
    try {
      resource.dispose();
    } catch (e) {
      if (done) throw e;
    }
  }
}
