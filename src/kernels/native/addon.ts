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
import { NATIVE_FUNCTIONS, type NativeAddon } from './generated/api.js';

export type { NativeAddon };

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

/**
 * A load error in words: an undefined symbol of a chanlab function (mangled `_ZN7chanlab<len><name>…`) means a
 * function declared in native/kernels.json has no definition under native/src.
 */
export function loadFailure(message: string): string {
  const m = /undefined symbol: _ZN7chanlab(\d+)(\w+)/.exec(message);
  if (m === null) return message;
  const name = m[2]!.slice(0, Number(m[1]));
  return `function '${name}' is declared in native/kernels.json but not defined in native/src (${message})`;
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
    const missing = NATIVE_FUNCTIONS.filter((f) => typeof (addon as unknown as Record<string, unknown>)[f] !== 'function');
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
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return { status: { active: false, path: file, reason: `native addon failed to load (${loadFailure(msg)}): pure wasm kernels` } };
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
