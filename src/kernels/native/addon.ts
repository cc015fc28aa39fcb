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
import { NATIVE_FUNCTIONS, type NativeAddon } from './generated/api.js';

export type { NativeAddon };

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
    const missing = NATIVE_FUNCTIONS.filter((f) => typeof (addon as unknown as Record<string, unknown>)[f] !== 'function');
    if (missing.length > 0) {
      return off(s, `the native addon ${file} is older than this chanlab (no ${missing.join(', ')}; run \`npm run build:native\`)`, file);
    }
    addon.setThreads(s.threads);
    const version = addon.version();
    return { addon, status: { active: true, path: file, version, threads: s.threads, reason: `${version}, ${s.threads} thread${s.threads === 1 ? '' : 's'}` } };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return off(s, `the native addon ${file} failed to load (${loadFailure(msg)})`, file);
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
