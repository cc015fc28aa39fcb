// The papers' closed-form cost formulas, in one place: the PiX supplement's per-module FLOP/memory/parameter
// formulas (Eqs. 1–62, Table 1, sections E and F; docs/methods/pix.md §3.5, §8.1–8.3) and the DGC layer's cost
// (docs/methods/dgc.md §4.1), plus `costOfOps`, which prices a contributor's primitive ops under any convention.
// "FLOPs" here follow the supplement: one fused multiply-add = 1, element-wise ops = 1 per element, sigmoid = 4,
// BN = 4 per element. Memory is in elements; bytes = 4·elements for fp32 and the supplement prints bytes/10⁶ ("MB").
// Known convention gaps of the supplement (kept as printed, docs/methods/pix.md §8.1):
//   - PiX does not count the G·H·W multiplications by p nor the division by ζ;
//   - CBAM's 7×7 spatial conv is charged as 1×2×HW, and its shared MLP once (not once per pooled vector);
//   - PiX memory charges the fusion output as C·H·W (the output is G·H·W; the two agree at ζ = 1).
// The modules themselves are counted by the FLOP counter (counter.ts); these formulas are what the papers print.
import type { FlopsCost } from './contributor.js';
import { priceOp, type Convention } from './conventions.js';
import type { OpRecord, Shape } from './ops.js';

export interface ModuleFormula {
  /** FLOPs by the supplement's convention; the sum of `parts`. */
  flops: number;
  /** Activation memory in elements (what the module adds, as the supplement counts it). */
  memoryElements: number;
  /** Trainable parameters of the module (exact, not a convention). */
  params: number;
  /** Named FLOP terms; they sum to `flops`. */
  parts: Record<string, number>;
}

/** Input of a module formula: C channels on an H×W map. */
export interface MapSize {
  C: number;
  H: number;
  W: number;
}

const sum = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);

/**
 * SE (Eqs. 7–16) with hidden width S (default C/r, r = 16): 2CHW + 2CS + S + 4C; memory CHW + 2C + S.
 * Params: two 1×1 convs with bias.
 */
export function seFormula(o: MapSize & { reduction?: number; hidden?: number }): ModuleFormula {
  const { C, H, W } = o;
  const S = o.hidden ?? C / (o.reduction ?? 16);
  const parts = {
    gap: C * H * W, // global average pool
    fc1: C * S, // C -> S
    relu: S,
    fc2: S * C, // S -> C
    sigmoid: 4 * C,
    scale: C * H * W, // broadcast multiply
  };
  // memory: the gated output CHW + pooled vector C + hidden S + probabilities C
  return { flops: sum(parts), memoryElements: C * H * W + 2 * C + S, params: 2 * C * Math.round(S) + Math.round(S) + C, parts };
}

/**
 * CBAM (Eqs. 17–41), hidden width S (default C/16): 6CHW + 2CS + S + 5C + 6HW; memory 2CHW + 5HW + 4C + S.
 * ⚠ the spatial conv is charged as 1×2×HW. Params: shared MLP (two 1×1 convs with bias) + k×k conv 2→1 + BN(1).
 */
export function cbamFormula(o: MapSize & { reduction?: number; hidden?: number; kernel?: number }): ModuleFormula {
  const { C, H, W } = o;
  const S = o.hidden ?? C / (o.reduction ?? 16);
  const k = o.kernel ?? 7;
  const HW = H * W;
  const parts = {
    channel_pools: 2 * C * HW, // avg + max over H×W
    mlp: 2 * C * S, // shared MLP, charged once
    // hidden ReLU, branch sum and sigmoid, as the supplement's total charges them: S + 5C (= (81/16)C at r = 16)
    channel_elementwise: S + 5 * C,
    channel_scale: C * HW,
    spatial_pools: 2 * C * HW, // avg + max over channels
    spatial_conv: 2 * HW, // ⚠ as printed: 1×2×HW (a 7×7 conv would be 2·49·HW)
    spatial_sigmoid: 4 * HW,
    spatial_scale: C * HW,
  };
  return {
    flops: sum(parts), memoryElements: 2 * C * HW + 5 * HW + 4 * C + S,
    params: 2 * C * Math.round(S) + Math.round(S) + C + 2 * k * k + 2, parts,
  };
}

/**
 * FBS (Eqs. 42–52) with k selected channels: 7CHW + C² + 4C + Σ_{i=1..k}(C−i); memory 2CHW + 2C.
 * Params: the C×C predictor (+C bias, default on) + BN.
 */
