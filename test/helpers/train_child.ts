// The resume tests' training child (test/train/child_train.ts in a node process of its own: `node --import tsx` runs
// it in that one process, where the tsx CLI would fork a grandchild that SIGKILL misses): a run to its end, a slow run
// signalled once its last checkpoint reaches a step, and the comparison of two finished runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import { readTrainCheckpoint, type TrainState } from '../../src/checkpoint/training.js';
import type { TrainConfig } from '../../src/train/config.js';

const CHILD = ['--import', 'tsx', 'test/train/child_train.ts'];
type Mode = 'new' | 'resume';
const args = (config: TrainConfig, runDir: string, mode: Mode, sleepMs: number, workers?: number) =>
  [...CHILD, JSON.stringify(config), runDir, mode, String(sleepMs), ...(workers === undefined ? [] : [String(workers)])];

/** Trains `config` into `runDir` to the end (with `workers` data threads if given); returns the child's stdout. */
export function runChild(config: TrainConfig, runDir: string, mode: Mode, workers?: number, timeoutMs = 60_000): string {
  const r = spawnSync(process.execPath, args(config, runDir, mode, 0, workers), { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** Starts a child that sleeps `sleepMs` after every step and sends it `signal` once last.safetensors holds step
 *  `atStep` or later (waiting at most a minute); returns how it exited. */
export async function signalAt(config: TrainConfig, runDir: string, mode: Mode, atStep: number, sleepMs: number,
  signal: NodeJS.Signals, workers?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, args(config, runDir, mode, sleepMs, workers), { stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, sig) => res({ code, signal: sig })));
  const last = join(runDir, 'last.safetensors');
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 20));
    if (existsSync(last) && readTrainCheckpoint(last).state!.step >= atStep) break;
  }
  child.kill(signal);
  return exited;
}

/** `signalAt` with SIGKILL, which must end the child; returns the state of the checkpoint it left. */
export async function killAt(config: TrainConfig, runDir: string, mode: Mode, atStep: number, sleepMs: number): Promise<TrainState> {
  expect((await signalAt(config, runDir, mode, atStep, sleepMs, 'SIGKILL')).signal).toBe('SIGKILL');
  return readTrainCheckpoint(join(runDir, 'last.safetensors')).state!;
}

/** One record of metrics.jsonl: its kind and step, the rest as written. */
export type MetricRecord = { type: string; step: number } & Record<string, unknown>;

/** The records of a run's metrics.jsonl (`T`: the fields a test reads). */
export function metricsOf<T extends MetricRecord = MetricRecord>(runDir: string): T[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
}

/** The final checkpoints of two runs hold the same tensors, bit for bit, and the same optimiser state; returns both. */
export function expectSameFinal(ref: string, run: string) {
  const a = readSafetensors(join(ref, 'final.safetensors'));
  const b = readSafetensors(join(run, 'final.safetensors'));
  expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
  for (const [k, t] of a.tensors) expect(Buffer.from(b.tensors.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
  expect(JSON.parse(b.metadata.chanlab!).optimizer).toEqual(JSON.parse(a.metadata.chanlab!).optimizer);
  return [a, b] as const;
}
