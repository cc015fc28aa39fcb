// Running the built CLI from the battery tests (`node bin/chanlab.js` on dist/, rebuilt first when src/ or repro/ is
// newer), one process per call, at most a few at once; and the small data sets they run on.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export const ROOT = process.cwd();
export const BIN = join(ROOT, 'bin', 'chanlab.js');

export interface Result {
  rc: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'results') continue; // repro/results: data, not code
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Rebuilds dist/ when src/ or repro/ is newer (the build writes dist/src/** and dist/repro/**). */
export function ensureBuilt(): void {
  const dist = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(dist) || statSync(dist).mtimeMs < Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'repro')))) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
  }
}

/** `chanlab <args>`, waited for. */
export function cli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { rc: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

// CLI processes run a few at a time: each is a Node start-up with tfjs (about two seconds of one core)
const SLOTS = Math.max(2, Math.min(4, availableParallelism()));
let busy = 0;
const waiting: Array<() => void> = [];

async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (busy >= SLOTS) await new Promise<void>((r) => waiting.push(r));
  busy++;
  try {
    return await f();
  } finally {
    busy--;
    waiting.shift()?.();
  }
}

/** Any command (`cmd args`), asynchronously, in a slot. */
export function run(cmd: string, args: string[], o: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
  return slot(() => new Promise<Result>((resolve) => {
    const p = spawn(cmd, args, { cwd: o.cwd ?? ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 300_000);
    p.on('close', (rc, signal) => {
      clearTimeout(t);
      resolve({ rc, signal, out, err });
    });
  }));
}

/** `chanlab <args>`, asynchronously, in a slot. */
export function cliAsync(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Result> {
  return run(process.execPath, [BIN, ...args], { env, cwd });
}

/** CIFAR binary records: `labels(i)` label bytes then 3072 pixel bytes (deterministic noise). */
export function cifarFile(path: string, n: number, labels: (i: number) => number[]): void {
  const rec = labels(0).length + 3072;
  const buf = Buffer.alloc(n * rec);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    labels(i).forEach((l, j) => (buf[i * rec + j] = l));
    for (let j = labels(0).length; j < rec; j++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      buf[i * rec + j] = s >> 23;
    }
  }
  writeFileSync(path, buf);
}

/** A tiny trained-in-seconds config on fake CIFAR-10 (cpu backend). */
export function tinyConfig(root: string) {
  return {
    model: 'resnet8_small', modelConfig: { widths: [4, 4, 8] },
    data: { dataset: 'cifar10', root, augment: 'none', trainLimit: 32, testLimit: 16 },
    epochs: 1, batchSize: 8, evalBatchSize: 16,
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, schedule: { kind: 'cosine' }, loss: { kind: 'ce' },
    seed: 0, backend: 'cpu', logEvery: 1,
  };
}
