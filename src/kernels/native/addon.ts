// The optional native addon (native/, built by `npm ci` with node-gyp against Debian's oneDNN): how it is found,
// loaded and configured, and why it is not active when it is not.
//
// CHANLAB_NATIVE=0 disables it; CHANLAB_NATIVE=1 or CHANLAB_NATIVE_REQUIRED=1 require it (not loading is then an
// error); CHANLAB_NATIVE_PATH points at a chanlab_native.node elsewhere (also a requirement). With none of them set,
// a missing addon falls back to the pure wasm kernels and says so in one line (src/backend/select.ts). Invalid values
// are errors, raised when a backend is selected.
// CHANLAB_NATIVE_THREADS sets its (OpenMP/oneDNN) thread count, 1 to MAX_NATIVE_THREADS, default: all cores. The
// count is fixed for the life of the process: oneDNN's convolution weight gradients reduce over threads, so results
// are reproducible for a given thread count (and chanlab's own native reductions do not depend on it at all).
// OMP_WAIT_POLICY defaults to PASSIVE (see load()).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { bundleDir } from '../../core/build_info.js';
import { packageRoot } from '../../core/package_root.js';

type F32 = Float32Array;
type Maybe<T> = T | null;

/** The functions chanlab_native.node exports. Tensors are Float32Array views of the wasm heap, used in place. */
export interface NativeAddon {
  version(): string;
  setThreads(n: number): void;
  getThreads(): number;
  /** geometry: N,H,W,IC,OH,OW,OC,KH,KW,sh,sw,dh,dw,padTop,padLeft,padBottom,padRight,G. activation: 0 linear,
   *  1 relu, 2 relu6, 3 leakyrelu(alpha), 4 sigmoid, 5 elu. */
  convForward(geometry: Int32Array, x: F32, filter: F32, bias: Maybe<F32>, y: F32, activation: number, alpha: number,
    packed?: Maybe<F32>, packedValid?: boolean): void;
  /** Floats of the forward primitive's filter layout for `packed` (0: it reads the tfjs filter as it is). */
  convPackedSize(geometry: Int32Array, hasBias: boolean, activation: number, alpha: number): number;
  convBackwardData(geometry: Int32Array, dy: F32, filter: F32, dx: F32): void;
  convBackwardWeights(geometry: Int32Array, x: F32, dy: F32, dw: F32): void;
  /** The oneDNN implementation chosen for a geometry; kind 0 forward, 1 backward data, 2 backward weights. */
  convImpl(geometry: Int32Array, kind: number): string;
  /** geometry: N,H,W,C,OH,OW,FH,FW,sh,sw,padTop,padLeft. */
  maxPool(geometry: Int32Array, x: F32, y: F32): void;
  maxPoolGrad(geometry: Int32Array, x: F32, dy: F32, dx: F32): void;
  avgPool(geometry: Int32Array, x: F32, y: F32): void;
  avgPoolGrad(geometry: Int32Array, dy: F32, dx: F32): void;
  batchNormTrain(x: F32, gamma: F32, beta: F32, y: F32, mean: F32, variance: F32, invStd: F32, m: number, c: number,
    eps: number): void;
  batchNormTrainGrad(dy: F32, x: F32, mean: F32, invStd: F32, gamma: F32, dx: F32, dGamma: F32, dBeta: F32,
    m: number, c: number): void;
  batchNormInference(x: F32, mean: F32, variance: F32, scale: Maybe<F32>, offset: Maybe<F32>, y: F32, m: number,
    c: number, eps: number): void;
  /** NHWC [N, HW, C] → [N, C]. */
  spatialMean(x: F32, y: F32, n: number, hw: number, c: number): void;
  /** PiX gate p = act(mean(x)·W + b); dims: N, HW, C, G, activation (0 sigmoid, 1 half tanh). */
  pixGate(x: F32, w: F32, bias: Maybe<F32>, p: F32, dims: Int32Array): void;
  /** dims: N, HW, C, G, zeta. */
  pixForward(dims: Int32Array, modes: Int32Array, sizes: Int32Array, divs: Float64Array, lowest: number, x: F32, p: F32,
    y: F32): void;
  pixBackward(dims: Int32Array, modes: Int32Array, sizes: Int32Array, divs: Float64Array, lowest: number, x: F32,
    p: F32, dy: F32, dx: F32, dp: F32): void;
  /** Whether the PiX kernels use their AVX-512 row kernels from now on (false where the CPU lacks AVX-512F);
   *  `false` forces the scalar loops (tests compare both). stream (default true): the backward writes whole vector rows of dx with non-temporal stores. */
  setPixSimd(on: boolean, stream?: boolean): boolean;
  /** Parallel copy on the addon's threads: method 0 memcpy of one slice per thread, 1 non-temporal stores. */
  copy(src: F32, dst: F32, method?: 0 | 1): void;
  /** dims: B, HW, C, h. xs[b,p,i·C+c] = a[b,p,c]·g[i,b,c]. */
  dgcExpand(dims: Int32Array, a: F32, g: F32, xs: F32): void;
  /** dims: R, C'/h, h. Head-major [R, C'] ↔ interleaved (channel j·h + i); inverse 1 goes back. */
  dgcShuffle(dims: Int32Array, src: F32, dst: F32, inverse: number): void;
  /** dims: B, HW, C, h. da = Σ_i g_i·dxs_i; dg[i,b,c] = Σ_p dxs_i·a. */
  dgcReduce(dims: Int32Array, dxs: F32, a: F32, g: F32, da: F32, dg: F32): void;
}

