// Multithreaded XNNPACK for tfjs's wasm backend in Node.
//
// tfjs 4.22 ships tfjs-backend-wasm-threaded-simd.wasm but never uses it in Node: WASM_HAS_MULTITHREAD_SUPPORT is
// hard-wired false there, and its loader hands Emscripten `blob:` URLs for the pthread worker and main script, which
// Node's worker_threads refuse (ERR_WORKER_PATH). `enableWasmThreads()` registers a replacement 'wasm' backend factory
// that instantiates the threaded-SIMD module itself with real files: the worker script (tfjs's own, written to a temp
// directory) and the module's JS glue from node_modules, passed as a path. Kernels are unchanged (same exports).
// Call it before `setBackend('wasm')` / `useBackend('wasm')`. XNNPACK then runs convolutions on a pthreadpool;
// tfjs's BatchMatMul passes no thread pool, so matmul-based kernels stay single-threaded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const SIMD_THREADED = 'tfjs-backend-wasm-threaded-simd';

function packageDir(): string {
  const req = createRequire(path.join(process.cwd(), 'x.js'));
  return path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/**
 * The module sizes its pool at start-up as min(requested, 8, logical cores / 2) (it assumes 2 hyper-threads per core),
 * reading the core count through Node's os.cpus(). To honour an explicit request above that cap, os.cpus() reports
 * 2×threads entries while the module instantiates; it is restored right after.
 */
async function withReportedCores<T>(threads: number | undefined, f: () => Promise<T>): Promise<T> {
  const real = os.cpus;
  const cores = real.call(os);
  if (threads === undefined || threads <= Math.floor(cores.length / 2)) return f();
  const fake = Array.from({ length: 2 * threads }, (_, i) => cores[i % cores.length]!);
  (os as { cpus: typeof os.cpus }).cpus = () => fake;
  try {
    return await f();
  } finally {
    (os as { cpus: typeof os.cpus }).cpus = real;
  }
}

async function createThreadedModule(): Promise<EmscriptenModule> {
  const dir = packageDir();
  const req = createRequire(path.join(dir, 'package.json'));
  const factory = req(path.join(dir, 'wasm-out', `${SIMD_THREADED}.js`)) as Factory;
  const { wasmWorkerContents } = req(path.join(dir, 'wasm-out', `${SIMD_THREADED}.worker.js`)) as
    { wasmWorkerContents: string };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'chanlab-wasm-threads-'));
  const workerPath = path.join(tmp, `${SIMD_THREADED}.worker.cjs`);
  // The contents sit in a template literal, so the "\n" escapes inside its string literals arrive as real newlines;
  // tfjs re-escapes them the same way before making its Blob.
  writeFileSync(workerPath, wasmWorkerContents.replace(/\n/g, '\\n'));
  const module = await factory({
    locateFile: (p: string) => {
      if (p.endsWith('.worker.js')) return workerPath;
      if (p.endsWith('.wasm')) return path.join(dir, 'dist', `${SIMD_THREADED}.wasm`);
      return path.join(dir, 'wasm-out', p);
    },
    // A path (not a Blob): the worker's importScripts reads it with fs and evaluates it.
    mainScriptUrlOrBlob: path.join(dir, 'wasm-out', `${SIMD_THREADED}.js`),
  });
  const m = module as EmscriptenModule & { tfjs?: unknown };
  m.tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
  return m;
}

/**
 * Makes the 'wasm' backend use the threaded-SIMD build with `threads` XNNPACK threads (default: all cores). Call
 * before the wasm backend is first set (a live one is replaced). The pool is capped at 8 threads.
 */
export function enableWasmThreads(threads?: number): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new Error(`threads: expected a positive integer, got ${threads}`);
  }
  if (threads !== undefined) setThreadsCount(threads);
  const engine = tf.engine();
  const priority = engine.registryFactory['wasm']?.priority ?? 2;
  if (engine.registryFactory['wasm'] !== undefined) tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    const module = await withReportedCores(threads, createThreadedModule);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    return new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  }, priority);
}
