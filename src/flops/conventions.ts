// Counting conventions of the three papers and the tools they used, as pricing rules over primitive op records.
//
// Every convention counts one fused multiply-add as 1 ("MACs"); all three papers call that number "FLOPs"
// (flopsPerMac = 1). `arithmeticFlops` = 2·MACs is reported alongside for readers who want multiply and add separately.
//
// Op coverage (N·H·W·C element counts; "in"/"out" = input/output tensor elements; k² = kernel area):
//
// | op            | 'macs'       | 'ptflops'            | 'torchprofile'  | 'chex'                 | 'dgc'                | 'pix-supplement' |
// |---------------|--------------|----------------------|-----------------|------------------------|----------------------|------------------|
// | conv          | MACs         | MACs + bias·out      | MACs            | MACs·nonzero + bias·out| MACs                 | MACs             |
// | linear        | N·in·out     | N·in·out + out(bias) | N·in·out        | N·(in·out + out)       | N·(in·out + out)     | N·in·out         |
// | batch norm    | 0            | 2·in (1·in if !affine)| out if affine  | 0                      | 0                    | 4·in             |
// | ReLU (+fn)    | 0            | in, every call       | 0               | 0                      | in, every call       | in               |
// | sigmoid       | 0            | 0 (no hook)          | 0               | 0                      | 0 (unknown layer)    | 4·in             |
// | tanh          | 0            | 0                    | 0               | 0                      | 0                    | 0 (not defined)  |
// | max-pool      | 0            | in                   | 0               | 0                      | N·C·Ho·Wo·k²         | 0                |
// | avg-pool      | 0            | in                   | out             | 0                      | N·C·Ho·Wo·k²         | in               |
// | GAP / mean    | 0            | in                   | out             | 0                      | in                   | in               |
// | add           | 0            | 0                    | 0               | 0                      | 0                    | 0                |
// | mul (gating)  | 0            | 0                    | out             | 0                      | 0                    | out              |
// | PiX fusion op | 0            | 0 (no hook)          | 0 (unhandled)   | 0                      | 0                    | (ζ−1)·G·H·W·N ×passes|
// | dropout, reshape, concat, flatten | 0 everywhere                                                                |
// | custom module | its FlopsContributor.flopsFor(…, convention) (the counter does not descend into it)           |
//
// Sources: 'ptflops' = sovrasov/flops-counter.pytorch module hooks (pytorch backend), docs/methods/pix.md §5.7;
// 'torchprofile' = mit-han-lab torchprofile as printed by the PiX code (main.py, test_latency.py), docs/methods/pix.md §5.7/§7.5;
// 'chex' = compute_flops.py with multiply_adds=False as called by the CHEX code, docs/methods/chex.md §6.1 ("GFLOPs" are G-MACs);
// 'dgc' = the CondenseNet-style measure_model of the DGC repository, docs/methods/dgc.md §4.1 (DGC layers priced by their own
// formula through FlopsContributor); 'pix-supplement' = the PiX supplement's Eqs. 1–6 applied network-wide,
// docs/methods/pix.md §3.5/§5.7 (the p-multiplication inside PiX is not counted); 'macs' = conv + fc weight MACs only.
// Functional ops (tf.relu/tf.add called between module calls, e.g. a ResNet block's `relu(x + identity)`) are priced
// like the module the PyTorch reference uses at that place (torchvision calls its `self.relu` module there).
import { convMacs, linearMacs, numel, type OpRecord } from './ops.js';

export const CONVENTIONS = ['macs', 'ptflops', 'torchprofile', 'chex', 'dgc', 'pix-supplement'] as const;
export type Convention = (typeof CONVENTIONS)[number];

export interface ConventionInfo {
  name: Convention;
  /** What the papers call "FLOPs" per counted unit (1: one multiply-add is one FLOP). */
  flopsPerMac: number;
  /** The paper/tool whose definition this is, and what it names the number. */
  definition: string;
}

