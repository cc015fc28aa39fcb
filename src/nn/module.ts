// A small PyTorch-like module system: named parameters, buffers and submodules in registration order,
// train/eval mode, forward hooks, and state dicts with PyTorch key names and tensor layouts.
import * as tf from '@tensorflow/tfjs-core';
import { Buffer, Parameter } from './parameter.js';

export type StateDict = Map<string, tf.Tensor>;

/** Called after forward; may return a replacement output. */
export type ForwardHook = (module: Module, input: tf.Tensor, output: tf.Tensor) => tf.Tensor | void;
/** Called before forward; may return a replacement input. */
export type ForwardPreHook = (module: Module, input: tf.Tensor) => tf.Tensor | void;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export interface LoadOptions {
  /** Require exactly the model's keys (default true), as PyTorch's `strict`. */
  strict?: boolean;
}

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Parameter | null>();
  private readonly buffers = new Map<string, { buffer: Buffer; persistent: boolean }>();
  private readonly modules = new Map<string, Module | null>();
  private readonly forwardHooks = new Map<number, ForwardHook>();
  private readonly preHooks = new Map<number, ForwardPreHook>();
  private static nextHookId = 0;

  /** The computation; input and output are NHWC (or [N, features]) tensors. */
  abstract forward(x: tf.Tensor): tf.Tensor;

  /** Runs pre-hooks, forward and forward hooks, like PyTorch's `module(x)`. */
  call(x: tf.Tensor): tf.Tensor {
    let input = x;
    for (const hook of this.preHooks.values()) input = hook(this, input) ?? input;
    let output = this.forward(input);
    for (const hook of this.forwardHooks.values()) output = hook(this, input, output) ?? output;
    return output;
  }

  /** Whether forward hooks or pre-hooks are registered here (fused fast paths step aside so that hooks see every call). */
  get hooked(): boolean {
    return this.forwardHooks.size > 0 || this.preHooks.size > 0;
  }

  /** The class name, used in summaries and FLOP counters. */
  get typeName(): string {
    return this.constructor.name;
  }

  // ---- registration -------------------------------------------------------------------------------------------

  protected registerParameter(name: string, p: Parameter | null): Parameter | null {
    checkName(name, this.typeName);
    this.params.set(name, p);
    return p;
  }

  protected addParameter(name: string, p: Parameter): Parameter {
    this.registerParameter(name, p);
    return p;
  }

  protected addBuffer(name: string, b: Buffer, persistent = true): Buffer {
    checkName(name, this.typeName);
    this.buffers.set(name, { buffer: b, persistent });
    return b;
  }

  /** Registers a submodule under `name` (PyTorch's attribute assignment) and returns it. */
  addModule<M extends Module>(name: string, m: M): M {
    checkName(name, this.typeName);
    this.modules.set(name, m);
    return m;
  }

  /** Replaces a registered submodule (e.g. swapping a layer for a pruned/dynamic one). */
  replaceModule<M extends Module>(name: string, m: M): M {
    if (!this.modules.has(name)) throw new Error(`replaceModule: ${this.typeName} has no submodule '${name}'`);
    this.modules.set(name, m);
    return m;
  }

  // ---- traversal ----------------------------------------------------------------------------------------------

  *namedChildren(): Generator<[string, Module]> {
    for (const [k, m] of this.modules) if (m) yield [k, m];
  }

  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  /** All modules, this one first, depth-first in registration order, with dotted names. */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  getModule(path: string): Module {
    let m: Module = this;
    if (path === '') return m;
    for (const part of path.split('.')) {
      const next = m.modules.get(part);
      if (!next) throw new Error(`getModule: no submodule '${path}' (missing '${part}' in ${m.typeName})`);
      m = next;
    }
    return m;
  }

  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    for (const [k, p] of this.params) if (p) yield [prefix ? `${prefix}.${k}` : k, p];
    for (const [k, m] of this.namedChildren()) yield* m.namedParameters(prefix ? `${prefix}.${k}` : k);
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Trainable tf.Variables (for optimizers and tf.variableGrads). */
  trainableVariables(): tf.Variable[] {
    return this.parameters().filter((p) => p.requiresGrad).map((p) => p.variable);
  }

  *namedBuffers(prefix = ''): Generator<[string, Buffer, boolean]> {
    for (const [k, b] of this.buffers) yield [prefix ? `${prefix}.${k}` : k, b.buffer, b.persistent];
    for (const [k, m] of this.namedChildren()) yield* m.namedBuffers(prefix ? `${prefix}.${k}` : k);
  }

  /** Number of parameter elements (PyTorch's `sum(p.numel() for p in m.parameters())`). */
  numParameters(trainableOnly = false): number {
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  // ---- mode ---------------------------------------------------------------------------------------------------

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every module (children first, as PyTorch's `apply`). */
  apply(fn: (m: Module, name: string) => void): this {
    const all = [...this.namedModules()].reverse();
    for (const [name, m] of all) fn(m, name);
    return this;
  }

  // ---- hooks --------------------------------------------------------------------------------------------------

  /** Returns a function that removes the hook. */
  registerForwardHook(hook: ForwardHook): () => void {
    const id = Module.nextHookId++;
    this.forwardHooks.set(id, hook);
    return () => this.forwardHooks.delete(id);
  }

  registerForwardPreHook(hook: ForwardPreHook): () => void {
    const id = Module.nextHookId++;
    this.preHooks.set(id, hook);
    return () => this.preHooks.delete(id);
  }

  // ---- state dict ---------------------------------------------------------------------------------------------

  /**
   * The state as PyTorch would save it: for each module its parameters, then its persistent buffers, then its
   * children, with dotted keys and PyTorch layouts. Integer buffers are int32 here (int64 in PyTorch).
   * The tensors are new: the caller disposes them.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    this.collectState('', out);
    return out;
  }

  private collectState(prefix: string, out: StateDict): void {
    const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
    for (const [k, p] of this.params) if (p) out.set(key(k), p.layout.toTorch(p.variable));
    for (const [k, { buffer, persistent }] of this.buffers) {
      if (persistent) out.set(key(k), buffer.layout.toTorch(buffer.variable));
    }
    for (const [k, m] of this.namedChildren()) m.collectState(key(k), out);
  }

  /** Keys and PyTorch shapes of the state dict, without materialising tensors. */
  stateShapes(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    const walk = (m: Module, prefix: string) => {
      const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
      for (const [k, p] of m.params) if (p) out.set(key(k), p.layout.torchShape(p.shape));
      for (const [k, { buffer, persistent }] of m.buffers) {
        if (persistent) out.set(key(k), buffer.layout.torchShape(buffer.shape));
      }
      for (const [k, c] of m.namedChildren()) walk(c, key(k));
    };
    walk(this, '');
    return out;
  }

  /**
   * Loads PyTorch-layout tensors by key. With `strict` (default), any missing, unexpected or mis-shaped key is an
   * error listing all of them; without it, mis-shaped keys are still errors and the rest are reported.
   */
  loadStateDict(sd: StateDict | Record<string, tf.Tensor>, opts: LoadOptions = {}): LoadResult {
    const strict = opts.strict ?? true;
    const given = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const targets = new Map<string, { slot: Parameter | Buffer; torchShape: number[] }>();
    for (const [k, p] of this.namedParameters()) targets.set(k, { slot: p, torchShape: p.layout.torchShape(p.shape) });
    for (const [k, b, persistent] of this.namedBuffers()) {
      if (persistent) targets.set(k, { slot: b, torchShape: b.layout.torchShape(b.shape) });
    }
    const missingKeys = [...targets.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !targets.has(k));
    const mismatched: string[] = [];
    for (const [k, t] of given) {
      const target = targets.get(k);
      if (target && !sameShape(t.shape, target.torchShape)) {
        mismatched.push(`  ${k}: checkpoint [${t.shape.join(',')}] vs model [${target.torchShape.join(',')}]`);
      }
    }
    if (mismatched.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
      throw new Error(describeLoadErrors(this.typeName, missingKeys, unexpectedKeys, mismatched));
    }
    for (const [k, t] of given) {
      const target = targets.get(k);
      if (!target) continue;
      const slot = target.slot;
      const converted = tf.tidy(() => {
        const v = slot.layout.fromTorch(t);
        return v.dtype === slot.variable.dtype ? v : tf.cast(v, slot.variable.dtype);
      });
      slot.assign(converted);
      converted.dispose();
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const [, p] of this.namedParameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function checkName(name: string, owner: string): void {
  if (!name || name.includes('.')) throw new Error(`${owner}: invalid member name '${name}' (non-empty, no dots)`);
}

function describeLoadErrors(model: string, missing: string[], unexpected: string[], mismatched: string[]): string {
  const lines = [`Error(s) in loading state dict for ${model}:`];
  const list = (title: string, keys: string[]) => {
    if (keys.length === 0) return;
    const shown = keys.slice(0, 20).map((k) => `  ${k}`);
    if (keys.length > 20) shown.push(`  … and ${keys.length - 20} more`);
    lines.push(`${title} (${keys.length}):`, ...shown);
  };
  list('Missing keys', missing);
  list('Unexpected keys', unexpected);
  if (mismatched.length) lines.push(`Size mismatch (${mismatched.length}):`, ...mismatched.slice(0, 20));
  return lines.join('\n');
}
