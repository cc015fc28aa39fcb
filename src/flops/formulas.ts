// Analytic per-module FLOP and memory formulas of the PiX supplement (Eqs. 1–6, Table 1, sections E and F; spec
// pix.md §3.5, §8.1–8.3), plus cost helpers that custom modules (PiX, DGC) can use as their FlopsContributor.
// "FLOPs" here follow the supplement: one fused multiply-add = 1, element-wise ops = 1 per element, sigmoid = 4.
// Memory is in elements; bytes = 4·elements for fp32 and the supplement prints bytes/10⁶ ("MB", decimal).
import type { FlopsCost } from './contributor.js';
import { priceOp, type Convention } from './conventions.js';
import type { OpRecord, Shape } from './ops.js';

export interface ModuleFormula {
  flops: number;
  /** Memory in elements (activations the module adds, as the supplement counts them). */
  memory: number;
  /** Named FLOP terms; they sum to `flops`. */
  parts: Record<string, number>;
}

const sum = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);

/** SE with reduction r (the supplement uses r = 16): 2CHW + C²/8 + (65/16)C;  memory CHW + (33/16)C. */
export function seFormula(C: number, H: number, W: number, r = 16): ModuleFormula {
  const parts = {
    gap: C * H * W, // global average pool
    fc1: (C * C) / r, // C -> C/r
    relu: C / r,
    fc2: (C * C) / r, // C/r -> C
    sigmoid: 4 * C,
    scale: C * H * W, // broadcast multiply
  };
  // memory: the gated output CHW + pooled vector C + hidden C/r + probabilities C
  return { flops: sum(parts), memory: C * H * W + C + C / r + C, parts };
}

/** CBAM (r = 16): 6CHW + C²/8 + (81/16)C + 6HW; memory 2CHW + 5HW + (65/16)C. ⚠ spatial conv charged as 1×2×HW. */
export function cbamFormula(C: number, H: number, W: number): ModuleFormula {
  const HW = H * W;
  const parts = {
    channel_pools: 2 * C * HW, // avg + max over H×W
    mlp: (C * C) / 8, // shared MLP on two vectors: 2·(C·C/16)
    // hidden ReLU, branch sum and sigmoid, as the supplement's total charges them: (81/16)C
    channel_elementwise: (81 * C) / 16,
    channel_scale: C * HW,
    spatial_pools: 2 * C * HW, // avg + max over channels
    spatial_conv: 2 * HW, // ⚠ as printed: 1×2×HW (a 7×7 conv would be 2·49·HW)
    spatial_sigmoid: 4 * HW,
    spatial_scale: C * HW,
  };
  return { flops: sum(parts), memory: 2 * C * HW + 5 * HW + (65 / 16) * C, parts };
}

/** FBS with k selected channels: 7CHW + C² + 4C + Σ_{i=1..k}(C−i); memory 2CHW + 2C. */
export function fbsFormula(C: number, H: number, W: number, k = 0): ModuleFormula {
  const CHW = C * H * W;
  const parts = { main: 7 * CHW, predictor: C * C, elementwise: 4 * C, topk: k * C - (k * (k + 1)) / 2 };
  return { flops: sum(parts), memory: 2 * CHW + 2 * C, parts };
}

/**
 * PiX at squeeze factor ζ: CHW (GAP) + C²/ζ (1×1 on the pooled vector) + 4C/ζ (sigmoid) + ((ζ−1)/ζ)CHW (fusion);
 * memory CHW + ((1+ζ)/ζ)C (⚠ charges the fusion output as CHW; only right at ζ = 1). The p-multiplication is not
 * counted (⚠ spec §8.1). `wpix` adds the second fusion pass of weighted PiX (inferred, spec §4).
 */
export function pixFormula(C: number, H: number, W: number, zeta: number, wpix = false): ModuleFormula {
  const G = C / zeta;
  const parts: Record<string, number> = {
    gap: C * H * W,
    conv: C * G,
    sigmoid: 4 * G,
    fusion: (zeta - 1) * G * H * W,
  };
  if (wpix) parts.fusion2 = (zeta - 1) * G * H * W;
  const memory = C * H * W + ((1 + zeta) / zeta) * C + (wpix ? G * H * W : 0);
  return { flops: sum(parts), memory, parts };
}

/** The baseline squeeze path PiX replaces: 1×1 conv C→G, BN (4 per element), ReLU. Memory: its G·H·W output. */
export function squeezeBaselineFormula(C: number, H: number, W: number, G: number): ModuleFormula {
  const HW = H * W;
  const parts = { conv: HW * G * C, bn: 4 * G * HW, relu: G * HW };
  return { flops: sum(parts), memory: G * HW, parts };
}

