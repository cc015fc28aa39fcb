// The table model of the reproduction suite. A table definition has rows (stable ids, one config per row), the tiers
// it runs at, the paper's numbers with their source, and a tolerance per cell. `chanlab repro` runs the missing rows
// and writes repro/results/<tier>/<table>.json + .md (see runner.ts); the status of a cell comes from status.ts.
import type { TrainConfig } from '../src/train/config.js';

/** quick: 2 CPU cores, whole suite < 15 min. small: Fashion-MNIST, ≥ 3 seeds. full: the paper's setting. */
export const TIERS = ['quick', 'small', 'full'] as const;
export type Tier = (typeof TIERS)[number];

/** Where a printed number comes from. `doc` is the section of docs/methods/*.md that records it. */
export interface Source {
  paper: 'PiX' | 'CHEX' | 'DGC';
  table: string;
  doc: string;
}

/**
 * How close a reproduced value must be to the paper's. A cell is within when any given criterion holds:
 * `printed` compares at the printed precision (the value reduced by the paper's rule, then Δ = 0), `abs`/`rel` bound |Δ|,
 * `spread` allows |Δ| ≤ k × the seed-to-seed standard deviation of the reproduced value.
 */
export interface Tolerance {
  printed?: { rule: 'round' | 'trunc'; decimals: number };
  abs?: number;
  rel?: number;
  spread?: number;
}

export interface PaperValue {
  /** The number in the metric's unit. */
  value: number;
  /** Exactly as printed (e.g. '3.18B', '.837'). */
  printed: string;
  /** A known slip of the paper or another caveat, shown next to the cell. */
  note?: string;
}

/**
 * The direction a paper claims for a Δ cell where it prints no number for it (e.g. "more accurate than the dense
 * network at the same MACs"): the sign the verdict checks, and the claim in words with its source.
 */
export interface Claim {
  sign: 1 | -1;
  text: string;
}

export interface Metric {
  key: string;
  label: string;
  /** Unit the values (paper and reproduced) are expressed in, e.g. 'M', '%', 'ms'. */
  unit: string;
  /** Decimals shown in the Markdown table. */
  decimals: number;
  /** Tolerance of this metric's cells unless a row overrides it. */
  tolerance?: Tolerance;
  /** Tiers at which the metric is reported (default: all of the table's). */
  tiers?: readonly Tier[];
  /** Tiers at which the paper's number is the target (default: all); elsewhere it is shown for reference only. */
  paperTiers?: readonly Tier[];
  /**
   * How close a rerun must come to the committed reference (compare.ts): default the cell's tolerance, else the
   * displayed precision; 'machine' for values that depend on the machine (timings), shown but not compared.
   */
  agreement?: Tolerance | 'machine';
}

export type Metrics = Record<string, number>;

/**
 * Files a user supplies to rows that need them (released checkpoints, data sets the machine does not ship): the name is
 * the `chanlab repro` option (`--chex-checkpoints DIR`), the environment variable CHANLAB_<NAME> (upper case, `_`)
 * is the fallback. A row whose input is missing is skipped and shows "not run".
 */
export const INPUTS = {
  'chex-checkpoints': 'folder of the released CHEX ImageNet checkpoints, named as in the CHEX README (resnet50_1gflops_76top1.pth.tar, …)',
  'dgc-checkpoints': 'folder of the released DGC checkpoints, named as in the DGC README (cifar10_dydensenet86_h4.tar, …)',
  imagenet: 'ImageNet-1k folder holding val/ (one sub-folder per class)',
  cifar10: 'CIFAR-10 folder (the python or binary release)',
  cifar100: 'CIFAR-100 folder (the python or binary release)',
} as const;
export type InputName = keyof typeof INPUTS;
export type Inputs = Partial<Record<InputName, string>>;

export interface RowContext {
  tier: Tier;
  /** Files the user supplied (see INPUTS); only those given. */
  inputs: Inputs;
  /** Backend of the run (`--backend`, default wasm); a row config may name its own. */
  backend: string;
  /** Scratch directory of this row (training runs, checkpoints). */
  workDir: string;
  quiet: boolean;
}

/** Seeded training of a row: the runner trains one run per seed (resumable) and reads test top-1 etc. from it. */
export interface TrainSpec {
  tiers: readonly Tier[];
  config(tier: Tier, seed: number): TrainConfig;
  /** Further metrics of a finished run read from its directory (e.g. the MACs of a CHEX run's compacted network). */
  metrics?(runDir: string, config: TrainConfig, tier: Tier): Promise<Metrics>;
}