/** Every function of NativeAddon: an addon built from older sources lacks some and is not used. */
const ADDON_FUNCTIONS: ReadonlyArray<keyof NativeAddon> = [
  'version', 'setThreads', 'getThreads', 'convForward', 'convPackedSize', 'convBackwardData', 'convBackwardWeights',
  'convImpl', 'maxPool', 'maxPoolGrad', 'avgPool', 'avgPoolGrad', 'batchNormTrain', 'batchNormTrainGrad',
  'batchNormInference', 'spatialMean', 'pixGate', 'pixForward', 'pixBackward', 'setPixSimd', 'copy', 'dgcExpand', 'dgcShuffle', 'dgcReduce',
];

export interface NativeStatus {
  active: boolean;
  /** Why it is (not) active, in one line. */
  reason: string;
  path?: string;
  version?: string;
  threads?: number;
  /** A setting that is invalid, or an addon that was asked for and did not load: useBackend throws this. */
  error?: string;
  /** The addon was not asked for and is missing: the default falls back to pure wasm, saying so once. */
  fallback?: boolean;
}

export const ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'chanlab_native.node');

/** chanlab's package root, found from the package's own files (src/core/package_root.ts). */
export { packageRoot };

/** The most native threads CHANLAB_NATIVE_THREADS may ask for: a fixed bound, so that a thread count (which fixes
 *  oneDNN's weight-gradient reduction order) valid on one machine is valid on every other; libgomp crashed
 *  (signal 11) at 100 000 and runs at 4 096. */
export const MAX_NATIVE_THREADS = 1024;

/** The environment's native settings, checked: every invalid value is an Error naming the variable. */
interface NativeSettings {
  disabled: boolean;
  /** CHANLAB_NATIVE=1, CHANLAB_NATIVE_REQUIRED=1 or CHANLAB_NATIVE_PATH: not loading is an error */
  required: string | null;
  file: string | null;
  threads: number;
}

function flag(name: string, allowed: readonly string[]): string | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if (!allowed.includes(v)) throw new Error(`${name}: expected ${allowed.join(' or ')}, got '${v}'`);
  return v;
}

export function threadCount(): number {
  const v = process.env.CHANLAB_NATIVE_THREADS;
  if (v === undefined || v === '') return Math.min(availableParallelism(), MAX_NATIVE_THREADS);
  const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(Number.isSafeInteger(n) && n >= 1 && n <= MAX_NATIVE_THREADS)) {
    throw new Error(`CHANLAB_NATIVE_THREADS: expected an integer from 1 to ${MAX_NATIVE_THREADS} (native kernel threads; ` +
      `this machine has ${availableParallelism()} cores), got '${v}'`);
  }
  return n;
}

