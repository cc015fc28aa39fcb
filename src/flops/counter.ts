// countFlops(model, {inputShape, convention}): one eval-mode forward pass on zeros (inside tf.tidy, under
// tf.profile so that functional kernels are visible), forward (pre-)hooks on leaf modules, contributors and
// containers for shape capture, then pricing by a counting convention (see conventions.ts for the op table).
//
//   leaf module of a known class (Conv2d, Linear, BatchNorm2d, ReLU, pools, ...) -> one row priced by its kind
//   FlopsContributor (or adapter)  -> one row from flopsFor(input, output, convention); submodules not visited
//   unknown leaf module            -> rows for the kernels it ran (kernels.ts), typed `<Class>/fn:<Kernel>`
//   kernels run by a container itself (residual add + relu of a ResNet block) -> functional rows `fn:<Kernel>`
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, Identity, ReLU, Sigmoid, Tanh } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout, Dropout2d } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { contributorFor, type FlopsCost } from './contributor.js';
import { CONVENTION_INFO, checkConvention, priceOp, type Convention } from './conventions.js';
import { kernelToOp, type KernelEvent } from './kernels.js';
import { numel, type OpRecord, type Shape } from './ops.js';

export interface FlopsRow {
  name: string;
  type: string;
  kind: string;
  inputShape: number[];
  outputShape: number[];
  /** Count in the convention's unit (one multiply-add = 1). */
  macs: number;
  /** What the convention's paper calls FLOPs (= macs · flopsPerMac; 1 for all conventions here). */
  flops: number;
  params: number;
  functional?: boolean;
  breakdown?: Record<string, number>;
  note?: string;
}

export interface FlopsResult {
  convention: Convention;
  definition: string;
  inputShape: number[];
  rows: FlopsRow[];
  totals: {
    macs: number;
    flops: number;
    /** 2·macs: multiplies and adds counted separately. */
    arithmeticFlops: number;
    /** All learnable parameter elements of the model (PyTorch's sum of numel). */
    params: number;
    /** Output elements summed over rows (activation memory proxy). */
    activations: number;
  };
  /** Kernel types that ran but that no convention prices (counted 0); empty for the built-in models. */
  uncounted: string[];
}

export interface CountOptions {
  /** [N, H, W, C]; default [1, 224, 224, 3]. */
  inputShape?: number[];
  convention?: Convention;
}

/** A captured forward pass: primitive records plus contributor calls, priceable under any convention. */
export interface CapturedGraph {
  inputShape: number[];
  items: CapturedItem[];
  params: number;
}

export type CapturedItem =
  | { tag: 'op'; op: OpRecord }
  | {
      tag: 'contrib';
      name: string;
      type: string;
      inputShape: number[];
      outputShape: number[];
      params: number;
      cost: (i: Shape, o: Shape, c: Convention) => FlopsCost;
    };

interface Call {
  name: string;
  module: Module;
  role: 'leaf' | 'contrib' | 'container';
  start: number;
  end: number;
  inputShape: number[];
  outputShape: number[];
  seq: number;
}

function checkInputShape(s: number[] | undefined): number[] {
  const shape = s ?? [1, 224, 224, 3];
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`countFlops: inputShape must be positive integers [N,H,W,C], got ${JSON.stringify(s)}`);
  }
  return [...shape];
}