export interface RowDefinition {
  /** Stable id (kebab-case), used on the command line (`table/row`) and as the key of the result file. */
  id: string;
  label: string;
  /** The one configuration of this row (recorded in the result). */
  config: Record<string, unknown>;
  /** Tiers the row exists at (default: the table's). */
  tiers?: readonly Tier[];
  /** Metrics this row reports (default: all of the table's). */
  metrics?: readonly string[];
  paper?: Record<string, PaperValue>;
  /** Directions the papers claim for this row's Δ cells without a printed number (a printed Δ's sign wins). */
  claims?: Record<string, Claim>;
  tolerance?: Record<string, Tolerance>;
  /** The curve the row belongs to in the table's scatter figures (rows of one series are joined by a line). */
  series?: string;
  /** Deterministic counts or single measurements, run once per tier (not per seed). */
  compute?(ctx: RowContext): Promise<Metrics>;
  /** Tiers at which `compute` runs (default: every tier of the row). */
  computeTiers?: readonly Tier[];
  train?: TrainSpec;
  /** Why the row cannot run yet (e.g. its method has not landed): every cell shows "not run". */
  pending?: string;
  /**
   * Why the row cannot run with what this machine has at `tier` (a user-supplied checkpoint or data set missing), or
   * null when it can. An unavailable row is skipped (its cells show "not run") and does not count as a failure.
   */
  unavailable?(ctx: Pick<RowContext, 'tier' | 'inputs'>): string | null;
}

/** A metric computed from other rows' aggregates (e.g. Δ top-1 against the default row). */
export interface DerivedMetric {
  key: string;
  /** mean and std (seed-to-seed) of row `id`, or null when its inputs are missing. */
  derive(row: string, get: (row: string, metric: string) => Aggregate | null): Aggregate | null;
}

/**
 * A Δ cell paired by seed: per seed, the row's value minus its reference's at the same seed (same initialisation
 * stream and data order), so that seed-to-seed noise shared by both cancels. The cell holds the mean of the per-seed
 * differences, its 95 % confidence interval (t-distribution) and a verdict (status.ts).
 */
export interface PairedDelta {
  /** The metric key of the Δ cells (declared in the table's metrics). */
  key: string;
  /** What `row`'s Δ is taken against, in words (e.g. a row id); null: the row has no Δ cell. */
  reference(row: string): string | null;
  /** seed → row − reference, for the seeds both sides have. */
  differences(row: string, values: ResultValues): Map<number, number>;
}

/** The values of a table's result file, per seed and aggregated (what paired cells and readings are computed from). */
export interface ResultValues {
  /** seed → value of `metric` of `row`; a once-computed metric holds for every seed the row trained. */
  seeds(row: string, metric: string): Map<number, number>;
  /** mean ± std over seeds, or the once-computed value; null when not run. */
  value(row: string, metric: string): Aggregate | null;
}

export interface Aggregate {
  mean: number;
  /** Sample standard deviation over seeds (0 for a single value). */
  std: number;
  n: number;
}

export interface TableDefinition {
  id: string;
  title: string;
  source: Source;
  tiers: readonly Tier[];
  metrics: readonly Metric[];
  rows: readonly RowDefinition[];
  derived?: readonly DerivedMetric[];
  paired?: readonly PairedDelta[];
  /** Seeds per training row when --seeds is not given. */
  defaultSeeds?: Partial<Record<Tier, number>>;
  notes?: readonly string[];
  /**
   * Metric pairs drawn as y against x, one labelled point per row with its 95 % confidence interval, the rows of one
   * `series` joined by a line (figures.ts: notebooks, `chanlab plot`).
   */
  scatter?: ReadonlyArray<{ x: string; y: string }>;
  /** What the result says, in sentences computed from it (beyond the Δ verdicts every table gets; reading.ts). */
  reading?(tier: Tier, values: ResultValues): string[];
}

/** The table `id` of `tables`; an unknown id is an error listing the known ones. */
export function findTable(id: string, tables: readonly TableDefinition[]): TableDefinition {
  const t = tables.find((x) => x.id === id);
  if (!t) throw new Error(`table: unknown table '${id}' (known tables: ${tables.map((x) => x.id).join(', ')})`);
  return t;
}

export function rowTiers(table: TableDefinition, row: RowDefinition): readonly Tier[] {
  return row.tiers ?? table.tiers;
}
