// Analytic graph builders: the op records a forward pass would capture, written down from a configuration. They
// price exactly like a captured model (priceGraph) and serve (1) models that do not exist as chanlab modules yet
// (PiX-ResNet before src/methods/pix lands, DGC DenseNet/ResNet-18, specs pix.md §5.3 and dgc.md §3), and (2) fast
// large tables; the tests cross-check them against captured torchvision models.
import type { Convention } from './conventions.js';
import type { CapturedGraph, CapturedItem } from './counter.js';
import { dgcLayerCost, dgcLayerParams, pixModuleOps } from './formulas.js';
import { outSize, type OpRecord, type Shape } from './ops.js';

type NHWC = [number, number, number, number];

/** Accumulates records in execution order; `x` is the current activation shape. */
class Builder {
  readonly items: CapturedItem[] = [];
  constructor(public x: NHWC) {}

  op(rec: OpRecord): this {
    this.items.push({ tag: 'op', op: rec });
    this.x = [...rec.outputShape] as NHWC;
    return this;
  }

  conv(name: string, cout: number, k: number, s = 1, p = 0, groups = 1, bias = false, from: NHWC = this.x): this {
    const [n, h, w, cin] = from;
    const out: NHWC = [n, outSize(h, k, s, p), outSize(w, k, s, p), cout];
    return this.op({ name, type: 'Conv2d', kind: 'conv', inputShape: from, outputShape: out, params: cout * (cin / groups) * k * k + (bias ? cout : 0), inChannels: cin, outChannels: cout, kernel: [k, k], groups, bias, stride: [s, s], padding: [p, p] });
  }

  bn(name: string): this {
    return this.op({ name, type: 'BatchNorm2d', kind: 'bn', inputShape: this.x, outputShape: this.x, params: 2 * this.x[3], affine: true });
  }

  relu(name: string, functional = false): this {
    return this.op({ name, type: functional ? 'fn:Relu' : 'ReLU', kind: 'relu', inputShape: this.x, outputShape: this.x, params: 0, ...(functional ? { functional } : {}) });
  }

  add(name: string): this {
    return this.op({ name, type: 'fn:Add', kind: 'add', inputShape: this.x, outputShape: this.x, params: 0, functional: true });
  }

  pool(name: string, kind: 'maxpool' | 'avgpool', k: number, s: number, p = 0): this {
    const [n, h, w, c] = this.x;
    const out: NHWC = [n, outSize(h, k, s, p), outSize(w, k, s, p), c];
    return this.op({ name, type: kind === 'maxpool' ? 'MaxPool2d' : 'AvgPool2d', kind, inputShape: this.x, outputShape: out, params: 0, kernel: [k, k], stride: [s, s], padding: [p, p] });
  }

  gap(name: string): this {
    const [n, , , c] = this.x;
    return this.op({ name, type: 'AdaptiveAvgPool2d', kind: 'gap', inputShape: this.x, outputShape: [n, 1, 1, c], params: 0 });
  }

  linear(name: string, out: number, bias = true): this {
    const [n, , , c] = this.x;
    this.items.push({ tag: 'op', op: { name, type: 'Linear', kind: 'linear', inputShape: [n, c], outputShape: [n, out], params: c * out + (bias ? out : 0), inChannels: c, outChannels: out, bias } });
    this.x = [n, 1, 1, out];
    return this;
  }

  custom(name: string, type: string, out: NHWC, params: number, cost: (i: Shape, o: Shape, c: Convention) => ReturnType<typeof dgcLayerCost>): this {
    this.items.push({ tag: 'contrib', name, type, inputShape: [...this.x], outputShape: [...out], params, cost });
    this.x = out;
    return this;
  }

  graph(inputShape: NHWC): CapturedGraph {
    let params = 0;
    for (const it of this.items) params += it.tag === 'op' ? it.op.params : it.params;
    return { inputShape: [...inputShape], items: this.items, params };
  }
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
  /** Inner widths; default 64/128/256/512 (ζ=4) — 32/64/128/256 for ζ=8 (pix.md §5.7). */
  widths?: number[];
  numClasses?: number;
  input?: number;
}

/** PiX-ResNet in channel-squeezing mode (pix.md §5.1–5.3): PiX replaces conv1/bn1/relu of every bottleneck. */
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

/** dydensenet (CondenseNet-style DenseNet with DGC 1×1 convs), dgc.md §3.2; or its static-1×1 baseline. */
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

/** dyresnet18: torchvision ResNet-18 with every block conv (and the 1×1 downsample convs) a DGC layer, dgc.md §3.3. */
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
