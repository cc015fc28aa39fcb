// Test oracle: torchvision ResNet and the official PiX-ResNet (channel squeezing, docs/methods/pix.md §5.1–5.3)
// written down as op records from their configuration, independently of src/models and src/methods/pix. The tests
// check the FLOP counter's rows on the real models against these.
import type { CapturedGraph } from '../../src/flops/counter.js';
import type { OpRecord, Shape } from '../../src/flops/ops.js';
import { Builder, type NHWC } from './oracle_builder.js';

export interface PixModuleConfig {
  /** Module input [N,H,W,C]. */
  inputShape: Shape;
  zeta: number;
  /** Output channels G; default ceil(C/ζ). */
  groups?: number;
  bias?: boolean;
}

/** A PiX module as primitive ops: GAP → 1×1 conv (C→G) on the pooled map → sigmoid → fusion op. */
export function pixModuleOps(cfg: PixModuleConfig, prefix = ''): OpRecord[] {
  const [N, H, W, C] = cfg.inputShape as [number, number, number, number];
  const G = cfg.groups ?? Math.ceil(C / cfg.zeta);
  const bias = cfg.bias ?? false;
  const p = (s: string) => (prefix ? `${prefix}.${s}` : s);
  return [
    { name: p('global_pool'), type: 'GAP', kind: 'gap', inputShape: [N, H, W, C], outputShape: [N, 1, 1, C], params: 0 },
    { name: p('conv_sqz'), type: 'Conv2d', kind: 'conv', inputShape: [N, 1, 1, C], outputShape: [N, 1, 1, G], params: C * G + (bias ? G : 0), inChannels: C, outChannels: G, kernel: [1, 1], groups: 1, bias },
    { name: p('sigmoid_sqz'), type: 'Sigmoid', kind: 'sigmoid', inputShape: [N, 1, 1, G], outputShape: [N, 1, 1, G], params: 0 },
    { name: p('pix'), type: 'PiXOp', kind: 'pix', inputShape: [N, H, W, C], outputShape: [N, H, W, G], params: 0, zeta: cfg.zeta, reduce: 'pick-or-mix' },
  ];
}

export interface ResNetSpec {
  block: 'basic' | 'bottleneck';
  layers: number[];
  /** Inner width per group as torchvision's width_per_group (64; 32 gives the PiX paper's "ζ=8" half-width ResNet-50). */
  widthPerGroup?: number;
  numClasses?: number;
  /** Square input side (224). */
  input?: number;
}

/** torchvision ResNet (v1.5) at batch 1, names as chanlab's ResNet (residual add + relu are functional there). */
export function resnetGraph(spec: ResNetSpec): CapturedGraph {
  const R = spec.input ?? 224;
  const x0: NHWC = [1, R, R, 3];
  const b = new Builder(x0);
  b.conv('conv1', 64, 7, 2, 3).bn('bn1').relu('relu').pool('maxpool', 'maxpool', 3, 2, 1);
  const widths = [64, 128, 256, 512];
  const exp = spec.block === 'basic' ? 1 : 4;
  const bw = spec.widthPerGroup ?? 64;
  let inplanes = 64;
  spec.layers.forEach((n, s) => {
    const planes = widths[s]!;
    for (let i = 0; i < n; i++) {
      const st = i === 0 && s > 0 ? 2 : 1;
      const p = `layer${s + 1}.${i}`;
      const xin = b.x;
      const needDown = i === 0 && (st !== 1 || inplanes !== planes * exp);
      if (spec.block === 'basic') {
        b.conv(`${p}.conv1`, planes, 3, st, 1).bn(`${p}.bn1`).relu(`${p}.relu`).conv(`${p}.conv2`, planes, 3, 1, 1).bn(`${p}.bn2`);
      } else {
        const width = Math.floor(planes * (bw / 64));
        b.conv(`${p}.conv1`, width, 1).bn(`${p}.bn1`).relu(`${p}.relu`)
          .conv(`${p}.conv2`, width, 3, st, 1).bn(`${p}.bn2`).relu(`${p}.relu#2`)
          .conv(`${p}.conv3`, planes * exp, 1).bn(`${p}.bn3`);
      }
      if (needDown) {
        const main = b.x;
        b.conv(`${p}.downsample.0`, planes * exp, 1, st, 0, 1, false, xin).bn(`${p}.downsample.1`);
        b.x = main;
      }
      b.add(`${p}.fn:Add`).relu(`${p}.fn:Relu`, true);
      inplanes = planes * exp;
    }
  });
  b.gap('avgpool').linear('fc', spec.numClasses ?? 1000);
  return b.graph(x0);
}

export interface PixResNetSpec {
  layers: number[];
  /** Squeeze factor of non-first blocks (4; the "ζ=8" half-width model uses 8). */
  zeta?: number;
  /** Inner widths; default 64/128/256/512 (ζ=4) — 32/64/128/256 for ζ=8 (docs/methods/pix.md §5.7). */
  widths?: number[];
  numClasses?: number;
  input?: number;
}

/** PiX-ResNet in channel-squeezing mode (docs/methods/pix.md §5.1–5.3): PiX replaces conv1/bn1/relu of every bottleneck. */
export function pixResnetGraph(spec: PixResNetSpec): CapturedGraph {
  const R = spec.input ?? 224;
  const zeta = spec.zeta ?? 4;
  const widths = spec.widths ?? (zeta === 8 ? [32, 64, 128, 256] : [64, 128, 256, 512]);
  const outs = [256, 512, 1024, 2048];
  const x0: NHWC = [1, R, R, 3];
  const b = new Builder(x0);
  b.conv('conv_stem', 64, 7, 2, 3).bn('bn_stem').relu('relu').pool('maxpool', 'maxpool', 3, 2, 1);
  let cin = 64;
  spec.layers.forEach((n, s) => {
    for (let i = 0; i < n; i++) {
      const p = `layer${s + 1}.blocks.${i}`;
      const G = widths[s]!;
      const z = i === 0 ? cin / G : zeta;
      if (!Number.isInteger(z)) throw new Error(`pixResnetGraph: block ${p} input ${cin} is not a multiple of width ${G}`);
      const st = i === 0 && s > 0 ? 2 : 1;
      const xin = b.x;
      for (const op of pixModuleOps({ inputShape: xin, zeta: z, groups: G, bias: false }, p)) b.op(op);
      b.conv(`${p}.conv_ce`, G, 3, st, 1).bn(`${p}.bn_ce`).relu(`${p}.relu`).conv(`${p}.conv_exp`, outs[s]!, 1).bn(`${p}.bn_exp`);
      if (i === 0) {
        const main = b.x;
        b.conv(`${p}.conv_proj`, outs[s]!, 1, st, 0, 1, false, xin).bn(`${p}.bn_proj`);
        b.x = main;
      }
      b.add(`${p}.fn:Add`).relu(`${p}.relu#2`);
      cin = outs[s]!;
    }
  });
  b.gap('gp');
  b.conv('classifier', spec.numClasses ?? 1000, 1, 1, 0, 1, true);
  return b.graph(x0);
}
