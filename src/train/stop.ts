// Why a run stops early, as errors the CLI turns into exit codes, and SIGINT/SIGTERM handling: the first signal
// stops the run at the next step boundary (checkpoint kept, manifest 'interrupted'); a second one exits at once
// after `onForce` has recorded the interruption.
import type { RunStatus } from './manifest.js';

/** An error that ends a run in a given manifest status; `exitCode` is what the CLI exits with. */
export class RunStopped extends Error {
  constructor(message: string, readonly status: Exclude<RunStatus, 'running' | 'finished'>, readonly exitCode: number) {
    super(message);
    this.name = 'RunStopped';
  }
}

export class DivergedError extends RunStopped {
  constructor(message: string) {
    super(message, 'diverged', 3);
  }
}

export class InterruptedError extends RunStopped {
  constructor(message: string, signal: NodeJS.Signals | 'abort') {
    super(message, 'interrupted', signal === 'SIGTERM' ? 143 : 130);
  }
}

/** Watches SIGINT/SIGTERM (and an optional AbortSignal) while installed. */
export class StopRequest {
  reason: NodeJS.Signals | 'abort' | null = null;
  private readonly handlers: Array<[NodeJS.Signals, () => void]> = [];
  private readonly abort?: AbortSignal;
  private readonly onAbort = () => {
    this.reason ??= 'abort';
  };

  constructor(opts: { signals: boolean; abort?: AbortSignal; onForce: (signal: NodeJS.Signals) => void }) {
    if (opts.signals) {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        const h = () => {
          if (this.reason === null) {
            this.reason = sig;
            process.stderr.write(`\n${sig}: stopping after the current step (again to stop at once)\n`);
            return;
          }
          opts.onForce(sig);
          process.exit(sig === 'SIGTERM' ? 143 : 130);
        };
        process.on(sig, h);
        this.handlers.push([sig, h]);
      }
    }
    this.abort = opts.abort;
    if (this.abort?.aborted) this.onAbort();
    this.abort?.addEventListener('abort', this.onAbort);
  }

  get requested(): boolean {
    return this.reason !== null;
  }

  dispose(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.length = 0;
    this.abort?.removeEventListener('abort', this.onAbort);
  }
}
