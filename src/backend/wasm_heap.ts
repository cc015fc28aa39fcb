// tfjs-backend-wasm allocates every tensor with the Emscripten module's malloc. When the heap cannot grow (wasm32
// addresses at most 4 GiB) malloc returns 0, or, when the request takes the heap past 4 GiB, an address whose 32-bit
// end wrapped around. tfjs checks neither: the tensor is written where it does not fit, and a later, unrelated
// kernel fails with a bare "memory access out of bounds" (or the heap is silently corrupt). The guard makes the
// failed allocation itself an error that says what happened.

interface EmscriptenModule {
  _malloc(bytes: number): number;
  HEAPU8: Uint8Array;
  asm?: { malloc?: (bytes: number) => number };
}

const guarded = new WeakSet<object>();

/** Wraps the wasm backend's malloc so that an allocation the heap cannot hold throws (once per module). */
export function guardWasmHeap(backend: unknown): void {
  const wasm = (backend as { wasm?: EmscriptenModule } | null)?.wasm;
  if (!wasm || guarded.has(wasm)) return;
  // Emscripten's `_malloc` is a stub that replaces itself with the raw export on first use: keep the raw one and
  // ignore that replacement, so the guard stays in place.
  const raw = wasm.asm?.malloc ?? wasm._malloc.bind(wasm);
  const malloc = (bytes: number): number => {
    const p = raw(bytes) >>> 0;
    // 0: malloc failed; an end past the heap: the allocator's 32-bit arithmetic wrapped (a request near 4 GiB)
    if (bytes > 0 && (p === 0 || p + bytes > wasm.HEAPU8.length)) {
      const heapMiB = Math.round(wasm.HEAPU8.length / 2 ** 20);
      throw new Error(`wasm heap out of memory: could not allocate ${(bytes / 2 ** 20).toFixed(1)} MiB with ${heapMiB} MiB in use ` +
        '(the wasm backend addresses at most 4 GiB)');
    }
    return p;
  };
  Object.defineProperty(wasm, '_malloc', { configurable: true, enumerable: true, get: () => malloc, set: () => undefined });
  guarded.add(wasm);
}
