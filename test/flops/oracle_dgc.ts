// Test oracle: the DGC repository's networks (dydensenet and its static-1×1 baselines, dyresnet18; docs/methods/dgc.md
// §3.2–3.3) written down as op records from their configuration, DGC layers priced by dgcLayerCost. No DGC module
// exists in chanlab yet; when it does, its FLOP count on the real model is checked against these graphs.
import type { CapturedGraph } from '../../src/flops/counter.js';
import { dgcLayerCost, dgcLayerParams } from '../../src/flops/formulas.js';
import { outSize } from '../../src/flops/ops.js';
import { Builder, type NHWC } from './oracle_builder.js';

export interface DyDenseNetSpec {
  stages: number[];
  growth: number[];
  numClasses: number;
  /** 32 (CIFAR, stem stride 1, final pool 8) or 224 (ImageNet, stem stride 2, final pool 7). */
  input: 32 | 224;
  heads?: number;
  gateFactor?: number;
  squeezeRate?: number;
  bottleneck?: number;
  group3x3?: number;
  /** null: DGC 1×1 convs (dydensenet); a number: the static 1×1 conv with that many groups (plain DenseNet). */
  static1x1Groups?: number | null;
}

/** dydensenet (CondenseNet-style DenseNet with DGC 1×1 convs), docs/methods/dgc.md §3.2; or its static-1×1 baseline. */
export function dyDenseNetGraph(spec: DyDenseNetSpec): CapturedGraph {
  const imagenet = spec.input === 224;
  const x0: NHWC = [1, spec.input, spec.input, 3];
  const b = new Builder(x0);
  const bneck = spec.bottleneck ?? 4;
  const heads = spec.heads ?? 4;
  const gf = spec.gateFactor ?? 0.25;
  const sr = spec.squeezeRate ?? 16;
  b.conv('features.init_conv', 2 * spec.growth[0]!, 3, imagenet ? 2 : 1, 1);
  spec.stages.forEach((nl, bi) => {
    const g = spec.growth[bi]!;
    for (let j = 0; j < nl; j++) {
      const p = `features.denseblock_${bi + 1}.denselayer_${j + 1}`;
      const xin = b.x;
      const [n, h, w, C] = xin;
      if (spec.static1x1Groups == null) {
        const cfg = { inputShape: xin, outChannels: bneck * g, kernelSize: 1, heads, squeezeRate: sr, gateFactor: gf };
        b.custom(`${p}.conv_1`, 'DynamicMultiHeadConv', [n, h, w, bneck * g], dgcLayerParams(cfg), (i, _o, c) => dgcLayerCost({ ...cfg, inputShape: i }, c));
      } else {
        b.bn(`${p}.conv_1.norm`).relu(`${p}.conv_1.relu`).conv(`${p}.conv_1.conv`, bneck * g, 1, 1, 0, spec.static1x1Groups);
      }
      b.bn(`${p}.conv_2.norm`).relu(`${p}.conv_2.relu`).conv(`${p}.conv_2.conv`, g, 3, 1, 1, spec.group3x3 ?? 4);
      b.x = [n, h, w, C + g]; // concat (free)
    }
    if (bi < spec.stages.length - 1) b.pool(`features.transition_${bi + 1}`, 'avgpool', 2, 2);
  });
  b.bn('bn_last').relu('relu_last').pool('pool_last', 'avgpool', imagenet ? 7 : 8, 1);
  b.linear('classifier', spec.numClasses);
  return b.graph(x0);
}

export interface DyResNet18Spec {
  heads?: number;
  gateFactor?: number;
  squeezeRate?: number;
  numClasses?: number;
}

/** dyresnet18: torchvision ResNet-18 with every block conv (and the 1×1 downsample convs) a DGC layer, docs/methods/dgc.md §3.3. */
export function dyResNet18Graph(spec: DyResNet18Spec = {}): CapturedGraph {
  const x0: NHWC = [1, 224, 224, 3];
  const b = new Builder(x0);
  const heads = spec.heads ?? 4;
  const gf = spec.gateFactor ?? 0.45;
  const sr = spec.squeezeRate ?? 16;
  const dgc = (name: string, cout: number, k: number, stride: number, pad: number, from: NHWC) => {
    const cfg = { inputShape: from, outChannels: cout, kernelSize: k, stride, padding: pad, heads, squeezeRate: sr, gateFactor: gf };
    const out: NHWC = [from[0], outSize(from[1], k, stride, pad), outSize(from[2], k, stride, pad), cout];
    b.x = from;
    b.custom(name, 'DynamicMultiHeadConv', out, dgcLayerParams(cfg), (i, _o, c) => dgcLayerCost({ ...cfg, inputShape: i }, c));
  };
  b.conv('conv1', 64, 7, 2, 3).bn('bn1').relu('relu').pool('maxpool', 'maxpool', 3, 2, 1);
  let inplanes = 64;
  [64, 128, 256, 512].forEach((planes, s) => {
    for (let i = 0; i < 2; i++) {
      const st = i === 0 && s > 0 ? 2 : 1;
      const p = `layer${s + 1}.${i}`;
      const xin = b.x;
      dgc(`${p}.conv1`, planes, 3, st, 1, xin);
      b.bn(`${p}.bn1`).relu(`${p}.relu`);
      dgc(`${p}.conv2`, planes, 3, 1, 1, b.x);
      b.bn(`${p}.bn2`);
      if (i === 0 && s > 0) {
        const main = b.x;
        dgc(`${p}.downsample.0`, planes, 1, st, 0, xin);
        b.bn(`${p}.downsample.1.norm`);
        b.x = main;
      }
      b.add(`${p}.fn:Add`).relu(`${p}.relu#2`);
      inplanes = planes;
    }
  });
  void inplanes;
  b.gap('avgpool').linear('fc', spec.numClasses ?? 1000);
  return b.graph(x0);
}
