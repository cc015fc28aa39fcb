// chanlab's own dispatch path on tfjs's webgpu backend, for kernels that tfjs's program model (one output, inputs
// read-only, a generated header) cannot express: several outputs in one pass (batch-norm statistics, dx + dγ + dβ),
// in-place updates of parameters (the fused optimizer), full control over the WGSL (tiles in workgroup memory).
//
// A kernel is a WGSL body plus a binding list: bindings 0..k-1 are `outputs` (storage, read_write), then `inputs`
// (storage, read), then one uniform struct of scalars `u` (i32 / u32 / f32, in the order given). The runtime writes
// the declarations, compiles one pipeline per (device, key), and records the dispatch into the backend's current
// compute pass exactly as tfjs's own programs are recorded (same pass, same submit batching, same buffer pools), so
// tfjs and chanlab dispatches interleave in one queue and no data leaves the GPU.
//
// Only types are imported from @tensorflow/tfjs-backend-webgpu (see PixPrograms.ts for why).
import { env, util, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export type ScalarType = 'i32' | 'u32' | 'f32';
export type ElementType = 'f32' | 'i32' | 'vec4<f32>' | 'f16';

export interface Binding {
  name: string;
  tensor: TensorInfo;
  /** WGSL element type of the array (default f32; vec4<f32> for 4-wide loads, needs a size divisible by 4). */
  type?: ElementType;
}

export interface KernelSpec {
  /** Shown in profiles (chanlab kernels are prefixed with `chanlab:` there). */
  name: string;
  /** Pipeline cache key: everything the WGSL text depends on. */
  key: string;
  /** The WGSL after the declarations: must define `@compute @workgroup_size(...) fn main(...)`. */
  body: () => string;
  outputs: Binding[];
  inputs: Binding[];
  uniforms: Array<{ name: string; type: ScalarType; value: number }>;
  dispatch: [number, number, number];
  /** WGSL `enable` directives the body needs (e.g. 'f16'); the caller checks the device has the feature. */
  enables?: string[];
}

/** What the profiler learns of every chanlab dispatch, and the timestamp writes it wants for it (webgpu_profile.ts). */
export interface DispatchObserver {
  /** Called before the dispatch is recorded; returns timestampWrites to put on a pass of its own, or null. */
  before(label: string, shape: readonly number[]): GPUComputePassTimestampWrites | null;
}

let observer: DispatchObserver | null = null;

/** Installs (or removes, with null) the observer of chanlab dispatches. */
export function setDispatchObserver(o: DispatchObserver | null): void {
  observer = o;
}

/** The members of tfjs's WebGPUBackend this runtime uses; private in its typings, stable in 4.22's code. */
interface BackendInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  tensorMap: { get(id: object): { resource?: unknown; values?: unknown; refCount: number } };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(id: object): void;
  makeUniforms(u: Array<{ type: string; data: number[] }>): GPUBufferBinding;
}

export function internals(b: WebGPUBackend): BackendInternals {
  return b as unknown as BackendInternals;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** The full WGSL of a spec: enables, bindings, the uniform struct, then the body. */
export function kernelSource(spec: Pick<KernelSpec, 'outputs' | 'inputs' | 'uniforms' | 'body' | 'enables'>): string {
  const lines: string[] = (spec.enables ?? []).map((e) => `enable ${e};`);
  let i = 0;
  for (const o of spec.outputs) lines.push(`@group(0) @binding(${i++}) var<storage, read_write> ${o.name} : array<${o.type ?? 'f32'}>;`);
  for (const x of spec.inputs) lines.push(`@group(0) @binding(${i++}) var<storage, read> ${x.name} : array<${x.type ?? 'f32'}>;`);
  const fields = spec.uniforms.length ? spec.uniforms.map((u) => `${u.name} : ${u.type},`).join(' ') : 'unused : i32,';
  lines.push(`struct Uniforms { ${fields} };`, `@group(0) @binding(${i}) var<uniform> u : Uniforms;`);
  return lines.join('\n') + '\n' + spec.body();
}

function pipelineFor(device: GPUDevice, spec: KernelSpec): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let p = cache.get(spec.key);
  if (!p) {
    const module = device.createShaderModule({ code: kernelSource(spec), label: spec.name });
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: spec.name });
    cache.set(spec.key, p);
  }
  return p;
}

