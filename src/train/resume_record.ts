// What a resumed process runs on, and whether that may differ from what the run ran on so far. Byte-identical resume
// (src/train/loop.ts) holds only on the same kernel path: the backend, and on wasm whether the native kernels are on
// and with how many threads (oneDNN's weight gradients reduce over threads). A resume on another path is refused
// unless the caller allows it (`chanlab train --resume --allow-kernel-change`); either way each resume records the
// backend, code commit and chanlab version of the process that ran it (docs/runs.md "Resume").
import { describeActive, type BackendName } from '../backend/index.js';
import { packageVersion } from '../core/package_root.js';
import { warnOnce } from '../core/warn.js';
import { gitState, type Manifest, type ResumeRecord } from './manifest.js';

/** The kernel path a manifest's backend record describes: 'cpu', 'webgpu', 'wasm (pure wasm kernels)',
 *  'wasm + native kernels (oneDNN 2.6.3, 2 threads)'. */
export function kernelPath(b: { name: string; detail: string }): string {
  if (b.name !== 'wasm') return b.name;
  const native = /native kernels on: ([^;]+)/.exec(b.detail);
  return native ? `wasm + native kernels (${native[1]!.trim()})` : 'wasm (pure wasm kernels)';
}

function paths(manifest: Manifest, backend: BackendName): { now: { name: string; detail: string }; before: string; after: string } {
  const now = { name: backend, detail: describeActive(backend) };
  const last = [...manifest.resumes].reverse().find((r) => r.backend)?.backend ?? manifest.backend;
  const after = kernelPath(now);
  // a manifest without a backend record (hand-made, or from long ago): nothing to compare against
  return { now, before: last ? kernelPath(last) : after, after };
}

/** Refuses a resume on another kernel path than the run's last segment (the latest resume, else the start) ran on,
 *  unless `allowChange`. */
export function checkKernelPath(manifest: Manifest, backend: BackendName, allowChange = false, runDir = 'the run'): void {
  const { before, after } = paths(manifest, backend);
  if (before !== after && !allowChange) {
    throw new Error(`resume: ${runDir} ran on ${before} but this process runs on ${after}, so the resumed run would not be ` +
      'exact; resume it with the same backend and CHANLAB_NATIVE* settings, or pass --allow-kernel-change to continue anyway ' +
      '(recorded in the manifest)');
  }
  if (before !== after) warnOnce(`resume: ${runDir} ran on ${before}, this process runs on ${after} (--allow-kernel-change): the resumed run is not exact`);
}

/** The record of this resume: what this process runs on, how the previous segment ended, a kernel-path change. */
export function resumeRecord(manifest: Manifest, step: number, backend: BackendName): ResumeRecord {
  const { now, before, after } = paths(manifest, backend);
  const previous = manifest.status !== 'running' ? { previous: manifest.message ? `${manifest.status}: ${manifest.message}` : manifest.status } : {};
  return {
    time: new Date().toISOString(), step, backend: now, git: gitState(), chanlab: packageVersion(), ...previous,
    ...(before !== after ? { kernelChange: `${before} → ${after}` } : {}),
  };
}
