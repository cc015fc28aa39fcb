// Test oracle support: writes down, from a configuration, the op records a forward pass would capture, so that the
// FLOP counter's result on a real model can be checked against an independent description of its structure.
import type { FlopsCost } from '../../src/flops/contributor.js';
import type { Convention } from '../../src/flops/conventions.js';
import type { CapturedGraph, CapturedItem } from '../../src/flops/counter.js';
import { outSize, type OpRecord, type Shape } from '../../src/flops/ops.js';

export type NHWC = [number, number, number, number];

/** Accumulates records in execution order; `x` is the current activation shape. */
export class Builder {
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

  custom(name: string, type: string, out: NHWC, params: number, cost: (i: Shape, o: Shape, c: Convention) => FlopsCost): this {
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
