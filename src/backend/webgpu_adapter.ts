// Which GPU a WebGPU process uses: CHANLAB_WEBGPU_ADAPTER=<index> (scripts/run-table.mjs sets it per process, as it
// sets CUDA_VISIBLE_DEVICES). Dawn picks an adapter by name only (its `adapter=` flag matches a substring of the
// name), so the index is turned into a name: the n-th adapter of Dawn's list on one backend (Vulkan where present),
// hardware GPUs first in Dawn's order, CPU renderers (lavapipe/llvmpipe, SwiftShader) after them.

export interface DawnAdapterEntry {
  backend: string;
  name: string;
}

/** Parses the adapter list Dawn prints when no adapter matches (`Available adapters:\n * backend: 'x', name: 'y'`). */
export function parseDawnAdapters(message: string): DawnAdapterEntry[] {
  const out: DawnAdapterEntry[] = [];
  for (const m of message.matchAll(/^\s*\* backend: '([^']*)', name: '(.*)'\s*$/gm)) out.push({ backend: m[1]!, name: m[2]! });
  return out;
}

const CPU_RENDERER = /llvmpipe|lavapipe|swiftshader/i;

/** The Dawn flags (`backend=…`, `adapter=…`) that select adapter `index` of `adapters`; an Error when none can. */
export function adapterFlags(index: string, adapters: readonly DawnAdapterEntry[]): string[] {
  if (!/^\d+$/.test(index)) throw new Error(`CHANLAB_WEBGPU_ADAPTER must be an adapter index (an integer ≥ 0), got '${index}'`);
  const backends = [...new Set(adapters.map((a) => a.backend))];
  const backend = backends.includes('vulkan') ? 'vulkan' : backends[0];
  const list = adapters.filter((a) => a.backend === backend);
  const ordered = [...list.filter((a) => !CPU_RENDERER.test(a.name)), ...list.filter((a) => CPU_RENDERER.test(a.name))];
  const shown = ordered.map((a, i) => `${i}: ${a.name}`).join('; ') || 'none';
  const chosen = ordered[Number(index)];
  if (!chosen) throw new Error(`CHANLAB_WEBGPU_ADAPTER=${index}: Dawn has ${ordered.length} adapter(s) on ${backend ?? 'any backend'} (${shown})`);
  const clash = ordered.filter((a) => a !== chosen && a.name.includes(chosen.name));
  if (clash.length) {
    throw new Error(`CHANLAB_WEBGPU_ADAPTER=${index}: Dawn selects adapters by name and '${chosen.name}' also names ${clash.length} other adapter(s) ` +
      `(${shown}); identical GPUs cannot be told apart in one process: make only this process's GPU visible to it ` +
      '(Slurm with ConstrainDevices=yes in cgroup.conf, or one container per GPU) and leave CHANLAB_WEBGPU_ADAPTER unset');
  }
  return [`backend=${backend}`, `adapter=${chosen.name}`];
}
