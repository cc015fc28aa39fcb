// The chanlab command line. Each subcommand lives in commands/<name>.ts and exports `help` and `run(argv)`.
import * as backends from './commands/backends.js';
import * as bench from './commands/bench.js';
import * as chex from './commands/chex.js';
import * as dgc from './commands/dgc.js';
import * as flops from './commands/flops.js';
import * as gradcam from './commands/gradcam.js';
import * as inspect from './commands/inspect.js';
import * as latency from './commands/latency.js';
import * as models from './commands/models.js';
import * as plot from './commands/plot.js';
import * as predict from './commands/predict.js';
import * as repro from './commands/repro.js';
import * as train from './commands/train.js';
import { webgpuErrors } from '../backend/index.js';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  backends,
  models,
  train,
  eval: { help: train.evalHelp, run: train.runEval },
  flops,
  latency,
  inspect,
  predict,
  gradcam,
  plot,
  bench,
  repro,
  chex,
  dgc,
};

const USAGE = `chanlab — dynamic channel computation in ConvNets (PiX, CHEX, DGC) on TensorFlow.js

usage: chanlab <command> [options]      (chanlab <command> --help for details)

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.help.split('\n')[1]?.trim() ?? ''}`).join('\n')}

environment: CHANLAB_BACKEND=wasm|webgpu|cpu|tensorflow (default wasm)`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const cmd = COMMANDS[name];
  if (!cmd) throw new Error(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const code = await cmd.run(rest);
  const gpuErrors = webgpuErrors();
  if (gpuErrors.length > 0) {
    throw new Error(`${name}: the WebGPU device reported ${gpuErrors.length} error(s), so what ran on webgpu is not trustworthy; first: ${gpuErrors[0]!.split('\n')[0]}`);
  }
  return code;
}
