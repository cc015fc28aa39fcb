// Learning-rate schedules as pure functions of (iteration, iterations per epoch), evaluated before every step.
//  - 'cosine' (per iteration; timm/ConvNeXt `cosine_scheduler`, PiX §7.1; DGC §5 with warmup 0 and min 0):
//      warmup: linspace(warmupStart, lr, W) with both ends (i < W);
//      then lr_i = min + ½(lr − min)(1 + cos(π·(i − W)/(T − W))), T = total iterations.
//  - 'cosine_epoch' (per epoch, NVIDIA DeepLearningExamples / CHEX §5.1): e < W: lr·(e+1)/W;
//      else ½(1 + cos(π·(e − W)/(E − W)))·lr, constant within an epoch.
//  - 'step': lr·γ^(number of milestones ≤ epoch) (epoch-based, torch MultiStepLR), optional linear warmup.
//  - 'constant'.

export type ScheduleKind = 'cosine' | 'cosine_epoch' | 'step' | 'constant';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['cosine', 'cosine_epoch', 'step', 'constant'];

export interface ScheduleConfig {
  kind: ScheduleKind;
  /** warmup length in epochs (may be fractional for 'cosine') */
  warmupEpochs?: number;
  /** lr at the first warmup iteration ('cosine'; default 0) */
  warmupStart?: number;
  /** final lr ('cosine'; default 0) */
  minLr?: number;
  /** 'step': epochs at which lr is multiplied by gamma */
  milestones?: number[];
  gamma?: number;
}

export interface ScheduleContext {
  baseLr: number;
  epochs: number;
  itersPerEpoch: number;
}

export type LrSchedule = (iteration: number) => number;

export function makeSchedule(cfg: ScheduleConfig, ctx: ScheduleContext): LrSchedule {
  const { baseLr, epochs, itersPerEpoch } = ctx;
  const total = epochs * itersPerEpoch;
  const warmupEpochs = cfg.warmupEpochs ?? 0;
  if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) {
    throw new Error(`schedule.warmupEpochs: expected a number in [0, epochs=${epochs}], got ${warmupEpochs}`);
  }
  switch (cfg.kind) {
    case 'cosine': {
      const w = Math.round(warmupEpochs * itersPerEpoch);
      const start = cfg.warmupStart ?? 0;
      const min = cfg.minLr ?? 0;
      const t = total - w;
      return (i) => {
        if (i < w) return w === 1 ? baseLr : start + ((baseLr - start) * i) / (w - 1);
        const k = Math.min(i - w, t);
        return min + 0.5 * (baseLr - min) * (1 + Math.cos((Math.PI * k) / t));
      };
    }
    case 'cosine_epoch': {
      const w = Math.round(warmupEpochs);
      return (i) => {
        const e = Math.floor(i / itersPerEpoch);
        if (e < w) return (baseLr * (e + 1)) / w;
        return 0.5 * (1 + Math.cos((Math.PI * (e - w)) / (epochs - w))) * baseLr;
      };
    }
    case 'step': {
      const milestones = cfg.milestones ?? [];
      if (milestones.length === 0) throw new Error("schedule.milestones: required for kind 'step' (epochs at which lr is multiplied by gamma); got none");
      const gamma = cfg.gamma ?? 0.1;
      const w = Math.round(warmupEpochs * itersPerEpoch);
      return (i) => {
        if (i < w) return (baseLr * (i + 1)) / w;
        const e = Math.floor(i / itersPerEpoch);
        return baseLr * gamma ** milestones.filter((m) => m <= e).length;
      };
    }
    case 'constant':
      return () => baseLr;
    default:
      throw new Error(`schedule.kind: expected one of ${SCHEDULE_KINDS.join(', ')}, got '${String((cfg as ScheduleConfig).kind)}'`);
  }
}