export function fbsFormula(o: MapSize & { k?: number; bias?: boolean }): ModuleFormula {
  const { C, H, W } = o;
  const k = o.k ?? 0;
  const CHW = C * H * W;
  const parts = { main: 7 * CHW, predictor: C * C, elementwise: 4 * C, topk: k * C - (k * (k + 1)) / 2 };
  return { flops: sum(parts), memoryElements: 2 * CHW + 2 * C, params: C * C + ((o.bias ?? true) ? C : 0) + 2 * C, parts };
}

/**
 * PiX at squeeze factor ζ, G = ceil(C/ζ) (Eqs. 53–59): CHW (GAP) + C·G (1×1 on the pooled vector) + 4G (sigmoid)
 * + (ζ−1)·G·HW (fusion); memory CHW + C + G (⚠ charges the fusion output as CHW). The p-multiplication is not
 * counted (⚠ docs/methods/pix.md §8.1). 'w-pix' adds a second fusion pass and its G·HW intermediate (inferred,
 * docs/methods/pix.md §4: 748 = 523 + 225 in section E); `bn` (E1) adds BN on the logits (4G, 2G params).
 */
export function pixFormula(o: MapSize & { zeta: number; reduce?: string; bias?: boolean; bn?: boolean }): ModuleFormula {
  const { C, H, W, zeta } = o;
  const G = Math.ceil(C / zeta);
  const HW = H * W;
  const wpix = o.reduce === 'w-pix';
  const parts: Record<string, number> = { gap: C * HW, conv: C * G };
  if (o.bn) parts.bn = 4 * G;
  parts.sigmoid = 4 * G;
  parts.fusion = (zeta - 1) * G * HW;
  if (wpix) parts.fusion2 = (zeta - 1) * G * HW;
  return {
    flops: sum(parts), memoryElements: C * HW + C + G + (wpix ? G * HW : 0),
    params: C * G + (o.bias ? G : 0) + (o.bn ? 2 * G : 0), parts,
  };
}

/**
 * The baseline squeeze path PiX replaces (section E, Eqs. 60–62): 1×1 conv C→G (G = ceil(C/ζ); `groups` for the
 * grouped variant), BN (4 per element), ReLU: HW·G·C/groups + 4·G·HW + G·HW. Memory: its G·H·W output.
 */
export function squeezeFormula(o: MapSize & { zeta: number; groups?: number }): ModuleFormula {
  const { C, H, W, zeta } = o;
  const G = Math.ceil(C / zeta);
  const g = o.groups ?? 1;
  const HW = H * W;
  const parts = { conv: HW * G * (C / g), bn: 4 * G * HW, relu: G * HW };
  return { flops: sum(parts), memoryElements: G * HW, params: G * (C / g) + 2 * G, parts };
}

/** Section F: memory (elements) of PiX in squeeze mode, C + G + G·H·W (GAP vector, probabilities, output). */
export function pixSqueezeMemory(o: MapSize & { zeta: number }): number {
  const G = Math.ceil(o.C / o.zeta);
  return o.C + G + G * o.H * o.W;
}

/** The supplement's squeeze worked example (section E): X ∈ ℝ^{12×5×5}, ζ = 4, 3 subsets (its printed numbers: docs/methods/pix.md §8.2). */
export function squeezeExample(): {
  baseline: ModuleFormula;
  pix: ModuleFormula;
  wpix: ModuleFormula;
  /** PiX with the uncounted p-multiplication (G·H·W) added. */
  pixWithPMul: number;
} {
  const x = { C: 12, H: 5, W: 5, zeta: 4 };
  const pix = pixFormula(x);
  return {
    baseline: squeezeFormula(x),
    pix,
    wpix: pixFormula({ ...x, reduce: 'w-pix' }),
    pixWithPMul: pix.flops + (x.C / x.zeta) * x.H * x.W,
  };
}

// ---- pricing a contributor's ops --------------------------------------------------------------------------------

/** Prices a list of primitive ops and returns {macs, breakdown by op name}. */
export function costOfOps(ops: readonly OpRecord[], c: Convention): FlopsCost {
  const breakdown: Record<string, number> = {};
  let macs = 0;
  for (const op of ops) {
    const v = priceOp(op, c);
    breakdown[op.name] = (breakdown[op.name] ?? 0) + v;
    macs += v;
  }
  return { macs, breakdown };
}

// ---- DGC layer (docs/methods/dgc.md §1.2, §4.1) -----------------------------------------------------------------

