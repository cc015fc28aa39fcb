// The CHEX README's ImageNet checkpoint table as data (docs/methods/chex.md §8.1): model, FLOPs and reduction as
// printed, top-1, the download's file name and Google-Drive id, plus the acceptance tolerances. The README's
// ResNet-50 3 G and 2 G rows link to the same file, so one file can match only one of them.

export interface ChexCheckpointRow {
  /** ChexResNet registry name */
  model: 'chex_resnet18' | 'chex_resnet34' | 'chex_resnet50' | 'chex_resnet101';
  label: string;
  /** FLOPs as printed (G-MACs) */
  flops: string;
  /** FLOPs reduction as printed (percent) */
  reduction: string;
  /** top-1 as printed (percent) */
  top1: string;
  /** file name of the download (without .pth.tar) */
  file: string;
  driveId: string;
}

export const CHEX_CHECKPOINTS: readonly ChexCheckpointRow[] = [
  { model: 'chex_resnet18', label: 'ResNet-18', flops: '1.03', reduction: '43', top1: '69.6', file: 'resnet18_1gflops_69.6top1', driveId: '1FAXXPcXeqFN7ngyIM06590PT4VgHgrUe' },
  { model: 'chex_resnet34', label: 'ResNet-34', flops: '2', reduction: '46', top1: '73.5', file: 'resnet34_2gflops_73.5top1', driveId: '1Np6mglrjrfIyuH6FSCMwFgM6w-0E4XfP' },
  { model: 'chex_resnet50', label: 'ResNet-50', flops: '3', reduction: '27', top1: '78.0', file: 'resnet50_3gflops_78top1', driveId: '1oL9U3cYzi8F_ARGuGWz1RxzjyAeD1Hl8' },
  { model: 'chex_resnet50', label: 'ResNet-50', flops: '2', reduction: '50', top1: '77.4', file: 'resnet50_2gflops_77.4top1', driveId: '1oL9U3cYzi8F_ARGuGWz1RxzjyAeD1Hl8' },
  { model: 'chex_resnet50', label: 'ResNet-50', flops: '1', reduction: '75', top1: '76.0', file: 'resnet50_1gflops_76top1', driveId: '1DJJ0ifrY2nf79IZCN6QwLYh3K9WeOonB' },
  { model: 'chex_resnet50', label: 'ResNet-50', flops: '0.8', reduction: '80', top1: '74.9', file: 'resnet50_0.8gflops_74.9top1', driveId: '1w8yyZ6ZwyGC-WDpmPSQz0KxoamR9_UbF' },
  { model: 'chex_resnet101', label: 'ResNet-101', flops: '3.4', reduction: '55', top1: '78.8', file: 'resnet101_3.4gflops_78.8top1', driveId: '1u7H-UwF_KR-0MTjuDD7FQa8G0R5Vjfk6' },
  { model: 'chex_resnet101', label: 'ResNet-101', flops: '1.9', reduction: '75', top1: '77.6', file: 'resnet101_1.9gflops_77.6top1', driveId: '1tLPigX1Ln84qg6un0FqR_PlgmJexUHUB' },
];

/** Dense baselines (G-MACs, 'chex' convention, 224²) the reductions refer to. */
export const CHEX_BASELINE_MACS: Readonly<Record<ChexCheckpointRow['model'], number>> = {
  chex_resnet18: 1_814_074_344,
  chex_resnet34: 3_663_762_408,
  chex_resnet50: 4_089_185_256,
  chex_resnet101: 7_801_406_440,
};

/** Acceptance: FLOPs within ±3 % of the printed value (±0.05 G below 1.1 G), reduction ±1.5 pp, top-1 ±0.3 pp. */
export function flopsMatch(row: ChexCheckpointRow, macs: number): boolean {
  const g = Number(row.flops);
  return Math.abs(macs / 1e9 - g) <= (g < 1.1 ? 0.05 : 0.03 * g);
}

export function reductionMatch(row: ChexCheckpointRow, macs: number): boolean {
  return Math.abs(100 * (1 - macs / CHEX_BASELINE_MACS[row.model]) - Number(row.reduction)) <= 1.5;
}

export function top1Match(row: ChexCheckpointRow, top1: number): boolean {
  return Math.abs(top1 - Number(row.top1)) <= 0.3;
}