export const CONVENTION_INFO: Record<Convention, ConventionInfo> = {
  macs: { name: 'macs', flopsPerMac: 1, definition: 'conv + fc weight multiply-accumulates only (docs/methods/pix.md §5.7 "conv+fc MACs")' },
  ptflops: { name: 'ptflops', flopsPerMac: 1, definition: 'ptflops "MACs" (module hooks); printed as FLOPs in PiX Table 1' },
  torchprofile: { name: 'torchprofile', flopsPerMac: 1, definition: 'torchprofile MACs; printed as "flops (G)" by the PiX code' },
  chex: { name: 'chex', flopsPerMac: 1, definition: 'CHEX compute_flops.py, multiply_adds=False; printed as "GFLOPs" (really G-MACs)' },
  dgc: { name: 'dgc', flopsPerMac: 1, definition: 'DGC measure_model "FLOPs" (one multiply-add = 1)' },
  'pix-supplement': { name: 'pix-supplement', flopsPerMac: 1, definition: 'PiX supplement Eqs. 1–6 "FLOPs" (one FMA = 1)' },
};

export function checkConvention(c: string, where = 'convention'): Convention {
  if (!(CONVENTIONS as readonly string[]).includes(c)) {
    throw new Error(`${where}: expected one of ${CONVENTIONS.join(', ')}, got '${c}'`);
  }
  return c as Convention;
}

/** The count of one primitive op under a convention (in the convention's unit, see CONVENTION_INFO). */
export function priceOp(op: OpRecord, c: Convention): number {
  const inEl = numel(op.inputShape);
  const outEl = numel(op.outputShape);
  switch (op.kind) {
    case 'conv': {
      const macs = convMacs(op);
      const biasOps = op.bias ? outEl : 0;
      if (c === 'ptflops') return macs + biasOps;
      if (c === 'chex') return macs * (op.nonzeroFraction ?? 1) + biasOps;
      return macs; // macs, torchprofile, dgc, pix-supplement
    }
    case 'linear': {
      const macs = linearMacs(op);
      const out = op.outChannels ?? (op.outputShape[op.outputShape.length - 1] as number);
      const rows = outEl / out;
      if (c === 'ptflops') return macs + (op.bias ? out : 0); // ptflops adds the bias once, not per row
      if (c === 'chex' || c === 'dgc') return macs + (op.bias ? rows * out : 0);
      return macs;
    }
    case 'bn':
      if (c === 'ptflops') return (op.affine ?? true) ? 2 * inEl : inEl;
      if (c === 'torchprofile') return (op.affine ?? true) ? outEl : 0;
      if (c === 'pix-supplement') return 4 * inEl;
      return 0;
    case 'relu':
      return c === 'ptflops' || c === 'dgc' || c === 'pix-supplement' ? inEl : 0;
    case 'sigmoid':
      return c === 'pix-supplement' ? 4 * inEl : 0;
    case 'tanh':
      return 0;
    case 'maxpool':
      if (c === 'ptflops') return inEl;
      if (c === 'dgc') return outEl * kernelArea(op);
      return 0;
    case 'avgpool':
      if (c === 'ptflops' || c === 'pix-supplement') return inEl;
      if (c === 'torchprofile') return outEl;
      if (c === 'dgc') return outEl * kernelArea(op);
      return 0;
    case 'gap':
      if (c === 'ptflops' || c === 'dgc' || c === 'pix-supplement') return inEl;
      if (c === 'torchprofile') return outEl;
      return 0;
    case 'mul':
      return c === 'torchprofile' || c === 'pix-supplement' ? outEl : 0;
    case 'pix': {
      if (c !== 'pix-supplement') return 0;
      const zeta = op.zeta ?? Math.round((op.inputShape[3] as number) / (op.outputShape[3] as number));
      const passes = op.reduce === 'w-pix' ? 2 : 1;
      return passes * (zeta - 1) * outEl;
    }
    case 'add':
    case 'none':
    case 'other':
      return 0;
  }
}

function kernelArea(op: OpRecord): number {
  if (!op.kernel) {
    throw new Error(`priceOp: pooling record '${op.name}' has no kernel size (needed by the 'dgc' convention)`);
  }
  return op.kernel[0] * op.kernel[1];
}

/** Sum of `priceOp` over records. */
export function priceOps(ops: readonly OpRecord[], c: Convention): number {
  let s = 0;
  for (const op of ops) s += priceOp(op, c);
  return s;
}
