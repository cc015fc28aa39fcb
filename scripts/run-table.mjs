#!/usr/bin/env node
// Runs paper tables at scale: every row × seed of the selected tables as its own `chanlab repro table/row --seed k`
// process, one per GPU (--gpus) or CPU slot (--procs) on this machine, or as a Slurm job array (--slurm). Each unit
// writes its own result directory (<work>/units/…), so no two processes write one file; a killed unit resumes from
// its last checkpoint on its next start; a unit failing more than --retries times is reported with its log; the
// table's result file is written at the end by one `chanlab repro --collect`. See docs/runs.md "Scale-out".
import { fileURLToPath } from 'node:url';
import { $, chalk, fs, minimist, path, sleep, which } from 'zx';

const HELP = `usage: node scripts/run-table.mjs <table | table/row> … [options]
  --tier quick|small|full   tier of the runs (default full)
  --seeds N                 seeds per training row (default: the table's default for the tier)
  --gpus 0,1,…              one process per listed GPU (CUDA_VISIBLE_DEVICES and CHANLAB_WEBGPU_ADAPTER per process)
  --procs N                 N processes without GPU pinning (default 1 when --gpus is not given)
  --backend NAME            chanlab backend (default: CHANLAB_BACKEND, else chanlab's default)
  --retries N               further starts of a failing unit, each resuming its checkpoint (default 2)
  --work DIR                runs, unit results and logs (default runs/repro)
  --out DIR                 where the collect writes the table's result file (default repro/results)
  --chanlab CMD             how to start chanlab (default: node bin/chanlab.js of this repository, whose dist/ must be
                            newer than src/; env CHANLAB_CMD; the sources: 'node --import tsx src/cli/run.ts')
  --fresh                   start the selected rows over: their unit results and training runs are removed first and
                            the collect starts the table's result file anew (needed after a code change)
  --dry-run                 print the plan (units, devices, commands or the sbatch script) and run nothing
  --slurm                   write and submit an sbatch --array script (one task per unit, --requeue) and a collect job
    --partition P  --account A  --time T (default 24:00:00)  --gpus-per-task N  --cpus-per-task N (default 1)  --mem M
    --wait                  stay until the array is done, show progress, then collect here (no collect job)`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIERS = ['quick', 'small', 'full'];

class UsageError extends Error {}
/** A failure outside this script (sbatch, squeue): its message, without a JavaScript stack. */
class ToolError extends Error {}

// Slurm option values, checked before they reach the sbatch script (each is also written double-quoted there, and
// none may hold a quote, a newline or another control character: no value can add a line or a command).
const SLURM_FORMATS = {
  partition: [/^[A-Za-z0-9_.+-]+(,[A-Za-z0-9_.+-]+)*$/, 'a Slurm partition name or a comma-separated list of them (letters, digits, _ . + -)'],
  account: [/^[A-Za-z0-9_.+-]+$/, 'a Slurm account name (letters, digits, _ . + -)'],
  time: [/^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/i,
    'a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 24:00:00)'],
  mem: [/^\d+[KMGT]?$/i, 'a Slurm memory size: an integer with an optional unit K, M, G or T (e.g. 32G)'],
};

function checkSlurmValue(name, value) {
  if (value === undefined) return undefined;
  const [re, expected] = SLURM_FORMATS[name];
  if (!re.test(String(value))) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(String(value))}`);
  return String(value);
}

/** A path written into the sbatch script: no quote, newline or other control character. */
function scriptPath(what, p) {
  if (/["\\$`\x00-\x1f\x7f]/.test(p)) throw new UsageError(`${what} ${JSON.stringify(p)} holds a quote, $, backquote, backslash or control character, which a Slurm script cannot carry safely`);
  return p;
}

/** `--opt -1` as `--opt=-1` for options with values: a negative number is a value (checked later), not an unknown flag. */
function joinNegativeValues(argv, strings) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i].startsWith('--') && strings.includes(argv[i].slice(2)) && next !== undefined && /^-[\d.]/.test(next)) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