/** Whether `t`'s data belongs to it alone (no other tensor shares the data id): only then may a kernel write it in
 *  place. */
export function ownsData(b: WebGPUBackend, t: TensorInfo): boolean {
  return internals(b).tensorMap.get(t.dataId).refCount === 1;
}

/** A new output tensor on the GPU (not yet written). */
export function newOutput(b: WebGPUBackend, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  const t = b.makeTensorInfo(shape, dtype);
  internals(b).uploadToGPU(t.dataId);
  return t;
}

function uniformData(spec: KernelSpec): Array<{ type: string; data: number[] }> {
  if (spec.uniforms.length === 0) return [{ type: 'int32', data: [0] }];
  return spec.uniforms.map((u) => ({ type: u.type === 'f32' ? 'float32' : u.type === 'u32' ? 'uint32' : 'int32', data: [u.value] }));
}

/**
 * Records one dispatch of `spec`. Outputs must be on the GPU (newOutput, or existing tensors updated in place by the
 * caller's contract); empty tensors and empty grids record nothing.
 */
export function dispatch(b: WebGPUBackend, spec: KernelSpec): void {
  if (spec.dispatch.some((d) => d <= 0)) return;
  const all = [...spec.outputs, ...spec.inputs];
  if (all.some((x) => util.sizeFromShape(x.tensor.shape) === 0)) return;
  const bi = internals(b);
  for (const x of all) bi.uploadToGPU(x.tensor.dataId);
  // an output written in place (a running statistic, a parameter) must not keep a stale host copy from a read
  for (const o of spec.outputs) bi.tensorMap.get(o.tensor.dataId).values = null;
  const pipeline = pipelineFor(bi.device, spec);
  const entries: GPUBindGroupEntry[] = all.map((x, i) => ({ binding: i, resource: { buffer: bi.tensorMap.get(x.tensor.dataId).resource as GPUBuffer } }));
  entries.push({ binding: all.length, resource: bi.makeUniforms(uniformData(spec)) });
  const bindGroup = bi.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  for (const x of all) bi.commandQueueOwnedIds.add(x.tensor.dataId);
  const timestamps = observer?.before(spec.name, spec.outputs[0]?.tensor.shape ?? []) ?? null;
  bi.ensureCommandEncoderReady();
  if (timestamps) {
    bi.endComputePassEncoder();
    bi.computePassEncoder = bi.commandEncoder!.beginComputePass({ timestampWrites: timestamps });
  } else if (!bi.computePassEncoder) {
    bi.computePassEncoder = bi.commandEncoder!.beginComputePass({});
  }
  const pass = bi.computePassEncoder!;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(spec.dispatch[0], spec.dispatch[1], spec.dispatch[2]);
  bi.dispatchCountInPass++;
  if (timestamps) bi.endComputePassEncoder();
  if (bi.dispatchCountInPass >= deferredSubmitBatch()) {
    bi.endComputePassEncoder();
    bi.submitQueue();
  }
}

/** tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE (registered by tfjs-backend-webgpu), read per call as tfjs does. */
function deferredSubmitBatch(): number {
  return Number(env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE'));
}

/** Whether the adapter is a CPU renderer (Mesa lavapipe/llvmpipe, SwiftShader): there a few large workgroups run
 *  best, on a GPU many. */
export function isSoftwareAdapter(b: WebGPUBackend): boolean {
  const info = (b as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  const d = (internals(b).device as unknown as { adapterInfo?: { description?: string; device?: string } }).adapterInfo;
  return info?.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(`${d?.description ?? ''} ${d?.device ?? ''}`);
}

/** Workgroups that keep the device busy: a large GPU wants two or more per SM (an H100 has 132), a CPU renderer a
 *  few per core. */
export function targetWorkgroups(b: WebGPUBackend): number {
  return isSoftwareAdapter(b) ? 8 : 264;
}

/** Grid of ceil(n / per) workgroups along x, folded into y when over the per-dimension limit. */
export function grid1d(b: WebGPUBackend, n: number, per: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / per));
  const max = internals(b).device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y, 1];
}

/** WGSL: the flat workgroup index of a 2-D grid made by grid1d (use with `@builtin(workgroup_id) wg`, `@builtin(num_workgroups) nwg`). */
export const FLAT_WORKGROUP = 'fn flatGroup(wg : vec3<u32>, nwg : vec3<u32>) -> u32 { return wg.y * nwg.x + wg.x; }';
