// The optional native addon (native/, built by `npm ci` with node-gyp against Debian's oneDNN): how it is found,
// loaded and configured, and why it is not active when it is not.
//
// CHANLAB_NATIVE=0 disables it. CHANLAB_NATIVE_PATH points at a chanlab_native.node elsewhere.
// CHANLAB_NATIVE_THREADS sets its (OpenMP/oneDNN) thread count, default: all cores. The count is fixed for the life
// of the process: oneDNN's convolution weight gradients reduce over threads, so results are reproducible for a
// given thread count (and chanlab's own native reductions do not depend on it at all). OMP_WAIT_POLICY defaults to
// PASSIVE (see load()).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';

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
}

export const ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'chanlab_native.node');

/** chanlab's package root: the nearest directory above the working directory whose package.json is chanlab's, else
 *  where the `chanlab` package resolves from there. */
export function packageRoot(from = process.cwd()): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'chanlab') return dir;
      } catch {
        // not a readable package.json: keep walking
      }
    }
    if (path.dirname(dir) === dir) break;
  }
  try {
    const entry = createRequire(path.join(path.resolve(from), 'x.js')).resolve('chanlab');
    return packageRoot(path.dirname(entry));
  } catch {
    return undefined;
  }
}

function threadCount(): number {
  const v = process.env.CHANLAB_NATIVE_THREADS;
  if (v === undefined || v === '') return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CHANLAB_NATIVE_THREADS must be a positive integer, got '${v}'`);
  return n;
}

let loaded: { addon?: NativeAddon; status: NativeStatus } | undefined;

function load(): { addon?: NativeAddon; status: NativeStatus } {
  if (process.env.CHANLAB_NATIVE === '0') {
    return { status: { active: false, reason: 'disabled by CHANLAB_NATIVE=0 (pure wasm kernels)' } };
  }
  const root = packageRoot();
  const file = process.env.CHANLAB_NATIVE_PATH || (root !== undefined ? path.join(root, ADDON_RELATIVE_PATH) : undefined);
  if (file === undefined) {
    return { status: { active: false, reason: 'chanlab package root not found from the working directory (pure wasm kernels)' } };
  }
  if (!existsSync(file)) {
    return {
      status: {
        active: false, path: file,
        reason: `native addon not built (${file} missing; needs libdnnl-dev and a C++ compiler, then \`npm run build:native\`): pure wasm kernels`,
      },
    };
  }
  try {
    // libgomp reads this when the addon loads it. Spinning workers (the default) collapse on a busy machine: a
    // 2-thread conv went from 4 ms to 160 ms with other processes on the cores; passive waiting costs little idle.
    process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
    const addon = createRequire(path.join(process.cwd(), 'x.js'))(file) as NativeAddon;
    const missing = ADDON_FUNCTIONS.filter((f) => typeof (addon as unknown as Record<string, unknown>)[f] !== 'function');
    if (missing.length > 0) {
      return {
        status: {
          active: false, path: file,
          reason: `native addon is older than this chanlab (no ${missing.join(', ')}; run \`npm run build:native\`): pure wasm kernels`,
        },
      };
    }
    const threads = threadCount();
    addon.setThreads(threads);
    const version = addon.version();
    return { addon, status: { active: true, path: file, version, threads, reason: `${version}, ${threads} thread${threads === 1 ? '' : 's'}` } };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { status: { active: false, path: file, reason: `native addon failed to load (${msg}): pure wasm kernels` } };
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
