// One runnable definition per paper table. A definition computes its table with chanlab at the current commit;
// the runner wraps the result with a manifest and writes it atomically under repro/results/<tier>/<id>.json
// (+ a Markdown rendering). Paper numbers live only in clearly labelled `paper*` columns.
export type Tier = 'quick' | 'full';

export interface ReproOutput {
  /** The configuration that produced the result (goes into the manifest). */
  config: unknown;
  seed: number;
  /** Machine-readable results. */
  results: unknown;
  /** Human-readable rendering for results/<tier>/<id>.md. */
  markdown: string;
  /** One-line summary for the console. */
  summary: string;
}

export interface ReproContext {
  tier: Tier;
  backend: string;
  /** Scratch/run directory for this definition (training runs, checkpoints). */
  workDir: string;
  quiet: boolean;
}

export interface ReproDefinition {
  id: string;
  title: string;
  /** Paper and table it reproduces. */
  reproduces: string;
  tiers: Tier[];
  run(ctx: ReproContext): Promise<ReproOutput>;
}