/** Runs the forward pass and records what ran. `countZeros` reads conv weights for CHEX's zero-fraction rule. */
export async function captureGraph(model: Module, opts: { inputShape?: number[]; countZeros?: boolean } = {}): Promise<CapturedGraph> {
  const inputShape = checkInputShape(opts.inputShape);
  const calls: Call[] = [];
  const removers: Array<() => void> = [];
  const kernelCount = () => tf.engine().state.activeProfile.kernels.length;
  const stack: Call[] = [];
  let seq = 0;
  const attach = (name: string, m: Module, role: Call['role']) => {
    removers.push(m.registerForwardPreHook((mod, input) => {
      const call: Call = { name, module: mod, role, start: kernelCount(), end: -1, inputShape: [...input.shape], outputShape: [], seq: seq++ };
      calls.push(call);
      stack.push(call);
    }));
    removers.push(m.registerForwardHook((_mod, _input, output) => {
      const call = stack.pop();
      if (!call || call.module !== m) throw new Error(`countFlops: unbalanced forward hooks at '${name}'`);
      call.end = kernelCount();
      call.outputShape = [...output.shape];
    }));
  };
  const visit = (name: string, m: Module) => {
    const kids = [...m.namedChildren()];
    if (contributorFor(m)) attach(name, m, 'contrib');
    else if (kids.length === 0) attach(name, m, 'leaf');
    else {
      attach(name, m, 'container');
      for (const [k, c] of kids) visit(name ? `${name}.${k}` : k, c);
    }
  };
  visit('', model);

  const wasTraining = new Map<Module, boolean>();
  for (const [, m] of model.namedModules()) wasTraining.set(m, m.training);
  model.eval();
  let kernels: KernelEvent[];
  const x = tf.zeros(inputShape);
  try {
    const info = await tf.profile(() => tf.tidy(() => model.call(x)));
    kernels = info.kernels.map((k) => ({ name: k.name, inputShapes: k.inputShapes as Array<Shape | null>, outputShapes: k.outputShapes as Shape[] }));
    tf.dispose(info.result);
  } finally {
    x.dispose();
    for (const r of removers) r();
    for (const [m, t] of wasTraining) m.training = t;
  }

  // Each kernel belongs to the innermost call containing it (calls are in pre-order, so later ones are deeper).
  const owner = new Array<Call | null>(kernels.length).fill(null);
  for (const c of calls) for (let i = c.start; i < c.end; i++) owner[i] = c;

  type Pos = { pos: number; seq: number; item: CapturedItem };
  const out: Pos[] = [];
  const seen = new Map<string, number>();
  const unique = (name: string) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  };
  for (const c of calls) {
    if (c.role === 'container') continue;
    const name = unique(c.name || '(model)');
    const params = c.module.numParameters();
    if (c.role === 'contrib') {
      out.push({ pos: c.start, seq: c.seq, item: { tag: 'contrib', name, type: c.module.typeName, inputShape: c.inputShape, outputShape: c.outputShape, params, cost: contributorFor(c.module)! } });
      continue;
    }
    const rec = leafRecord(c, name, params, opts.countZeros ?? false);
    if (rec) {
      out.push({ pos: c.start, seq: c.seq, item: { tag: 'op', op: rec } });
      continue;
    }
    // Unknown leaf: its kernels, parameters on the first row.
    let first = true;
    for (let i = c.start; i < c.end; i++) {
      if (owner[i] !== c) continue;
      const op = kernelToOp(kernels[i]!, `${name}.fn:${kernels[i]!.name}`);
      if (!op) continue;
      op.type = `${c.module.typeName}/${op.type}`;
      op.functional = false;
      if (first) op.params = params;
      first = false;
      out.push({ pos: i, seq: c.seq, item: { tag: 'op', op } });
    }
    if (first && params > 0) {
      out.push({ pos: c.start, seq: c.seq, item: { tag: 'op', op: { name, type: c.module.typeName, kind: 'none', inputShape: c.inputShape, outputShape: c.outputShape, params } } });
    }
  }
  // Kernels run by containers themselves.
  kernels.forEach((k, i) => {
    const c = owner[i];
    if (!c || c.role !== 'container') return;
    const op = kernelToOp(k, unique(`${c.name || '(model)'}.fn:${k.name}`));
    if (op) out.push({ pos: i, seq: c.seq, item: { tag: 'op', op } });
  });
  out.sort((a, b) => a.pos - b.pos || a.seq - b.seq);
  return { inputShape, items: out.map((p) => p.item), params: model.numParameters() };
}

