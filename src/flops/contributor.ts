// How custom modules (PiX, DGC, CHEX masked convs, ...) tell the FLOP counter what they cost. The counter prices a
// contributor as one unit with the shapes it saw and does not descend into its submodules.
import type { Module } from '../nn/module.js';
import type { Convention } from './conventions.js';
import type { Shape } from './ops.js';

export interface FlopsCost {
  /** Count in the convention's unit (one multiply-add = 1; see CONVENTION_INFO). May be fractional (DGC's gf·MACs). */
  macs: number;
  /** Optional named parts (e.g. {gap, conv_sqz, sigmoid, fusion}) shown by the report. */
  breakdown?: Record<string, number>;
  note?: string;
}

/**
 * Implemented by modules whose cost cannot be read off their leaves: custom ops (the PiX fusion op), and dynamic
 * layers, which report the **expected** cost of one call from their configuration (e.g. DGC's gate factor, CHEX's
 * kept channels), never a data-dependent count. It is a module's only cost method; modules whose leaves tell their
 * cost (SE, the PiX sampler) implement none. Typically the module lists its primitive ops and prices them:
 *
 *   class PiXOperator extends Module implements FlopsContributor {
 *     flopsFor(i, o, c) { return costOfOps([{ name: 'pix', kind: 'pix', inputShape: i, outputShape: o, zeta: this.zeta, ... }], c); }
 *   }
 */
export interface FlopsContributor {
  flopsFor(inputShape: Shape, outputShape: Shape, convention: Convention): FlopsCost;
}

export function isFlopsContributor(m: unknown): m is FlopsContributor {
  return typeof m === 'object' && m !== null && typeof (m as { flopsFor?: unknown }).flopsFor === 'function';
}

export type FlopsAdapter = (module: Module, inputShape: Shape, outputShape: Shape, convention: Convention) => FlopsCost;

const adapters: Array<{ match: (m: Module) => boolean; fn: FlopsAdapter }> = [];

/**
 * Prices modules of a class the caller cannot edit (an adapter acts as that class's flopsFor). `match` is a class
 * (instanceof) or a predicate. Later registrations win.
 */
export function registerFlopsAdapter(
  match: (abstract new (...args: never[]) => Module) | ((m: Module) => boolean),
  fn: FlopsAdapter,
): () => void {
  const isClass = typeof match === 'function' && match.prototype !== undefined && 'forward' in (match.prototype as object);
  const entry = {
    match: isClass ? (m: Module) => m instanceof (match as abstract new (...args: never[]) => Module) : (match as (m: Module) => boolean),
    fn,
  };
  adapters.unshift(entry);
  return () => {
    const i = adapters.indexOf(entry);
    if (i >= 0) adapters.splice(i, 1);
  };
}

/** The module's own flopsFor, else a registered adapter, else null. */
export function contributorFor(m: Module): ((i: Shape, o: Shape, c: Convention) => FlopsCost) | null {
  if (isFlopsContributor(m)) return (i, o, c) => m.flopsFor(i, o, c);
  for (const a of adapters) if (a.match(m)) return (i, o, c) => a.fn(m, i, o, c);
  return null;
}