/** The hyper-parameters of one DGC layer but its input channels (DynamicMultiHeadConv's options). */
export interface DgcLayerSpec {
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** symmetric zero padding per side (PyTorch) */
  padding?: number;
  /** number of heads h (dynamic groups); divides inChannels and outChannels */
  heads?: number;
  /** saliency MLP reduction s (halved below 80 input channels) */
  squeezeRate?: number;
  /** fraction of input channels each head keeps at the end of training, in (0, 1] */
  gateFactor?: number;
}

export interface DgcLayerConfig extends DgcLayerSpec {
  /** Layer input [N,H,W,C]. */
  inputShape: Shape;
}

/** Saliency hidden width: d = floor(C / s_eff), s_eff = floor(s/2) when C < 80, else s (docs/methods/dgc.md §1.2). */
export function dgcHiddenWidth(C: number, squeezeRate = 16): number {
  const sEff = C < 80 ? Math.floor(squeezeRate / 2) : squeezeRate;
  return Math.floor(C / sEff);
}

/** Learnable parameters of one DGC layer: 2C + C'·C·k² + h·(2·C·d + C). */
export function dgcLayerParams(cfg: DgcLayerConfig): number {
  const C = cfg.inputShape[3]!;
  const h = cfg.heads ?? 4;
  const d = dgcHiddenWidth(C, cfg.squeezeRate ?? 16);
  return 2 * C + cfg.outChannels * C * cfg.kernelSize ** 2 + h * (2 * C * d + C);
}

/**
 * Expected cost of one DGC layer. 'dgc': the repository's own formula (docs/methods/dgc.md §4.1), per image ×N:
 * 2·C·H·W + h·(2·C·d + d + 3·C) + gf·C·C'·k²·Ho·Wo. Other conventions price its parts (BN, ReLU, GAP, per-head
 * saliency MLP and gating multiply, and the heads' convolutions at gf of their dense MACs).
 */
export function dgcLayerCost(cfg: DgcLayerConfig, c: Convention): FlopsCost {
  const [N, H, W, C] = cfg.inputShape as [number, number, number, number];
  const k = cfg.kernelSize;
  const s = cfg.stride ?? 1;
  const pad = cfg.padding ?? 0;
  const Ho = Math.floor((H + 2 * pad - k) / s) + 1;
  const Wo = Math.floor((W + 2 * pad - k) / s) + 1;
  const h = cfg.heads ?? 4;
  const gf = cfg.gateFactor ?? 0.25;
  const d = dgcHiddenWidth(C, cfg.squeezeRate ?? 16);
  const Cp = cfg.outChannels;
  if (c === 'dgc') {
    const breakdown = {
      relu_gap: N * 2 * C * H * W,
      saliency: N * h * (2 * C * d + d + 3 * C),
      conv: N * gf * C * Cp * k * k * Ho * Wo,
    };
    return { macs: sum(breakdown), breakdown };
  }
  const x = [N, H, W, C];
  const ops: OpRecord[] = [
    { name: 'norm', type: 'BatchNorm2d', kind: 'bn', inputShape: x, outputShape: x, params: 2 * C, affine: true },
    { name: 'relu', type: 'ReLU', kind: 'relu', inputShape: x, outputShape: x, params: 0 },
    { name: 'gap', type: 'GAP', kind: 'gap', inputShape: x, outputShape: [N, 1, 1, C], params: 0 },
  ];
  for (let i = 0; i < h; i++) {
    const hp = `headconv_${i}`;
    ops.push(
      { name: `${hp}.fc1`, type: 'Linear', kind: 'linear', inputShape: [N, C], outputShape: [N, d], params: C * d, inChannels: C, outChannels: d, bias: false },
      { name: `${hp}.relu1`, type: 'ReLU', kind: 'relu', inputShape: [N, d], outputShape: [N, d], params: 0 },
      { name: `${hp}.fc2`, type: 'Linear', kind: 'linear', inputShape: [N, d], outputShape: [N, C], params: d * C + C, inChannels: d, outChannels: C, bias: true },
      { name: `${hp}.relu2`, type: 'ReLU', kind: 'relu', inputShape: [N, C], outputShape: [N, C], params: 0 },
      { name: `${hp}.gate`, type: 'Mul', kind: 'mul', inputShape: x, outputShape: x, params: 0 },
      { name: `${hp}.conv`, type: 'Conv2d', kind: 'conv', inputShape: x, outputShape: [N, Ho, Wo, Cp / h], params: (Cp / h) * C * k * k, inChannels: gf * C, outChannels: Cp / h, kernel: [k, k], groups: 1, bias: false },
    );
  }
  const cost = costOfOps(ops, c);
  return { ...cost, note: `expected cost at gate factor ${gf}` };
}
