// Starting tfjs's WebGPU backend in Node through Dawn (npm `webgpu`).
//
// tfjs registers `webgpu` at import time only if `navigator.gpu` exists, so the Dawn globals and a GPU object are
// installed on globalThis before the backend module is imported. A live GPU device keeps the process alive: call
// releaseWebGPU() when done (chanlab's CLI and tests do).
import * as tf from '@tensorflow/tfjs-core';
import { installWebGPUKernels } from '../kernels/register.js';
import { adapterFlags, parseDawnAdapters } from './webgpu_adapter.js';

interface DawnModule {
  create(options: string[]): unknown;
  globals: object;
}

let loaded: Promise<void> | null = null;

interface ErrorTarget {
  addEventListener(type: 'uncapturederror', f: (e: { error?: { message?: string } }) => void): void;
}
interface AdapterLike {
  limits: Record<string, number>;
  features: { has(f: string): boolean };
}
interface DeviceDescriptor { requiredLimits?: Record<string, number>; requiredFeatures?: Iterable<string> }
interface AdapterProto { requestDevice(this: unknown, d?: DeviceDescriptor): Promise<ErrorTarget> }

/** Limits the kernels use, requested at the adapter's values (tfjs asks for some; WebGPU's defaults are lower, e.g.
 *  8 storage buffers per stage and 16 KiB of workgroup memory). */
export const REQUESTED_LIMITS = [
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxUniformBufferBindingSize',
] as const;

/** Optional features chanlab's kernels use where present: GPU timestamps (profiles), f16 arithmetic (the f16
 *  inference path), subgroups, and Dawn's experimental subgroup matrices (tensor cores; only offered by Dawn with
 *  allow_unsafe_apis on adapters with VK_KHR_cooperative_matrix). */
export const REQUESTED_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix'] as const;

/** The descriptor tfjs built, with the adapter's real limits and the optional features it offers added. */
export function withAdapterLimits(adapter: AdapterLike, d: DeviceDescriptor = {}): DeviceDescriptor {
  const requiredLimits = { ...(d.requiredLimits ?? {}) };
  for (const k of REQUESTED_LIMITS) if (typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
  const requiredFeatures = new Set([...(d.requiredFeatures ?? [])].map((f) => String(f)));
  for (const f of REQUESTED_FEATURES) if (adapter.features.has(f)) requiredFeatures.add(f);
  return { ...d, requiredLimits, requiredFeatures: [...requiredFeatures] };
}

const errors: string[] = [];

/**
 * WebGPU errors that no error scope caught (an invalid pipeline, a binding over a limit …). Dawn only prints them and
 * tfjs goes on with garbage, so chanlab records them: the CLI fails a command that caused any, tests assert none.
 */
export function webgpuErrors(): readonly string[] {
  return errors;
}

/**
 * Every device the adapter gives (tfjs asks for one per backend) has the adapter's real limits and the optional
 * features chanlab uses (withAdapterLimits), and reports its uncaptured errors to webgpuErrors().
 */
function recordUncapturedErrors(globals: object): void {
  const proto = (globals as { GPUAdapter?: { prototype: AdapterProto & { chanlabRecords?: boolean } } }).GPUAdapter?.prototype;
  if (proto === undefined || proto.chanlabRecords) return;
  const request = proto.requestDevice;
  proto.requestDevice = async function (this: unknown, d?: DeviceDescriptor) {
    const device = await request.call(this, withAdapterLimits(this as AdapterLike, d));
    device.addEventListener('uncapturederror', (e) => {
      const msg = e.error?.message ?? 'unknown WebGPU error';
      if (errors.length === 0) process.stderr.write(`chanlab: WebGPU error (results on webgpu are not trustworthy): ${msg.split('\n')[0]}\n`);
      errors.push(msg);
    });
    return device;
  };
  proto.chanlabRecords = true;
}

/**
 * Dawn flags: CHANLAB_WEBGPU_FLAGS (comma-separated, e.g. `adapter=NVIDIA`) and the adapter CHANLAB_WEBGPU_ADAPTER
 * (an index, see webgpu_adapter.ts) selects.
 */
async function dawnOptions(dawn: DawnModule): Promise<string[]> {
  const env = process.env.CHANLAB_WEBGPU_FLAGS;
  const given = env ? env.split(',').map((s) => s.trim()).filter(Boolean) : [];
  // GPU timestamps unrounded (Dawn rounds them to 65.5 µs by default, which hides every small dispatch in a profile),
  // unless the flags say otherwise
  const extra = given.some((f) => f.startsWith('disable-dawn-features=')) ? given : ['disable-dawn-features=timestamp_quantization', ...given];
  const index = process.env.CHANLAB_WEBGPU_ADAPTER?.trim();
  if (!index) return extra;
  if (extra.some((f) => /^(adapter|backend)=/.test(f))) {
    throw new Error('CHANLAB_WEBGPU_ADAPTER and an adapter= or backend= flag in CHANLAB_WEBGPU_FLAGS exclude each other: set one of them');
  }
  // Dawn lists its adapters in the error of a request that matches none
  const probe = dawn.create([...extra, 'adapter=chanlab: no adapter has this name']) as { requestAdapter(): Promise<unknown> };
  let listed = '';
  try {
    await probe.requestAdapter();
  } catch (e) {
    listed = (e as Error).message;
  }
  return [...extra, ...adapterFlags(index, parseDawnAdapters(listed))];
}

async function ensureRuntimeDir(): Promise<void> {
  if (process.env.XDG_RUNTIME_DIR) return;
  // Mesa warns once per process without it; any private writable directory will do.
  const { mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = `${tmpdir()}/chanlab-xdg-${process.getuid?.() ?? 0}`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

/** Installs navigator.gpu from Dawn and registers tfjs's webgpu backend factory. Idempotent. */
export function loadWebGPU(): Promise<void> {
  if (!loaded) {
    loaded = (async () => {
      await ensureRuntimeDir();
      const dawn = (await import('webgpu')) as unknown as DawnModule;
      Object.assign(globalThis, dawn.globals);
      recordUncapturedErrors(dawn.globals);
      const gpu = dawn.create(await dawnOptions(dawn));
      const g = globalThis as { navigator?: { gpu?: unknown } };
      if (g.navigator === undefined) {
        Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      } else {
        Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
      }
      await import('@tensorflow/tfjs-backend-webgpu');
      if (tf.findBackendFactory('webgpu') == null) {
        throw new Error('tfjs-backend-webgpu did not register its backend (navigator.gpu missing)');
      }
      installWebGPUKernels();
    })().catch((e: unknown) => {
      loaded = null;
      throw e;
    });
  }
  return loaded;
}

/**
 * Destroys the live webgpu backend (and its GPU device) so the process can exit. The factory is kept, so a later
 * setBackend('webgpu') starts a fresh device.
 */
export function releaseWebGPU(): void {
  const engine = tf.engine();
  const entry = engine.registryFactory['webgpu'];
  if (entry === undefined || engine.registry['webgpu'] === undefined) return;
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', entry.factory, entry.priority);
}
