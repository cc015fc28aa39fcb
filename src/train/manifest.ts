// The run manifest (manifest.json): what ran, where, on what, and how long — enough to reproduce or compare a run.
import * as tf from '@tensorflow/tfjs-core';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { cpus, totalmem, platform, release, arch } from 'node:os';
import { describeActive } from '../backend/index.js';
import { bundleInfo } from '../core/build_info.js';
import { codeCheckout, codeDirty, git } from '../core/git.js';
import { packageVersion } from '../core/package_root.js';

export interface Manifest {
  config: unknown;
  seed: number;
  git: { commit: string | null; dirty: boolean | null };
  backend: { name: string; detail: string };
  versions: { chanlab: string | null; tfjsCore: string; tfjsBackendWasm: string; node: string };
  hardware: { cpuModel: string; cores: number; memoryGiB: number; gpuAdapter: string | null; os: string };
  startTime: string;
  endTime: string | null;
  wallSeconds: number | null;
  /** 'running' only while a process holds the run; every run ends in one of the other states */
  status: RunStatus;
  /** why a run ended diverged / interrupted / failed */
  message?: string;
  /** one record per resume: where it continued and what that process ran on (src/train/resume_record.ts) */
  resumes: ResumeRecord[];
  result?: Record<string, unknown>;
}

export interface ResumeRecord {
  time: string;
  step: number;
  /** the resumed process's backend, code and version (absent in manifests of older chanlab) */
  backend?: { name: string; detail: string };
  git?: { commit: string | null; dirty: boolean | null };
  chanlab?: string | null;
  /** how the previous segment ended (e.g. 'interrupted: …', 'failed: process 123 ended without closing the run …') */
  previous?: string;
  /** the kernel path changed at this resume (allowed with --allow-kernel-change): 'before → after' */
  kernelChange?: string;
}

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'diverged' | 'failed';

/**
 * The commit checked out in `cwd` and whether the tree differs from it: modified, staged, deleted or untracked (not
 * ignored) files anywhere but the suite's result files. null outside a git checkout. Default: chanlab's own checkout
 * (found from the package, not from the working directory).
 */
export function gitState(cwd: string | undefined = codeCheckout()): { commit: string | null; dirty: boolean | null } {
  const commit = cwd === undefined ? null : git(['rev-parse', 'HEAD'], cwd);
  if (!commit) return { commit: null, dirty: null };
  return { commit, dirty: codeDirty(cwd) };
}

export function makeManifest(config: unknown, seed: number, backend: string): Manifest {
  // outside a checkout (a bundle run elsewhere) the bundle records the code it was built from
  const state = gitState();
  const bundle = state.commit ? null : bundleInfo();
  const cpu = cpus();
  return {
    config,
    seed,
    git: bundle ? { commit: bundle.commit, dirty: bundle.dirty } : state,
    backend: { name: backend, detail: describeActive(backend as Parameters<typeof describeActive>[0]) },
    versions: { chanlab: packageVersion(), tfjsCore: tf.version_core, tfjsBackendWasm: version_wasm, node: process.version },
    hardware: {
      cpuModel: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      gpuAdapter: backend === 'webgpu' ? describeActive('webgpu') : null,
      os: `${platform()} ${release()} ${arch()}`,
    },
    startTime: new Date().toISOString(),
    endTime: null,
    wallSeconds: null,
    status: 'running',
    resumes: [],
  };
}
