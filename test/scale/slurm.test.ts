// scripts/run-table.mjs --slurm against a real single-node Slurm (slurmctld + slurmd + munged started here, stopped
// after): the toy table's two rows as an sbatch array, one task requeued (scontrol requeue) after its first
// checkpoint, which starts again and resumes; then the collect. Also: the dry run prints the sbatch script.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFile } from '../../repro/results.js';
import { firstCheckpoint, runTable, scaleEnv, startTable } from './helpers.js';
import { startSlurm, type SlurmCluster } from './slurm-cluster.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-slurm-'));
chmodSync(tmp, 0o755); // the cluster's munged (user munge) lives below it
const work = join(tmp, 'work');
const out = join(tmp, 'results');
let cluster: SlurmCluster | null = null;

beforeAll(async () => {
  cluster = await startSlurm(join(tmp, 'cluster'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

const env = () => scaleEnv({ SLURM_CONF: cluster!.env.SLURM_CONF });
const slurm = (args: string[]) => execFileSync(args[0]!, args.slice(1), { env: cluster!.env, encoding: 'utf8' });

describe('Slurm job array', () => {
  it('the dry run prints the array script: one task per row × seed, requeue, the given options', () => {
    const r = runTable(['scale-toy', '--tier', 'quick', '--slurm', '--seeds', '3', '--partition', 'test', '--account', 'lab', '--time', '2:00:00',
      '--gpus-per-task', '1', '--dry-run', '--work', work, '--out', out], env());
    expect(r.code, r.stderr).toBe(0);
    // values are written double-quoted (sbatch strips the quotes; the real array below runs from such a script)
    for (const line of ['#SBATCH --array="0-5"', '#SBATCH --requeue', '#SBATCH --partition="test"', '#SBATCH --account="lab"', '#SBATCH --time="2:00:00"', '#SBATCH --gpus-per-task="1"']) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stdout).toContain('CHANLAB_WEBGPU_ADAPTER="${CUDA_VISIBLE_DEVICES%%,*}"');
  });

  it('runs the toy table as an array; a requeued task resumes from its checkpoint; the results are collected', async () => {
    const run = startTable(['scale-toy', '--tier', 'quick', '--slurm', '--wait', '--partition', 'test', '--backend', 'cpu', '--work', work, '--out', out], env());
    let text = '';
    run.done.then((f) => (text = `${f.stdout}\n${f.stderr}`));
    const why = () => `${text}\n${cluster!.logs()}`;
    await firstCheckpoint(join(work, 'quick', 'scale-toy', 'b', 'seed-0'), 180_000, why);
    const log = join(work, 'logs', 'quick', 'scale-toy', 'b', 'seed-0.log');
    const task = /slurm task (\d+_\d+)/.exec(readFileSync(log, 'utf8'))?.[1];
    expect(task, readFileSync(log, 'utf8')).toBeDefined();
    slurm(['scontrol', 'requeue', task!]);
    // Slurm holds a requeued job back for about two minutes (its BeginTime); let it start again at once
    const t0 = Date.now();
    while (!/PENDING/.test(slurm(['scontrol', 'show', 'job', task!]))) {
      if (Date.now() - t0 > 60_000) throw new Error(`task ${task} did not go back to pending\n${why()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // ...but not within the second of the requeue: slurmd revoked the first launch's credential, and a new credential
    // stamped in the same second counts as revoked too ("Killing non-startable batch JobId=…: Job credential
    // revoked"; 2 of 3 runs failed so on this 2-core machine, 0 of 3 with the wait). That BeginTime delay exists for this race.
    await new Promise((r) => setTimeout(r, 2_500));
    slurm(['scontrol', 'update', `JobId=${task}`, 'StartTime=now']);
    const f = await run.done;
    expect(f.code, why()).toBe(0);

    const unitLog = readFileSync(log, 'utf8');
    expect(unitLog).toMatch(new RegExp(`slurm task ${task} on .* \\(restart 0\\) attempt 1`));
    expect(unitLog).toMatch(new RegExp(`slurm task ${task} on .* \\(restart 1\\) attempt 1`));
    expect(unitLog).toContain('SIGTERM: stopping after the current step');
    expect(unitLog).toMatch(/resuming .*seed-0 at step \d+/);

    const file = JSON.parse(readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8')) as ResultFile;
    expect(Object.keys(file.rows).sort()).toEqual(['a', 'b']);
    const [b] = file.rows.b!.seeds;
    expect(b!.manifest.status).toBe('finished');
    expect(b!.manifest.resumes).toHaveLength(1);
    expect(b!.manifest.resumes[0]!.step).toBeGreaterThanOrEqual(4);
    expect(file.rows.a!.seeds[0]!.manifest.resumes).toHaveLength(0);
    expect(file.rows.a!.computed!.metrics.count).toBe(7);
    // the array script and its unit list are kept next to the task outputs
    expect(readdirSync(join(work, 'slurm')).some((n) => /^array-.*\.sh$/.test(n))).toBe(true);
  }, 400_000);

  it('without --wait it submits the array and a collect job that runs after it', async () => {
    // a second seed per row: the seed-0 units are done, two new tasks
    const r = runTable(['scale-toy', '--tier', 'quick', '--slurm', '--seeds', '2', '--partition', 'test', '--backend', 'cpu', '--work', work, '--out', out], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4 unit(s), 2 done, 2 to run');
    const ids = /submitted array job (\d+)[\s\S]*submitted collect job (\d+)/.exec(r.stdout);
    expect(ids, r.stdout).not.toBeNull();
    const t0 = Date.now();
    while (slurm(['squeue', '-h', '-j', `${ids![1]},${ids![2]}`]).trim()) {
      if (Date.now() - t0 > 300_000) throw new Error(`jobs still queued after 300 s\n${slurm(['squeue'])}\n${cluster!.logs()}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    const collectLog = readFileSync(join(work, 'slurm', `collect-${ids![2]}.out`), 'utf8');
    expect(collectLog).toContain('(2 unit(s) merged)');
    const file = JSON.parse(readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8')) as ResultFile;
    expect(file.rows.a!.seeds.map((s) => s.seed)).toEqual([0, 1]);
    expect(file.rows.b!.seeds.map((s) => s.seed)).toEqual([0, 1]);
  }, 400_000);

  it('a task that keeps failing is retried in its task, then reported with its log path', () => {
    const r = runTable(['scale-failing', '--tier', 'quick', '--slurm', '--wait', '--retries', '1', '--partition', 'test', '--work', work, '--out', out], env());
    expect(r.code).toBe(1);
    const log = join(work, 'logs', 'quick', 'scale-failing', 'broken', 'seed-0.log');
    expect(r.stderr).toContain(`scale-failing/broken seed 0: no result after its Slurm task ended\n    log: ${log}`);
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('=== attempt 1 ended with status 1');
    expect(text).toContain('=== attempt 2 ended with status 1');
    expect(text).not.toContain('attempt 3');
  }, 200_000);
});
