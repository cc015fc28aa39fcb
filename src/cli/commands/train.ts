import { releaseBackends } from '../../backend/index.js';
import { runTrainCommand } from '../../train/commands.js';
import { loadConfig } from '../../train/config.js';
import { parse, type Args, type Options } from '../args.js';

export const summary = 'Trains a model from a preset or config file into a run directory, or resumes a run exactly.';

export const help = `chanlab train --config PRESET|FILE [--backend wasm] [--run-dir DIR] [--resume [--allow-kernel-change]] [--set JSON] [--quiet]
             [--grow-prune --channel-sparsity S --init-channel-ratio D0 --delta-t EPOCHS --t-max EPOCH]
  Trains a model from a preset (configs/*.json: quick, pix-imagenet-lamb, …) or a config file into a run directory
  (config, manifest, metrics.jsonl, atomic checkpoints). --set deep-merges a JSON object over the config.
  --resume continues a run directory exactly; it is refused on another kernel path than the run ran on (backend,
  native kernels and their thread count) unless --allow-kernel-change (then not exact; recorded in the manifest).
  --grow-prune turns on CHEX channel exploration for a ResNet (the official flag names; values not given come from the
  config's "chex" section): prune/regrow every ΔT epochs up to T_max, global channel sparsity S in [0, 1), initial
  extra ratio δ0 ≤ S. Per-layer channel counts of every exploration step go to metrics.jsonl (type "chex").
  One process per run directory (run.lock). Ctrl-C / SIGTERM checkpoint and stop (exit 130 / 143); a NaN/Inf loss
  stops the run as diverged (exit 3). manifest.json ends finished, interrupted, diverged or failed, with the reason;
  a run whose process crashed (signal 11, kill -9) is marked failed at the next start. --quiet: no progress lines.`;

const CHEX_FLAGS = [['channel-sparsity', 'channelSparsity'], ['init-channel-ratio', 'initChannelRatio'], ['delta-t', 'deltaT'], ['t-max', 'tMax']] as const;

/** The `chex` override of --grow-prune and its value flags (undefined when none is given). */
export function chexOverrides(a: Args, base: object | null | undefined): Record<string, unknown> | undefined {
  const given = CHEX_FLAGS.filter(([flag]) => a.str(flag) !== undefined);
  if (!a.flag('grow-prune')) {
    if (given.length) throw new Error(`train: --${given[0]![0]} needs --grow-prune`);
    return undefined;
  }
  const chex: Record<string, unknown> = { ...(base ?? {}) };
  for (const [flag, key] of given) {
    const v = a.str(flag)!;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`train: --${flag} must be a number, got '${v}'`);
    chex[key] = n;
  }
  for (const [flag, key] of CHEX_FLAGS) {
    if (chex[key] === undefined) throw new Error(`train: --grow-prune needs --${flag} (the config has no chex.${key})`);
  }
  return chex;
}

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  config: { type: 'string' }, backend: { type: 'string' }, 'run-dir': { type: 'string' }, resume: { type: 'boolean' },
  set: { type: 'string' }, quiet: { type: 'boolean' }, 'grow-prune': { type: 'boolean' }, 'allow-kernel-change': { type: 'boolean' },
  ...Object.fromEntries(CHEX_FLAGS.map(([f]) => [f, { type: 'string' as const }])),
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('train', argv, options);
  if (a.help) return console.log(help), 0;
  let overrides = a.jsonObject('set');
  const configName = a.str('config') ?? a.positionals[0];
  if (a.flag('grow-prune') || CHEX_FLAGS.some(([f]) => a.str(f) !== undefined)) {
    if (a.flag('resume')) throw new Error('train: --grow-prune and its flags cannot change a run being resumed (its config.json is used)');
    if (!configName) throw new Error('train: --grow-prune needs --config');
    const fromSet = overrides?.chex as Record<string, unknown> | undefined;
    overrides = { ...(overrides ?? {}), method: 'chex', chex: chexOverrides(a, fromSet ?? loadConfig(configName).chex) };
  }
  try {
    await runTrainCommand({
      config: configName, backend: a.str('backend'), resume: a.flag('resume'),
      runDir: a.str('run-dir'), overrides, quiet: a.flag('quiet'), allowKernelChange: a.flag('allow-kernel-change'),
    });
  } finally {
    releaseBackends();
  }
  return 0;
}
