// A real single-node Slurm cluster for a test (Debian `slurm-wlm` + `munge`, as root): its own munge key and socket,
// a slurm.conf on free ports, state, spool and logs in a temp dir, `slurmctld -D` and `slurmd -D` started here and
// stopped by stop(). Clients find it through SLURM_CONF (see env).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, freemem, hostname } from 'node:os';
import { join } from 'node:path';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface SlurmCluster {
  dir: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
  /** The daemons' logs, for failure messages. */
  logs(): string;
}

async function waitFor(what: string, ok: () => boolean, ms: number, logs: () => string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} did not come up in ${ms / 1000} s\n${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startSlurm(dir: string): Promise<SlurmCluster> {
  if (process.getuid?.() !== 0) throw new Error('the Slurm test starts munged, slurmctld and slurmd and needs root (CI runs as root)');
  for (const bin of ['munged', 'slurmctld', 'slurmd', 'sbatch']) {
    try {
      sh('sh', ['-c', `command -v ${bin}`]);
    } catch {
      throw new Error(`${bin} is not installed: run scripts/setup-system.sh (apt-get install slurm-wlm munge)`);
    }
  }
  const munge = join(dir, 'munge');
  // munged runs as user munge and must reach its directory: `dir` and its parents must be searchable (mkdtemp makes 0700)
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const d of ['state', 'spool', 'log']) mkdirSync(join(dir, d), { recursive: true });
  mkdirSync(munge, { recursive: true });
  const uid = Number(sh('id', ['-u', 'munge']).trim());
  const gid = Number(sh('id', ['-g', 'munge']).trim());
  chownSync(munge, uid, gid);
  chmodSync(munge, 0o711);
  const key = join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  chownSync(key, uid, gid);
  const socket = join(munge, 'munge.sock');
  sh('runuser', ['-u', 'munge', '--', 'munged', '--force', `--key-file=${key}`, `--socket=${socket}`, `--log-file=${join(munge, 'munged.log')}`,
    `--pid-file=${join(munge, 'munged.pid')}`, `--seed-file=${join(munge, 'munged.seed')}`]);

  const host = hostname().split('.')[0]!;
  const memMiB = Math.max(1024, Math.floor(freemem() / 2 ** 20) - 1024);
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=chanlabtest', `SlurmctldHost=${host}`, 'SlurmUser=root', 'SlurmdUser=root',
    'AuthType=auth/munge', `AuthInfo=socket=${socket}`, 'CredType=cred/munge',
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'JobAcctGatherType=jobacct_gather/none',
    'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core', 'SchedulerType=sched/backfill', 'MpiDefault=none', 'ReturnToService=2',
    `SlurmctldPort=${await freePort()}`, `SlurmdPort=${await freePort()}`,
    `StateSaveLocation=${join(dir, 'state')}`, `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`, `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`, `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
    // a requeued job's SIGTERM → SIGKILL grace: the training saves its checkpoint within it
    'KillWait=30', 'MinJobAge=600',
    `NodeName=${host} CPUs=${cpus().length} RealMemory=${memMiB} State=UNKNOWN`,
    `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`, '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [];
  const logs = () => ['slurmctld.log', 'slurmd.log'].map((f) => {
    try {
      return `--- ${f}\n${readFileSync(join(dir, 'log', f), 'utf8').split('\n').slice(-30).join('\n')}`;
    } catch {
      return `--- ${f}: none`;
    }
  }).join('\n');
  const stop = async () => {
    // no job may outlive the cluster (its slurmstepd would wait for a slurmd that is gone)
    try {
      if (daemons.length === 2) {
        sh('scancel', ['--full', '-u', 'root'], env);
        const t0 = Date.now();
        while (sh('squeue', ['-h'], env).trim() && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 500));
      }
    } catch {
      // the controller is already gone
    }
    for (const d of daemons.reverse()) {
      if (d.exitCode !== null || d.signalCode !== null) continue;
      const gone = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
    }
    try {
      sh('runuser', ['-u', 'munge', '--', 'munged', `--socket=${socket}`, '--stop']);
    } catch {
      // already gone
    }
  };
  try {
    daemons.push(spawn('slurmctld', ['-D', '-f', conf], { env, stdio: 'ignore' }));
    await waitFor('slurmctld', () => {
      try {
        sh('scontrol', ['ping'], env);
        return true;
      } catch {
        return false;
      }
    }, 30_000, logs);
    daemons.push(spawn('slurmd', ['-D', '-f', conf, '-N', host], { env, stdio: 'ignore' }));
    await waitFor('slurmd (node idle)', () => /idle/.test(sh('sinfo', ['-h', '-o', '%T'], env)), 60_000, logs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, env, stop, logs };
}
