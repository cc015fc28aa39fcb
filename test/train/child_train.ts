// Child process for the resume tests: trains the config in argv[2] (JSON) into run dir argv[3].
// argv[4] = 'resume' to resume; argv[5] = milliseconds to sleep after each step (gives the parent time to kill it);
// argv[6] (optional) = data worker threads (overrides config.data.workers, as --data-workers does).
import { train } from '../../src/train/loop.js';
import { Progress } from '../../src/train/progress.js';
import type { TrainConfig } from '../../src/train/config.js';

const [cfgJson, runDir, mode, sleepMs, dataWorkers] = process.argv.slice(2);
const config = JSON.parse(cfgJson!) as TrainConfig;
const sleep = Number(sleepMs ?? 0);
const r = await train({
  config: mode === 'resume' ? undefined : config,
  runDir: runDir!,
  resume: mode === 'resume',
  progress: new Progress({ quiet: true }),
  dataWorkers: dataWorkers === undefined ? undefined : Number(dataWorkers),
  onStep: async (s) => {
    process.stdout.write(`step ${s.step}\n`);
    if (sleep > 0) await new Promise((res) => setTimeout(res, sleep));
  },
});
process.stdout.write(`done ${JSON.stringify({ steps: r.steps, top1: r.final?.top1 })}\n`);
