// Notebook helpers: the baseline-vs-PiX CAM grid, figures shown as HTML + PNG through a display, HTML tables, test
// batches transformed as for evaluation.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { decodePng } from '../../src/data/png.js';
import { createModel } from '../../src/zoo/index.js';
import { camComparison, closeFigureRenderer, showFigure, tableHtml, testBatch } from '../../src/viz/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(async () => {
  await closeFigureRenderer();
});

describe('notebook helpers', () => {
  it('camComparison: rows of input + one overlay per model; showFigure gives HTML and a non-blank PNG', async () => {
    const base = createModel('resnet8_small', { inChannels: 1 }).eval();
    const pixNet = createModel('pix_resnet20_small', { inChannels: 1, layers: [2, 2, 2] }).eval();
    const { x, labels } = await testBatch({ dataset: 'fashion_mnist', testLimit: 10 }, [0, 1, 2]);
    expect(x.shape).toEqual([3, 28, 28, 1]);
    expect(labels).toEqual([9, 2, 1]); // Fashion-MNIST t10k: ankle boot, pullover, trouser
    const fig = camComparison([{ label: 'ResNet-8', model: base, layer: 'layer3' }, { label: 'PiX', model: pixNet, layer: 'layer3' }], x, { target: labels, rowLabels: ['a', 'b', 'c'], zoom: 2 });
    expect(fig.data).toHaveLength(9);
    const first = decodePng(Buffer.from((fig.data[1]!.source as string).split(',')[1]!, 'base64'));
    expect([first.height, first.width]).toEqual([56, 56]);
    const shown: { html: string[]; png: Uint8Array[] } = { html: [], png: [] };
    await showFigure(fig, { html: (s) => shown.html.push(s), png: (b) => shown.png.push(b) });
    expect(shown.html[0]).toContain('Plotly.newPlot');
    const png = decodePng(shown.png[0]!);
    expect([png.width, png.height]).toEqual([3 * 180 + 140, 3 * 180 + 100]);
    expect(png.data.some((v) => v < 200)).toBe(true);
    expect(() => camComparison([], x)).toThrow(/models: expected at least one model/);
    expect(() => camComparison([{ label: 'b', model: base, layer: 'layer3' }], x, { zoom: 0 })).toThrow(/zoom: expected a positive integer/);
    tf.dispose(x);
    base.dispose();
    pixNet.dispose();
  });

  it('tableHtml escapes cells and formats numbers and booleans', () => {
    const html = tableHtml([{ model: '<b>', top1: 76.123, ok: true }, { model: 'x', extra: 3 }]);
    expect(html).toBe('<table><thead><tr><th>model</th><th>top1</th><th>ok</th><th>extra</th></tr></thead><tbody>' +
      '<tr><td>&lt;b&gt;</td><td>76.12</td><td>✓</td><td></td></tr><tr><td>x</td><td></td><td></td><td>3</td></tr></tbody></table>');
  });
});