function leafRecord(c: Call, name: string, params: number, countZeros: boolean): OpRecord | null {
  const m = c.module;
  const base = { name, type: m.typeName, inputShape: c.inputShape, outputShape: c.outputShape, params };
  if (m instanceof Conv2d) {
    let nonzeroFraction = 1;
    if (countZeros) {
      const w = m.weight.variable.dataSync();
      let nz = 0;
      for (let i = 0; i < w.length; i++) if (w[i] !== 0) nz++;
      nonzeroFraction = nz / w.length;
    }
    return { ...base, kind: 'conv', inChannels: m.inChannels, outChannels: m.outChannels, kernel: m.kernelSize, groups: m.groups, bias: m.bias !== null, stride: m.stride, nonzeroFraction };
  }
  if (m instanceof Linear) return { ...base, kind: 'linear', inChannels: m.inFeatures, outChannels: m.outFeatures, bias: m.bias !== null };
  if (m instanceof BatchNorm2d) return { ...base, kind: 'bn', affine: m.weight !== null };
  if (m instanceof ReLU) return { ...base, kind: 'relu' };
  if (m instanceof Sigmoid) return { ...base, kind: 'sigmoid' };
  if (m instanceof Tanh) return { ...base, kind: 'tanh' };
  if (m instanceof MaxPool2d) return { ...base, kind: 'maxpool', kernel: m.kernelSize, stride: m.stride, padding: m.padding };
  if (m instanceof AvgPool2d) return { ...base, kind: 'avgpool', kernel: m.kernelSize, stride: m.stride, padding: m.padding };
  if (m instanceof AdaptiveAvgPool2d) return { ...base, kind: 'gap' };
  if (m instanceof Dropout || m instanceof Dropout2d || m instanceof Identity || m instanceof Flatten) return { ...base, kind: 'none' };
  return null;
}

/** Prices a captured graph under one convention. */
export function priceGraph(g: CapturedGraph, convention: Convention): FlopsResult {
  const c = checkConvention(convention);
  const k = CONVENTION_INFO[c].flopsPerMac;
  const rows: FlopsRow[] = [];
  const uncounted = new Set<string>();
  for (const item of g.items) {
    if (item.tag === 'op') {
      const op = item.op;
      const macs = priceOp(op, c);
      if (op.kind === 'other') uncounted.add(op.type);
      rows.push({
        name: op.name, type: op.type, kind: op.kind, inputShape: [...op.inputShape], outputShape: [...op.outputShape],
        macs, flops: macs * k, params: op.params, ...(op.functional ? { functional: true } : {}),
      });
    } else {
      const cost = item.cost(item.inputShape, item.outputShape, c);
      rows.push({
        name: item.name, type: item.type, kind: 'custom', inputShape: item.inputShape, outputShape: item.outputShape,
        macs: cost.macs, flops: cost.macs * k, params: item.params,
        ...(cost.breakdown ? { breakdown: cost.breakdown } : {}), ...(cost.note ? { note: cost.note } : {}),
      });
    }
  }
  let macs = 0;
  let activations = 0;
  for (const r of rows) {
    macs += r.macs;
    activations += numel(r.outputShape);
  }
  return {
    convention: c, definition: CONVENTION_INFO[c].definition, inputShape: g.inputShape, rows,
    totals: { macs, flops: macs * k, arithmeticFlops: 2 * macs, params: g.params, activations },
    uncounted: [...uncounted].sort(),
  };
}

/** FLOPs of `model` for one input under one convention (default 'ptflops'). */
export async function countFlops(model: Module, opts: CountOptions = {}): Promise<FlopsResult> {
  const convention = checkConvention(opts.convention ?? 'ptflops');
  const g = await captureGraph(model, { inputShape: opts.inputShape, countZeros: convention === 'chex' });
  return priceGraph(g, convention);
}

/** One forward pass, several conventions. */
export async function countFlopsMany(model: Module, conventions: readonly Convention[], opts: { inputShape?: number[] } = {}): Promise<Map<Convention, FlopsResult>> {
  const cs = conventions.map((c) => checkConvention(c));
  const g = await captureGraph(model, { inputShape: opts.inputShape, countZeros: cs.includes('chex') });
  return new Map(cs.map((c) => [c, priceGraph(g, c)]));
}
