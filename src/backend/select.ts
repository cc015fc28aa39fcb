// Backend selection: one function picks a tfjs backend by name or from CHANLAB_BACKEND, registers chanlab's custom
// kernels for it, and explains what to do when a backend cannot start.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
// tfjs-core alone registers no gradients; training needs them all (bundled by scripts/bundle-tfjs-gradients.mjs).
import './generated/tfjs_gradients.cjs';
import '../kernels/register.js';
import { BACKEND_NAMES, type BackendName, parseBackendName } from './names.js';
import { enableWasmThreads } from '../kernels/wasm/threads.js';
import { loadWebGPU, releaseWebGPU } from './webgpu.js';
import { nativeKernelsEnabled } from '../kernels/native/index.js';
import { nativeStatus } from '../kernels/native/addon.js';
import { warnOnce } from '../core/warn.js';
import { guardWasmHeap } from './wasm_heap.js';

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  /** Why it is not available and how to get it; or what it runs on. */
  detail: string;
}

export const DEFAULT_BACKEND: BackendName = 'wasm';

/** The backend name from the argument, else CHANLAB_BACKEND, else wasm. */
export function resolveBackendName(name?: string): BackendName {
  const chosen = name ?? process.env.CHANLAB_BACKEND ?? DEFAULT_BACKEND;
  return parseBackendName(chosen, name !== undefined ? 'backend' : 'CHANLAB_BACKEND');
}

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Loads tfjs-node(-gpu) if one is installed; returns the package used, or the reason none could load. */
async function loadTensorflow(): Promise<{ pkg?: string; reason?: string }> {
  const reasons: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      await import(pkg);
      if (tf.findBackendFactory('tensorflow') != null) return { pkg };
      reasons.push(`${pkg} loaded but registered no 'tensorflow' backend (two copies of @tensorflow/tfjs-core?)`);
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      reasons.push(`${pkg}: ${msg}`);
    }
  }
  return { reason: reasons.join('; ') };
}

function howToGet(name: BackendName): string {
  switch (name) {
    case 'webgpu':
      return 'WebGPU needs the npm package `webgpu` (a dependency of chanlab) and a Vulkan driver: a GPU driver, or ' +
        "on CPU-only Debian 12 Mesa's lavapipe from bookworm-backports (`bash scripts/setup-system.sh`)";
    case 'tensorflow':
      return 'install @tensorflow/tfjs-node-gpu (CUDA 11.2 / cuDNN 8.1) or @tensorflow/tfjs-node; they are optional ' +
        'and their install step downloads libtensorflow, so they cannot install on machines without that network access';
    default:
      return 'it ships with chanlab; reinstall with `npm ci`';
  }
}

/**
 * Invalid CHANLAB_NATIVE_* values, and a native addon that was asked for but did not load, are errors whatever the
 * backend; the default's fallback to pure wasm kernels is said once, when wasm starts.
 */
function checkNativeSettings(backend: BackendName): void {
  const st = nativeStatus();
  if (st.error !== undefined) throw new Error(st.error);
  if (st.fallback && backend === 'wasm') warnOnce(`native kernels off, running the pure wasm kernels (slower): ${st.reason.replace(/: pure wasm kernels$/, '')}`);
}

/** Wasm threads from CHANLAB_WASM_THREADS (XNNPACK convolutions on a thread pool); applied before wasm starts. */
function configureWasmThreads(): void {
  const v = process.env.CHANLAB_WASM_THREADS;
  if (v === undefined || v === '' || tf.findBackend('wasm') != null) return;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`CHANLAB_WASM_THREADS: expected a positive integer (wasm threads, e.g. 4), got '${v}'`);
  }
  if (n > 1) enableWasmThreads(n);
}

async function register(name: BackendName): Promise<void> {
  if (name === 'webgpu') await loadWebGPU();
  if (name === 'tensorflow') {
    const { reason } = await loadTensorflow();
    if (reason !== undefined) throw new Error(reason);
  }
}

/**
 * Makes `name` (or CHANLAB_BACKEND, or wasm) the active tfjs backend, with chanlab's kernels registered.
 * Throws a clear error naming the backend and how to get it when it cannot start.
 */
export async function useBackend(name?: string): Promise<BackendName> {
  const backend = resolveBackendName(name);
  checkNativeSettings(backend);
  if (backend === 'wasm') configureWasmThreads(); // a bad setting is the user's to fix, not a missing backend
  try {
    await register(backend);
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error('tfjs could not initialise it');
    await tf.ready();
    if (backend === 'wasm') guardWasmHeap(tf.findBackend('wasm'));
    if (backend === 'cpu') {
      // Silence tfjs's one-time "install tfjs-node" banner: chanlab chooses its backends on purpose.
      const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean };
      cpu.firstUse = false;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`backend '${backend}' is not available: ${msg}. To get it: ${howToGet(backend)}`);
  }
  return backend;
}

/** Probes every backend (starting each one once) and says which can run here and why not. */
export async function probeBackends(): Promise<BackendAvailability[]> {
  const previous = tf.getBackend();
  const out: BackendAvailability[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      await useBackend(name);
      out.push({ name, available: true, detail: describeActive(name) });
    } catch (e) {
      out.push({ name, available: false, detail: e instanceof Error ? e.message : String(e) });
    }
  }
  if (previous && tf.findBackend(previous)) await tf.setBackend(previous);
  return out;
}

/** A short description of the active backend: threads/SIMD for wasm, the adapter for webgpu. */
export function describeActive(name: BackendName = tf.getBackend() as BackendName): string {
  switch (name) {
    case 'wasm': {
      const threads = tf.findBackend('wasm') ? getThreadsCount() : 1;
      return `XNNPACK, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'}` +
        (threads === 1 ? ' (CHANLAB_WASM_THREADS=N for more)' : '') + `; ${describeNative()}`;
    }
    case 'webgpu': {
      const b = tf.findBackend('webgpu') as unknown as { adapterInfo?: { vendor?: string; architecture?: string } } | null;
      const info = b?.adapterInfo;
      return info ? `adapter ${info.vendor ?? '?'} ${info.architecture ?? ''}`.trim() : 'Dawn';
    }
    case 'cpu':
      return 'pure JavaScript reference (slow)';
    case 'tensorflow':
      return 'libtensorflow through tfjs-node';
  }
}

/** Which kernel path the wasm backend uses for convolutions, pooling, batch norm and PiX, and why. */
export function describeNative(): string {
  const st = nativeStatus();
  if (!st.active) return `native kernels off: ${st.reason}`;
  return nativeKernelsEnabled() ? `native kernels on: ${st.reason}` : `native kernels loaded but switched off (${st.reason})`;
}

/** Disposes GPU resources so the process can exit. Safe to call any time. */
export function releaseBackends(): void {
  releaseWebGPU();
}

export { BACKEND_NAMES, type BackendName, parseBackendName };
