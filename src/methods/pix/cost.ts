// Per-module cost by the PiX supplement's convention (sections C–E, spec pix.md §8.1–8.2): FLOPs = multiply-
// accumulates, sigmoid = 4, BN = 4 per element, ReLU = 1, GAP = 1 per input element; memory = elements written
// (bytes = 4·elements for fp32; the supplement prints bytes/1e6). Formulas are the supplement's totals, generalised
// from r = 16 / ζ where the supplement fixes them. Known convention gaps (all ⚠ in spec §8.1):
//   - PiX does not count the G·H·W multiplications by p nor the division by ζ;
//   - CBAM's 7×7 spatial conv is charged as 1×2×HW, and its shared MLP once (not once per pooled vector);
//   - PiX memory charges the fusion output as C·H·W (the output is G·H·W; the two agree at ζ = 1).
export interface ModuleCost {
  /** FLOPs (MACs) by the supplement's convention. */
  flops: number;
  /** Activation memory in elements by the supplement's convention. */
  memoryElements: number;
  /** Trainable parameters of the module (exact, not a convention). */
  params: number;
}

export interface PixCostInput {
  C: number;
  H: number;
  W: number;
  zeta: number;
  reduce?: string;
  bias?: boolean;
  bn?: boolean;
}

/** PiX (Eqs. 53–59): CHW + C·G + 4G + (ζ−1)·G·HW; w-PiX adds one more fusion pass (supplement §E: 748 = 523 + 225). */
export function pixModuleCost(o: PixCostInput): ModuleCost {
  const { C, H, W, zeta } = o;
  const G = Math.ceil(C / zeta);
  const HW = H * W;
  const fusionPasses = o.reduce === 'w-pix' ? 2 : 1;
  const flops = C * HW + C * G + 4 * G + fusionPasses * (zeta - 1) * G * HW + (o.bn ? 4 * G : 0);
  const memoryElements = C + G + C * HW;
  const params = C * G + (o.bias ? G : 0) + (o.bn ? 2 * G : 0);
  return { flops, memoryElements, params };
}

/** SE (Eqs. 7–16), squeeze width C/r: 2CHW + 2C²/r + C/r + 4C; memory CHW + C + C/r + C. */
export function seCost(o: { C: number; H: number; W: number; reduction?: number; hidden?: number }): ModuleCost {
  const { C, H, W } = o;
  const r = o.reduction ?? 16;
  const S = o.hidden ?? C / r;
  const HW = H * W;
  return {
    flops: 2 * C * HW + 2 * C * S + S + 4 * C,
    memoryElements: C * HW + 2 * C + S,
    params: 2 * C * Math.round(S) + Math.round(S) + C,
  };
}

/** CBAM (Eqs. 17–41): 6CHW + 2C²/r + C/r + 5C + 6HW; memory 2CHW + 5HW + 4C + C/r. Params: MLP + 7×7 conv + BN(1). */
export function cbamCost(o: { C: number; H: number; W: number; reduction?: number; hidden?: number; kernel?: number }): ModuleCost {
  const { C, H, W } = o;
  const S = o.hidden ?? C / (o.reduction ?? 16);
  const k = o.kernel ?? 7;
  const HW = H * W;
  return {
    flops: 6 * C * HW + 2 * C * S + S + 5 * C + 6 * HW,
    memoryElements: 2 * C * HW + 5 * HW + 4 * C + S,
    params: 2 * C * Math.round(S) + Math.round(S) + C + 2 * k * k + 2,
  };
}

/** FBS (Eqs. 42–52): 7CHW + C² + 4C + Σ_{i=1..k}(C−i); memory 2CHW + 2C. Params: C×C predictor (+C bias) + BN. */
export function fbsCost(o: { C: number; H: number; W: number; k: number; bias?: boolean }): ModuleCost {
  const { C, H, W, k } = o;
  const HW = H * W;
  let topk = 0;
  for (let i = 1; i <= k; i++) topk += C - i;
  return {
    flops: 7 * C * HW + C * C + 4 * C + topk,
    memoryElements: 2 * C * HW + 2 * C,
    params: C * C + ((o.bias ?? true) ? C : 0) + 2 * C,
  };
}

/** The baseline squeeze 1×1 conv C→G + BN + ReLU (supplement §E, Eqs. 60–62): HW·G·C + 4·G·HW + G·HW. */
export function squeezeCost(o: { C: number; H: number; W: number; zeta: number; groups?: number }): ModuleCost {
  const { C, H, W, zeta } = o;
  const G = Math.ceil(C / zeta);
  const g = o.groups ?? 1;
  const HW = H * W;
  return {
    flops: HW * G * (C / g) + 4 * G * HW + G * HW,
    memoryElements: G * HW,
    params: G * (C / g) + 2 * G,
  };
}