function parseOptions(argv) {
  const strings = ['tier', 'seeds', 'gpus', 'procs', 'backend', 'retries', 'work', 'out', 'chanlab', 'partition', 'account', 'time', 'gpus-per-task', 'cpus-per-task', 'mem'];
  const booleans = ['dry-run', 'slurm', 'wait', 'help', 'fresh'];
  const a = minimist(joinNegativeValues(argv, strings), { string: strings, boolean: booleans, alias: { h: 'help' }, unknown: (o) => {
    if (o.startsWith('-')) throw new UsageError(`unknown option '${o}' (see --help)`);
    return true;
  } });
  if (a.help) return { help: true };
  for (const k of strings) if (Array.isArray(a[k])) throw new UsageError(`--${k} given more than once`);
  const int = (k, min, dflt) => {
    if (a[k] === undefined) return dflt;
    const n = Number(a[k]);
    if (a[k] === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${k} must be an integer ≥ ${min}, got '${a[k]}'`);
    return n;
  };
  const select = a._.map(String);
  if (!select.length) throw new UsageError('name at least one table (or table/row); `chanlab repro --list` shows them');
  const tier = a.tier ?? 'full';
  if (!TIERS.includes(tier)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}, got '${tier}'`);
  if (a.gpus !== undefined && a.procs !== undefined) throw new UsageError('--gpus and --procs exclude each other');
  let gpus = null;
  if (a.gpus !== undefined) {
    const parts = String(a.gpus).split(',').map((s) => s.trim());
    const bad = parts.filter((s) => !/^\d+$/.test(s));
    if (bad.length) throw new UsageError(`--gpus must be a comma-separated list of GPU indices (integers ≥ 0), got '${a.gpus}' (not an index: ${bad.map((b) => `'${b}'`).join(', ')})`);
    const dup = parts.filter((s, i) => parts.findIndex((x) => Number(x) === Number(s)) !== i);
    if (dup.length) throw new UsageError(`--gpus lists GPU ${[...new Set(dup.map(Number))].join(', ')} more than once ('${a.gpus}'): one process per GPU`);
    gpus = parts.map(Number);
  }
  if (a.slurm && (a.gpus !== undefined || a.procs !== undefined)) throw new UsageError('--slurm places tasks itself: use --gpus-per-task instead of --gpus / --procs');
  if (!a.slurm) for (const k of ['partition', 'account', 'time', 'gpus-per-task', 'cpus-per-task', 'mem', 'wait']) {
    if (a[k] !== undefined && a[k] !== false) throw new UsageError(`--${k} is an option of --slurm`);
  }
  const chanlab = a.chanlab ?? process.env.CHANLAB_CMD;
  return {
    select, tier, seeds: int('seeds', 1), gpus, procs: int('procs', 1, 1), backend: a.backend ?? process.env.CHANLAB_BACKEND,
    retries: int('retries', 0, 2), work: path.resolve(a.work ?? path.join('runs', 'repro')), out: path.resolve(a.out ?? path.join('repro', 'results')),
    chanlab: chanlab ? chanlab.split(/\s+/).filter(Boolean) : [process.execPath, path.join(ROOT, 'bin', 'chanlab.js')],
    dryRun: a['dry-run'], slurm: a.slurm, wait: a.wait, fresh: a.fresh,
    sbatch: {
      partition: checkSlurmValue('partition', a.partition), account: checkSlurmValue('account', a.account), time: checkSlurmValue('time', a.time ?? '24:00:00'),
      gpusPerTask: int('gpus-per-task', 1), cpusPerTask: int('cpus-per-task', 1, 1), mem: checkSlurmValue('mem', a.mem),
    },
  };
}

const unitsDir = (o) => path.join(o.work, 'units');
const logPath = (o, u) => path.join(o.work, 'logs', o.tier, u.table, u.row, `seed-${u.seed}.log`);
const unitName = (u) => `${u.table}/${u.row} seed ${u.seed}`;
const common = (o) => ['--tier', o.tier, ...(o.seeds ? ['--seeds', String(o.seeds)] : []), '--work', o.work];

/** `chanlab repro` with the common options; its own errors (unknown table, other commit…) come back as Errors. */
async function chanlab(o, args, opts = {}) {
  const p = await $({ nothrow: true, quiet: true, cwd: process.cwd(), ...opts })`${o.chanlab} repro ${args}`;
  return p;
}

async function plan(o) {
  const p = await chanlab(o, [...o.select, ...common(o), '--out', o.out, '--units', unitsDir(o), '--plan', ...(o.fresh ? ['--fresh'] : [])]);
  if (p.exitCode !== 0) throw new UsageError(p.stderr.trim().replace(/^chanlab: /, '') || `chanlab repro --plan exited with ${p.exitCode}`);
  return JSON.parse(p.stdout);
}

function unitArgs(o, u) {
  return [`${u.table}/${u.row}`, ...common(o), '--seed', String(u.seed), '--out', u.out, ...(o.backend ? ['--backend', o.backend] : [])];
}

// ── progress: one line per running unit, parsed from its log ──────────────────────────────────────────────────────

/** The status a child's log line tells (`chanlab repro` / `train` lines), or null for other output (tables…). */
function statusOf(line) {
  const t = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\r').pop().trim();
  return /^(▶|✔|✘|epoch \d|resume|chanlab:|Error|=== )/.test(t) ? t : null;
}

class Board {
  constructor() {
    this.lines = new Map();
    this.printed = new Map();
    this.drawn = 0;
    this.tty = process.stdout.isTTY === true;
  }
  /** On a terminal the board is redrawn in place; in a log, a unit's epoch lines are printed at most every 10 s. */
  set(key, text) {
    if (this.lines.get(key) === text) return;
    this.lines.set(key, text);
    if (this.tty) return this.draw();
    const now = Date.now();
    if (/^epoch /.test(text) && now - (this.printed.get(key) ?? 0) < 10_000) return;
    this.printed.set(key, now);
    console.log(`  ${key}: ${text}`);
  }
  drop(key) {
    this.lines.delete(key);
    if (this.tty) this.draw();
  }
  /** A line that stays above the board. */
  say(text) {
    if (this.tty) this.clear();
    console.log(text);
    if (this.tty) this.draw();
  }
  clear() {
    if (this.drawn) process.stdout.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }
  draw() {
    this.clear();
    const cols = process.stdout.columns || 120;
    for (const [k, v] of this.lines) process.stdout.write(`${`${k}: ${v}`.slice(0, cols - 1)}\n`);
    this.drawn = this.lines.size;
  }
}

// ── local mode: a pool of GPU / CPU slots ─────────────────────────────────────────────────────────────────────────

function slots(o) {
  if (o.gpus) return o.gpus.map((g) => ({ name: `gpu ${g}`, env: { CUDA_VISIBLE_DEVICES: String(g), CHANLAB_WEBGPU_ADAPTER: String(g), TF_FORCE_GPU_ALLOW_GROWTH: 'true' } }));
  return Array.from({ length: o.procs }, (_, i) => ({ name: `proc ${i}`, env: {} }));
}

async function runUnit(o, u, slot, board, children) {
  const log = logPath(o, u);
  await fs.mkdirp(path.dirname(log));
  const key = `${unitName(u)} [${slot.name}]`;
  for (let attempt = 1; ; attempt++) {
    await fs.appendFile(log, `\n=== ${new Date().toISOString()} attempt ${attempt} on ${slot.name}: ${o.chanlab.join(' ')} repro ${unitArgs(o, u).join(' ')}\n`);
    const out = fs.createWriteStream(log, { flags: 'a' });
    board.set(key, `starting (attempt ${attempt})`);
    // its own process group: a Ctrl-C reaches only this script, which passes one SIGTERM on (two would stop at once)
    const p = $({ nothrow: true, quiet: true, detached: true, env: { ...process.env, ...slot.env } })`${o.chanlab} repro ${unitArgs(o, u)}`;
    children.add(p);
    let partial = '';
    const onData = (chunk) => {
      out.write(chunk);
      const text = partial + chunk.toString();
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const l of [...parts, partial]) {
        const s = statusOf(l);
        if (s) board.set(key, attempt > 1 ? `${s} (attempt ${attempt})` : s);
      }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    const r = await p;
    children.delete(p);
    await new Promise((res) => out.end(res));
    board.drop(key);
    if (r.exitCode === 0) return { unit: u, ok: true, log };
    const why = r.signal ? `killed by ${r.signal}` : `exit status ${r.exitCode}`;
    if (stopping) return { unit: u, ok: false, log, why: `stopped (${why})` };
    if (attempt > o.retries) return { unit: u, ok: false, log, why: `${why} after ${attempt} attempt(s)` };
    board.say(chalk.yellow(`↻ ${unitName(u)}: ${why}; starting it again (it resumes from its last checkpoint), attempt ${attempt + 1} of ${o.retries + 1}`));
  }
}

let stopping = false;

async function runLocal(o, todo) {
  const board = new Board();
  const children = new Set();
  const queue = [...todo];
  const results = [];
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = true;
    board.say(`${sig}: stopping the running units (they save a checkpoint); the queue is dropped — rerun to resume`);
    queue.length = 0;
    for (const p of children) if (p.child?.pid) process.kill(p.child.pid, 'SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await Promise.all(slots(o).map(async (slot) => {
    for (let u = queue.shift(); u; u = queue.shift()) results.push(await runUnit(o, u, slot, board, children));
  }));
  board.clear();
  return results;
}

