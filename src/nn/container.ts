// Containers: Sequential (keys "0", "1", … or given names) and ModuleList.
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';

export class Sequential extends Module {
  private readonly order: Module[] = [];

  /** `new Sequential(a, b, c)` names children "0", "1", "2"; `Sequential.named({...})` keeps the given names. */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.append(m, String(i)));
  }

  static named(modules: Record<string, Module> | Array<[string, Module]>): Sequential {
    const s = new Sequential();
    for (const [k, m] of Array.isArray(modules) ? modules : Object.entries(modules)) s.append(m, k);
    return s;
  }

  append(m: Module, name = String(this.order.length)): this {
    this.addModule(name, m);
    this.order.push(m);
    return this;
  }

  get length(): number {
    return this.order.length;
  }

  at(i: number): Module {
    const m = this.order[i];
    if (!m) throw new Error(`Sequential: index ${i} out of range (length ${this.order.length})`);
    return m;
  }

  forward(x: tf.Tensor): tf.Tensor {
    let y = x;
    for (const m of this.order) y = m.call(y);
    return y;
  }
}

/** Holds modules under "0", "1", …; has no forward of its own. */
export class ModuleList extends Module {
  readonly items: Module[] = [];
  constructor(modules: Module[] = []) {
    super();
    for (const m of modules) this.push(m);
  }
  push(m: Module): this {
    this.addModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }
  forward(): tf.Tensor {
    throw new Error('ModuleList has no forward; iterate over .items');
  }
}
