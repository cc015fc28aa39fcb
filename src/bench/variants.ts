// Backend variants the benchmarks compare: a tfjs backend name, plus 'wasm' split into its two kernel paths
// ('wasm' = pure wasm kernels, 'wasm+native' = wasm with the native oneDNN/C++ kernels) in one process.
import { useBackend, type BackendName } from '../backend/index.js';
import { nativeKernelsEnabled, setNativeKernels } from '../kernels/native/index.js';
import { nativeStatus } from '../kernels/native/addon.js';

export const WASM_NATIVE = 'wasm+native';

/** The default bench list: both wasm paths, then the other backends. */
export const DEFAULT_BENCH_BACKENDS = ['wasm', WASM_NATIVE, 'webgpu', 'cpu'];

/**
 * Activates a bench variant and returns its tfjs backend name. 'wasm' switches the native kernels off (until the
 * next call), 'wasm+native' on; it throws with the reason when the addon is not available.
 */
export async function useBenchBackend(name: string): Promise<BackendName> {
  if (name === WASM_NATIVE) {
    const b = await useBackend('wasm');
    if (!setNativeKernels(true)) throw new Error(`${WASM_NATIVE} is not available: ${nativeStatus().reason}`);
    return b;
  }
  const b = await useBackend(name);
  if (b === 'wasm') setNativeKernels(false);
  return b;
}

/** Restores the default kernel path (native where loaded) after a benchmark. */
export function restoreDefaultKernels(): void {
  if (!nativeKernelsEnabled() && nativeStatus().active) setNativeKernels(true);
}
