// Kernel names and attributes of the PiX (Pick-or-Mix) operator, shared by the op, the gradient and every backend.
//
// ChanlabPix:      inputs {x: [N,H,W,C], p: [N,G] | [N,1,1,G]}      -> y: [N,H,W,G]
// ChanlabPixGrad:  inputs {x, p, dy: [N,H,W,G]}                     -> [dx: x's shape, dp: p's shape]
// (p is read flat at n*G + g, so both of its accepted shapes go to the kernels unchanged)
// with G = ceil(C/zeta) and channel c = g*zeta + j on the last axis (docs/methods/pix.md §1.1, §1.8).

/** Forward kernel name. */
export const ChanlabPix = 'ChanlabPix';
/** Backward kernel name (dx and dp in one pass over x and dy). */
export const ChanlabPixGrad = 'ChanlabPixGrad';

/**
 * How a channel subset is reduced; every branch is multiplied by p.
 * - 'pick-or-mix': p < tau -> p*max, else (p*sum)/divisor (official kernel; p == tau and NaN p take avg).
 * - 'max' | 'avg' | 'min': always that branch, still scaled by p (supplement Table 2, E3; 'min' flagged inferred).
 * - 'w-pix': p*max + (1-p)*avg. ⚠ Inferred from the supplement's FLOP count only (docs/methods/pix.md §4).
 */
export const PIX_REDUCTIONS = ['pick-or-mix', 'max', 'avg', 'min', 'w-pix'] as const;
export type PixReduce = (typeof PIX_REDUCTIONS)[number];

/** 'zeta': the official kernel divides by zeta even in a clamped last group; 'groupSize': true mean over r channels. */
export const PIX_AVG_DIVISORS = ['zeta', 'groupSize'] as const;
export type PixAvgDivisor = (typeof PIX_AVG_DIVISORS)[number];

/** Attributes carried by both kernels; direct engine().runKernel callers must pass all of them (pixAttrs() builds them). */
export interface PixAttrs {
  zeta: number;
  tau: number;
  reduce: PixReduce;
  avgDivisor: PixAvgDivisor;
  /** cpu/wasm kernels scan p for NaN (cheap: N*G values) and throw when true. */
  checkNaN: boolean;
}

/**
 * The PiX gate (docs/methods/pix.md §3): p = act(GAP(x)·W + b), the sampling probabilities of a PiX module in one kernel.
 * ChanlabPixGate: inputs {x: [N,H,W,C], weight: [1,1,C,G], bias?: [G]} -> p: [N,1,1,G]. Its gradient is made of
 * stock ops (gate_gradient.ts), so a backend needs only the forward kernel.
 */
export const ChanlabPixGate = 'ChanlabPixGate';

/** The gate's activation: 'sigmoid', or 'tanh' = 0.5·(1 + tanh(a)) (E0). */
export const PIX_GATE_ACTIVATIONS = ['sigmoid', 'tanh'] as const;
export type PixGateActivation = (typeof PIX_GATE_ACTIVATIONS)[number];

export interface PixGateAttrs {
  activation: PixGateActivation;
}

/** float32 lowest finite value: the max sentinel of the official kernel (not -Infinity). */
export const PIX_LOWEST = -3.4028234663852886e38;
