// Notebook helpers (tslab): a figure as inline Plotly HTML plus a PNG fallback (scripts do not run in untrusted or
// reopened notebooks, and committed notebooks keep the PNG only), HTML tables, and models back from training checkpoints. `display` is tslab's `display`.
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';
import { createModel } from '../zoo/index.js';
import type { Module } from '../nn/module.js';
import { loadCheckpointWeights, readTrainCheckpoint } from '../checkpoint/training.js';
import type { DataConfig } from '../train/config.js';
import { buildDatasets, evalTransform } from '../train/data.js';
import type { Figure } from './plot/figure.js';
import { figureHtml } from './plot/html.js';
import { FigureRenderer, type RenderOptions } from './plot/render.js';

export interface Display {
  html(s: string): void;
  png(b: Uint8Array): void;
}

let shared: Promise<FigureRenderer> | null = null;

/** One headless browser per process for notebook figures (closeFigureRenderer ends it). */
export function figureRenderer(): Promise<FigureRenderer> {
  shared ??= FigureRenderer.open().catch((e: unknown) => {
    shared = null;
    throw e;
  });
  return shared;
}

export async function closeFigureRenderer(): Promise<void> {
  const r = shared;
  shared = null;
  if (r) await (await r).close();
}

/**
 * Shows a figure: interactive HTML (plotly.js inlined) and its PNG fallback. CHANLAB_FIGURE_HTML=0 (set by
 * `npm run notebooks`, whose outputs are committed) shows the PNG only: the HTML carries ~5 MB of plotly.js.
 */
export async function showFigure(fig: Figure, display: Display, opts: RenderOptions & { html?: boolean } = {}): Promise<void> {
  const png = await (await figureRenderer()).render(fig, { ...opts, format: 'png' });
  const html = opts.html ?? process.env.CHANLAB_FIGURE_HTML !== '0';
  if (html) display.html(figureHtml(fig));
  display.png(png);
}

/** An HTML table of row objects (columns: the given ones, else every key in order of appearance). */
export function tableHtml(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const esc = (v: unknown) => String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cell = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : typeof v === 'boolean' ? (v ? '✓' : '✗') : esc(v));
  const head = cols.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A model rebuilt from a chanlab training checkpoint (its recorded model name and config), in eval mode. */
export function loadTrainedModel(checkpoint: string, which: 'model' | 'ema' = 'model'): Module {
  const ck = readTrainCheckpoint(resolve(checkpoint));
  if (!ck.state?.model) throw new Error(`checkpoint: ${checkpoint} does not record its model; build it with createModel and loadCheckpointWeights`);
  const model = createModel(ck.state.model, ck.state.modelConfig ?? {});
  loadCheckpointWeights(model, ck, which, ck.state.model);
  return model.eval();
}

/** Test images `indices` of a data config, transformed as for evaluation: x [N,H,W,C] float32 and their labels. */
export async function testBatch(data: DataConfig, indices: readonly number[], seed = 0): Promise<{ x: tf.Tensor4D; labels: number[] }> {
  const splits = buildDatasets(data, seed);
  const transform = evalTransform(data, splits);
  const rng = new Rng(seed);
  const samples = await Promise.all(indices.map(async (i) => splits.test.get(i)));
  const images = samples.map((s) => transform(s.image, rng));
  const { height, width, channels } = images[0]!;
  const flat = new Float32Array(images.length * height * width * channels);
  images.forEach((im, k) => flat.set(im.data, k * height * width * channels));
  return { x: tf.tensor4d(flat, [images.length, height, width, channels]), labels: samples.map((s) => s.label) };
}
