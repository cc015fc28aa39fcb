// The run manifest (manifest.json): what ran, where, on what, and how long — enough to reproduce or compare a run.
import * as tf from '@tensorflow/tfjs-core';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { describeActive } from '../backend/index.js';
import { bundleInfo } from '../core/build_info.js';
import { codeDirty, git } from '../core/git.js';

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
  resumes: Array<{ time: string; step: number }>;
  result?: Record<string, unknown>;
}

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'diverged' | 'failed';

/**
 * The commit checked out in `cwd` and whether the tree differs from it: modified, staged, deleted or untracked (not
 * ignored) files anywhere but the suite's result files. null outside a git checkout.
 */
export function gitState(cwd: string = process.cwd()): { commit: string | null; dirty: boolean | null } {
  const commit = git(['rev-parse', 'HEAD'], cwd);
  if (!commit) return { commit: null, dirty: null };
  return { commit, dirty: codeDirty(cwd) };
}

/** chanlab's version from the nearest package.json named chanlab above the working directory. */
function chanlabVersion(): string | null {
  let d = process.cwd();
  for (let i = 0; i < 8; i++, d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      try {
        const j = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (j.name === 'chanlab') return j.version ?? null;
      } catch {
        /* not ours */
      }
    }
    if (dirname(d) === d) break;
  }
  return null;
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
    versions: { chanlab: chanlabVersion(), tfjsCore: tf.version_core, tfjsBackendWasm: version_wasm, node: process.version },
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
