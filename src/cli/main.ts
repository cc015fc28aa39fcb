// The chanlab command line. Each subcommand lives in commands/<name>.ts and exports `help` and `run(argv)`.
import * as backends from './commands/backends.js';
import * as bench from './commands/bench.js';
import * as chex from './commands/chex.js';
import * as dgc from './commands/dgc.js';
import * as evaluate from './commands/eval.js';
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
import { MAX_NATIVE_THREADS } from '../kernels/native/addon.js';
import type { Options } from './args.js';

export interface Command {
  /** one sentence: what the command does (the line of `chanlab --help`) */
  summary: string;
  /** `chanlab <command> --help`: usage, then every option */
  help: string;
  options: Options;
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  backends,
  models,
  train,
  eval: evaluate,
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
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

environment:
  CHANLAB_BACKEND=wasm|webgpu|cpu|tensorflow   backend of train, eval, predict, gradcam, flops, latency, chex and repro
                                when --backend is not given (default wasm); bench compares the backends of --backends
  CHANLAB_NATIVE=0|1            0: no native kernels (pure wasm); 1: they must load (an error otherwise)
  CHANLAB_NATIVE_REQUIRED=1     as CHANLAB_NATIVE=1;  CHANLAB_NATIVE_PATH=FILE: use this chanlab_native.node (must load)
  CHANLAB_NATIVE_THREADS=N      native kernel threads, 1 to ${MAX_NATIVE_THREADS} (default: all cores)
  CHANLAB_WASM_THREADS=N        XNNPACK threads of the wasm backend (default 1)
  CHANLAB_CONFIGS=DIR           more training presets;  CHANLAB_DEBUG=1: stack traces of errors
exit status: 0 done; 1 error; 3 diverged, or non-finite weights/outputs (eval, predict, gradcam); 130 SIGINT; 143 SIGTERM`;

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