// ── Slurm mode ────────────────────────────────────────────────────────────────────────────────────────────────────

function shq(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/** An `#SBATCH --name="value"` line (sbatch strips the quotes); values were checked by parseOptions / scriptPath. */
const directive = (name, value) => `#SBATCH --${name}="${value}"`;

function sbatchScript(o, todo, unitsFile) {
  const s = o.sbatch;
  const header = [
    directive('job-name', `chanlab-${o.tier}`), directive('array', `0-${todo.length - 1}`), '#SBATCH --requeue', '#SBATCH --open-mode=append',
    directive('output', scriptPath('--work', path.join(o.work, 'slurm', '%A_%a.out'))), directive('chdir', scriptPath('the working directory', process.cwd())),
    directive('time', s.time), '#SBATCH --ntasks=1', directive('cpus-per-task', s.cpusPerTask),
    ...(s.gpusPerTask ? [directive('gpus-per-task', s.gpusPerTask)] : []), ...(s.partition ? [directive('partition', s.partition)] : []),
    ...(s.account ? [directive('account', s.account)] : []), ...(s.mem ? [directive('mem', s.mem)] : []),
  ];
  return `#!/bin/bash
${header.join('\n')}
# Written by scripts/run-table.mjs: one array task per row × seed (the lines of ${path.basename(unitsFile)}).
# A preempted or requeued task starts again and resumes its training from the last checkpoint.
set -u
IFS=$'\\t' read -r UNIT SEED OUT LOG < <(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shq(unitsFile)})
mkdir -p "$(dirname "$LOG")"
export TF_FORCE_GPU_ALLOW_GROWTH=true
# the GPU Slurm gave this task: the same index for WebGPU (Vulkan) as for CUDA
if [[ -n "\${CUDA_VISIBLE_DEVICES:-}" ]]; then export CHANLAB_WEBGPU_ADAPTER="\${CUDA_VISIBLE_DEVICES%%,*}"; fi
CHANLAB=(${o.chanlab.map(shq).join(' ')})
ARGS=(${common(o).map(shq).join(' ')} ${o.backend ? `--backend ${shq(o.backend)}` : ''})
# On requeue, preemption or cancel Slurm sends SIGTERM to every process of the task: chanlab saves a checkpoint at
# the next step boundary and exits; the shell only waits for it (a second SIGTERM would make chanlab exit at once).
stopping=
trap 'stopping=1' TERM
for attempt in $(seq 1 ${o.retries + 1}); do
  echo "=== $(date -Is) slurm task \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} on $(hostname) (restart \${SLURM_RESTART_COUNT:-0}) attempt $attempt: $UNIT seed $SEED" >> "$LOG"
  "\${CHANLAB[@]}" repro "$UNIT" "\${ARGS[@]}" --seed "$SEED" --out "$OUT" >> "$LOG" 2>&1 &
  pid=$!
  wait "$pid"; rc=$?
  while kill -0 "$pid" 2>/dev/null; do wait "$pid"; rc=$?; done
  if [[ -n "$stopping" ]]; then exit 143; fi
  if [[ $rc -eq 0 ]]; then exit 0; fi
  echo "=== attempt $attempt ended with status $rc" >> "$LOG"
done
echo "$UNIT seed $SEED failed ${o.retries + 1} time(s); log: $LOG" >&2
exit 1
`;
}

function collectScript(o, arrayId) {
  const s = o.sbatch;
  const header = [
    directive('job-name', 'chanlab-collect'), directive('dependency', `afterany:${arrayId}`), directive('output', scriptPath('--work', path.join(o.work, 'slurm', 'collect-%j.out'))),
    directive('chdir', scriptPath('the working directory', process.cwd())), directive('time', '00:30:00'), '#SBATCH --ntasks=1',
    ...(s.partition ? [directive('partition', s.partition)] : []), ...(s.account ? [directive('account', s.account)] : []),
  ];
  const args = [...o.select, ...common(o), '--out', o.out, '--units', unitsDir(o), '--collect', ...(o.fresh ? ['--fresh'] : [])];
  return `#!/bin/bash\n${header.join('\n')}\n# Merges the array's unit results into the table's result file (scripts/run-table.mjs).\nexec ${o.chanlab.map(shq).join(' ')} repro ${args.map(shq).join(' ')}\n`;
}

async function requireSbatch() {
  if (await which('sbatch', { nothrow: true })) return;
  throw new UsageError('--slurm: `sbatch` is not on PATH. Run this on a Slurm login node (or `module load slurm`); ' +
    'on Debian/Ubuntu the client is `apt-get install slurm-client` (a single-node test cluster: `apt-get install slurm-wlm munge`).');
}

async function writeSlurm(o, todo) {
  const dir = path.join(o.work, 'slurm');
  await fs.mkdirp(dir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const unitsFile = path.join(dir, `units-${stamp}.tsv`);
  const script = path.join(dir, `array-${stamp}.sh`);
  await fs.writeFile(unitsFile, todo.map((u) => [`${u.table}/${u.row}`, u.seed, u.out, logPath(o, u)].join('\t')).join('\n') + '\n');
  await fs.writeFile(script, sbatchScript(o, todo, unitsFile), { mode: 0o755 });
  return { script, unitsFile, dir };
}

async function sbatch(args) {
  const r = await $({ nothrow: true, quiet: true })`sbatch --parsable ${args}`;
  if (r.exitCode !== 0) throw new ToolError(`sbatch ${args.join(' ')} failed: ${r.stderr.trim() || `exit status ${r.exitCode}`} (is the Slurm controller reachable? \`sinfo\` tells)`);
  return r.stdout.trim().split(';')[0];
}

async function waitArray(o, arrayId, todo) {
  const board = new Board();
  for (;;) {
    const q = await $({ nothrow: true, quiet: true })`squeue -h -r -j ${arrayId} -o ${'%i %T'}`;
    if (q.exitCode !== 0 && !/Invalid job id/i.test(q.stderr)) throw new ToolError(`squeue: ${q.stderr.trim()}`);
    const rows = q.exitCode === 0 ? q.stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ')) : [];
    if (!rows.length) break;
    for (const [id, state] of rows) {
      const u = todo[Number(id.split('_')[1])];
      if (!u) continue;
      let last = '';
      if (state === 'RUNNING' && fs.existsSync(logPath(o, u))) {
        const text = fs.readFileSync(logPath(o, u), 'utf8').split('\n').map(statusOf).filter(Boolean);
        last = text[text.length - 1] ?? '';
      }
      board.set(`${unitName(u)} [task ${id}]`, `${state.toLowerCase()}${last ? `: ${last}` : ''}`);
    }
    for (const k of [...board.lines.keys()]) if (!rows.some(([id]) => k.endsWith(`[task ${id}]`))) board.drop(k);
    await sleep(2000);
  }
  board.clear();
}

// ── main ──────────────────────────────────────────────────────────────────────────────────────────────────────────

async function collect(o) {
  const r = await chanlab(o, [...o.select, ...common(o), '--out', o.out, '--units', unitsDir(o), '--collect', ...(o.fresh ? ['--fresh'] : [])]);
  process.stdout.write(r.stdout);
  return r;
}

function report(failed) {
  if (!failed.length) return;
  console.error(stopping
    ? chalk.yellow(`\nstopped: ${failed.length} unit(s) unfinished (checkpoints kept); run the same command again to resume them:`)
    : chalk.red(`\n${failed.length} unit(s) failed; the other units' results are kept and were collected:`));
  for (const f of failed) console.error(`  ${unitName(f.unit)}: ${f.why}\n    log: ${f.log}`);
}

function newestMtime(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (p === path.join(ROOT, 'repro', 'results')) continue;
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** The default chanlab runs the compiled dist/: results must not come from a build older than the code they cite. */
function checkBuild(o) {
  if (process.env.CHANLAB_CMD || o.chanlab[1] !== path.join(ROOT, 'bin', 'chanlab.js')) return;
  const main = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new UsageError(`${main} is missing: build chanlab first (npm run build)`);
  const built = fs.statSync(main).mtimeMs;
  for (const dir of ['src', 'repro']) {
    if (fs.existsSync(path.join(ROOT, dir)) && newestMtime(path.join(ROOT, dir)) > built) {
      throw new UsageError(`${dir}/ is newer than the build in dist/: run \`npm run build\` first (or --chanlab 'node --import tsx src/cli/run.ts' to run the sources)`);
    }
  }
}

async function main(argv) {
  const o = parseOptions(argv);
  if (o.help) return console.log(HELP), 0;
  checkBuild(o);
  if (o.slurm) await requireSbatch();
  const tables = await plan(o);
  const all = tables.flatMap((t) => t.units);
  const todo = all.filter((u) => !u.done);
  console.log(`${tables.map((t) => `${t.table} (${t.tier}, ${t.seeds} seed(s))`).join(', ')}: ${all.length} unit(s), ${all.length - todo.length} done, ${todo.length} to run`);
  if (o.dryRun) {
    if (o.slurm) {
      console.log(sbatchScript(o, todo, path.join(o.work, 'slurm', 'units-<time>.tsv')));
    } else {
      const sl = slots(o);
      todo.forEach((u, i) => console.log(`  ${unitName(u).padEnd(40)} ${i < sl.length ? sl[i].name : `queued (#${i - sl.length + 1})`}  ${Object.entries(sl[i % sl.length].env).map(([k, v]) => `${k}=${v} `).join('')}${o.chanlab.join(' ')} repro ${unitArgs(o, u).join(' ')}`));
    }
    for (const u of all.filter((x) => x.done)) console.log(`  ${unitName(u).padEnd(40)} done`);
    if (o.fresh) console.log(`first: remove ${todo.length} unit result dir(s) and training run(s)`);
    console.log(`then: ${o.chanlab.join(' ')} repro ${[...o.select, ...common(o), '--out', o.out, '--units', unitsDir(o), '--collect', ...(o.fresh ? ['--fresh'] : [])].join(' ')}`);
    return 0;
  }
  // --fresh: the units start over (the runs are removed here, once: a unit's retries and requeues must resume)
  if (o.fresh) for (const u of todo) for (const d of [u.out, u.runDir]) if (d) await fs.rm(d, { recursive: true, force: true });
  let failed = [];
  if (todo.length && o.slurm) {
    const { script, unitsFile } = await writeSlurm(o, todo);
    const arrayId = await sbatch([script]);
    console.log(`submitted array job ${arrayId}: ${todo.length} task(s) (${script}; units ${unitsFile}); logs under ${path.join(o.work, 'logs', o.tier)}`);
    if (!o.wait) {
      const c = path.join(path.dirname(script), `collect-${path.basename(script)}`);
      await fs.writeFile(c, collectScript(o, arrayId), { mode: 0o755 });
      const collectId = await sbatch([c]);
      console.log(`submitted collect job ${collectId} (runs after the array; writes ${o.out}); watch with: squeue -j ${arrayId},${collectId}`);
      return 0;
    }
    await waitArray(o, arrayId, todo);
  } else if (todo.length) {
    const results = await runLocal(o, todo);
    failed = results.filter((r) => !r.ok);
    for (const r of results.filter((x) => x.ok)) console.log(chalk.green(`✔ ${unitName(r.unit)}`));
  }
  const c = await collect(o);
  if (o.slurm) {
    // the collect names the units without a result (`  table/row seed k`): the tasks that failed
    const missing = new Set([...c.stderr.matchAll(/^ {2}(\S+ seed \d+)$/gm)].map((m) => m[1]));
    failed = todo.filter((u) => missing.has(unitName(u))).map((u) => ({ unit: u, log: logPath(o, u), why: 'no result after its Slurm task ended' }));
  }
  report(failed);
  if (c.exitCode !== 0 && !failed.length) console.error(c.stderr.trim());
  if (stopping) return 130;
  return failed.length || c.exitCode !== 0 ? 1 : 0;
}

/** The arguments after this script's own path: `node scripts/run-table.mjs …` and `zx scripts/run-table.mjs …` alike. */
function ownArguments() {
  const self = fileURLToPath(import.meta.url);
  const at = process.argv.findIndex((a, i) => i > 0 && path.resolve(a) === self);
  return process.argv.slice(at > 0 ? at + 1 : 2);
}

main(ownArguments()).then((code) => process.exit(code), (e) => {
  // usage and tool failures are messages; anything else is a bug in this script: its stack helps (or CHANLAB_DEBUG)
  const known = e instanceof UsageError || e instanceof ToolError;
  console.error(`run-table: ${known && !process.env.CHANLAB_DEBUG ? e.message : e?.stack ?? e}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