/** Section F: memory (elements) of PiX in squeeze mode, C + G + G·H·W (GAP vector, probabilities, output). */
export function pixSqueezeMemory(C: number, H: number, W: number, zeta: number): number {
  const G = C / zeta;
  return C + G + G * H * W;
}

/** The supplement's squeeze worked example (section E): X ∈ ℝ^{12×5×5}, ζ = 4, 3 subsets. */
export function squeezeExample(): {
  baseline: ModuleFormula;
  pix: ModuleFormula;
  wpix: ModuleFormula;
  /** PiX with the uncounted p-multiplication (G·H·W) added. */
  pixWithPMul: number;
  printed: { baseline: number; pix: readonly [number, number]; wpix: number };
} {
  const C = 12, H = 5, W = 5, zeta = 4;
  const pix = pixFormula(C, H, W, zeta);
  return {
    baseline: squeezeBaselineFormula(C, H, W, C / zeta),
    pix,
    wpix: pixFormula(C, H, W, zeta, true),
    pixWithPMul: pix.flops + (C / zeta) * H * W,
    // As printed in the supplement (the PiX sentence states 811 then 523; neither equals its own terms' sum).
    printed: { baseline: 1275, pix: [811, 523], wpix: 748 },
  };
}

// ---- cost helpers for contributors ----------------------------------------------------------------------------

export interface PixModuleConfig {
  /** Module input [N,H,W,C]. */
  inputShape: Shape;
  zeta: number;
  /** Output channels G; default ceil(C/ζ) (the ResNet squeeze uses floor, equal for divisible C). */
  groups?: number;
  /** conv_sqz bias (standalone PiXLayer: yes; PixBottleneck: no). */
  bias?: boolean;
  /** 'pick-or-mix' (default), 'max', 'avg', 'min' or 'w-pix' (two fusion passes). */
  reduce?: string;
  /** E1: BatchNorm on the [N,1,1,G] logits. */
  bnOnLogits?: boolean;
  /** E0: p = 0.5(1 + tanh(a)) instead of sigmoid. */
  activation?: 'sigmoid' | 'tanh';
}

/** A PiX module as primitive ops: GAP → 1×1 conv (C→G) on the pooled map → [BN] → sigmoid → fusion op. */
export function pixModuleOps(cfg: PixModuleConfig, prefix = ''): OpRecord[] {
  const [N, H, W, C] = cfg.inputShape as [number, number, number, number];
  const G = cfg.groups ?? Math.ceil(C / cfg.zeta);
  const bias = cfg.bias ?? false;
  const p = (s: string) => (prefix ? `${prefix}.${s}` : s);
  const ops: OpRecord[] = [
    { name: p('global_pool'), type: 'GAP', kind: 'gap', inputShape: [N, H, W, C], outputShape: [N, 1, 1, C], params: 0 },
    { name: p('conv_sqz'), type: 'Conv2d', kind: 'conv', inputShape: [N, 1, 1, C], outputShape: [N, 1, 1, G], params: C * G + (bias ? G : 0), inChannels: C, outChannels: G, kernel: [1, 1], groups: 1, bias },
  ];
  if (cfg.bnOnLogits) ops.push({ name: p('bn'), type: 'BatchNorm2d', kind: 'bn', inputShape: [N, 1, 1, G], outputShape: [N, 1, 1, G], params: 2 * G, affine: true });
  ops.push({ name: p('sigmoid_sqz'), type: cfg.activation === 'tanh' ? 'Tanh' : 'Sigmoid', kind: cfg.activation === 'tanh' ? 'tanh' : 'sigmoid', inputShape: [N, 1, 1, G], outputShape: [N, 1, 1, G], params: 0 });
  ops.push({ name: p('pix'), type: 'PiXOp', kind: 'pix', inputShape: [N, H, W, C], outputShape: [N, H, W, G], params: 0, zeta: cfg.zeta, reduce: cfg.reduce ?? 'pick-or-mix' });
  return ops;
}

/** Expected cost of one PiX module under a convention (for `flopsFor`), with a per-part breakdown. */
export function pixModuleCost(cfg: PixModuleConfig, c: Convention): FlopsCost {
  return costOfOps(pixModuleOps(cfg), c);
}

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

export interface DgcLayerConfig {
  /** Layer input [N,H,W,C]. */
  inputShape: Shape;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: number;
  heads?: number;
  squeezeRate?: number;
  gateFactor?: number;
}

/** Saliency hidden width: d = floor(C / s_eff), s_eff = floor(s/2) when C < 80, else s (dgc.md §1.2). */
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
 * Expected cost of one DGC layer. 'dgc': the repository's own formula (dgc.md §4.1), per image ×N:
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