function settings(): NativeSettings {
  const native = flag('CHANLAB_NATIVE', ['0', '1']);
  const requiredFlag = flag('CHANLAB_NATIVE_REQUIRED', ['0', '1']);
  const pathVar = process.env.CHANLAB_NATIVE_PATH || null;
  const threads = threadCount();
  const required = pathVar ? `CHANLAB_NATIVE_PATH=${pathVar}` : native === '1' ? 'CHANLAB_NATIVE=1'
    : requiredFlag === '1' ? 'CHANLAB_NATIVE_REQUIRED=1' : null;
  // a bundle (scripts/bundle.mjs) carries its addon next to itself
  const own = bundleDir() !== null ? path.join(bundleDir()!, 'chanlab_native.node') : null;
  const root = packageRoot();
  const file = pathVar ? path.resolve(pathVar) : own ?? (root !== undefined ? path.join(root, ADDON_RELATIVE_PATH) : null);
  return { disabled: native === '0', required, file, threads };
}

let loaded: { addon?: NativeAddon; status: NativeStatus } | undefined;

/** Not active: an error when the addon was asked for, else the default's fallback to pure wasm. */
function off(s: NativeSettings, reason: string, file?: string): { status: NativeStatus } {
  const status: NativeStatus = { active: false, reason: `${reason}: pure wasm kernels`, ...(file ? { path: file } : {}) };
  if (s.required) status.error = `native kernels were asked for (${s.required}) but ${reason}`;
  else status.fallback = true;
  return { status };
}

function load(): { addon?: NativeAddon; status: NativeStatus } {
  let s: NativeSettings;
  try {
    s = settings();
  } catch (e) {
    const msg = (e as Error).message;
    return { status: { active: false, reason: msg, error: msg } };
  }
  // CHANLAB_NATIVE=0 wins over CHANLAB_NATIVE_REQUIRED=1 (CI's pure-wasm test project sets both)
  if (s.disabled) return { status: { active: false, reason: 'disabled by CHANLAB_NATIVE=0 (pure wasm kernels)' } };
  const file = s.file;
  if (file === null) return off(s, 'the chanlab package root was not found from the running script or this module');
  if (!existsSync(file)) {
    if (process.env.CHANLAB_NATIVE_PATH) return off(s, `CHANLAB_NATIVE_PATH: ${file} does not exist (expected a built chanlab_native.node)`, file);
    return off(s, `the native addon is not built (${file} missing; it needs libdnnl-dev and a C++ compiler, then \`npm run build:native\`)`, file);
  }
  try {
    // libgomp reads this when the addon loads it. Spinning workers (the default) collapse on a busy machine: a
    // 2-thread conv went from 4 ms to 160 ms with other processes on the cores; passive waiting costs little idle.
    process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
    const addon = createRequire(file)(file) as NativeAddon;
    const missing = ADDON_FUNCTIONS.filter((f) => typeof (addon as unknown as Record<string, unknown>)[f] !== 'function');
    if (missing.length > 0) {
      return off(s, `the native addon ${file} is older than this chanlab (no ${missing.join(', ')}; run \`npm run build:native\`)`, file);
    }
    addon.setThreads(s.threads);
    const version = addon.version();
    return { addon, status: { active: true, path: file, version, threads: s.threads, reason: `${version}, ${s.threads} thread${s.threads === 1 ? '' : 's'}` } };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return off(s, `the native addon ${file} failed to load (${msg})`, file);
  }
}

/** The loaded addon, or undefined (see nativeStatus() for why). Loaded once per process. */
export function nativeAddon(): NativeAddon | undefined {
  loaded ??= load();
  return loaded.addon;
}

export function nativeStatus(): NativeStatus {
  loaded ??= load();
  return loaded.status;
}
