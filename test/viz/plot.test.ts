// Plotly figures rendered offline by Debian chromium (playwright-core): non-blank PNGs of the requested size, SVG
// text, the result-file reader behind `chanlab plot`, and a clear error when Chromium is missing.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { decodePng, encodePng } from '../../src/data/png.js';
import {
  ablationBars, accuracyVsFlops, barPanels, camGrid, chromiumPath, FigureRenderer, figureHtml, latencyBars, num, probabilityViolins,
  resultFigures, trainingCurves,
} from '../../src/viz/plot/index.js';

let dir: string;
let r: FigureRenderer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanlab-plot-'));
  r = await FigureRenderer.open();
});
afterAll(async () => {
  await r?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Fraction of pixels that are not white, and the number of distinct colours. */
function inked(png: Uint8Array): { width: number; height: number; ink: number; colours: number } {
  const img = decodePng(png);
  let ink = 0;
  const colours = new Set<number>();
  for (let i = 0; i < img.width * img.height; i++) {
    const [a, b, c] = [img.data[3 * i]!, img.data[3 * i + 1]!, img.data[3 * i + 2]!];
    if (a < 250 || b < 250 || c < 250) ink++;
    colours.add((a << 16) | (b << 8) | c);
  }
  return { width: img.width, height: img.height, ink: ink / (img.width * img.height), colours: colours.size };
}

describe('rendering', () => {
  it('every builder renders to a non-blank PNG of the requested size', async () => {
    const cam = encodePng({ data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 5) % 256), height: 16, width: 16, channels: 3 });
    const figs = [
      ablationBars([{ label: 'E0 sigmoid', mean: 76.1, std: 0.2 }, { label: 'E0 tanh', mean: 75.8, std: 0.3 }], 'E0'),
      accuracyVsFlops([{ label: 'R50', x: 4.1, y: 76.1, group: 'baseline' }, { label: 'PiX-R50', x: 3.2, y: 76.8, group: 'PiX' }]),
      trainingCurves([{ name: 'run', loss: [2, 1.2, 0.9], accuracy: [70, 80] }]),
      latencyBars([{ label: 'R50', value: 12, error: 1, series: 'wasm' }, { label: 'R50', value: 30, series: 'webgpu' }]),
      probabilityViolins(new Map([['layer1', Float32Array.from({ length: 300 }, (_, i) => (i % 17) / 17)]])),
      camGrid(['input', 'baseline', 'PiX'], [{ label: 'shirt', images: [cam, cam, cam] }]),
    ];
    for (const [i, f] of figs.entries()) {
      const png = await r.render(f, { width: 640, height: 400 });
      const s = inked(png);
      expect([s.width, s.height], `figure ${i}`).toEqual([640, 400]);
      expect(s.ink, `figure ${i}`).toBeGreaterThan(0.01);
      expect(s.colours, `figure ${i}`).toBeGreaterThan(8);
    }
    const big = inked(await r.render(figs[0]!, { width: 300, height: 200, scale: 2 }));
    expect([big.width, big.height]).toEqual([600, 400]);
    const svg = Buffer.from(await r.render(figs[1]!, { format: 'svg' })).toString('utf8');
    expect(svg).toMatch(/^<svg[^>]*width="800"/);
    expect(svg).toContain('PiX-R50');
    await expect(r.render(figs[0]!, { width: -1 })).rejects.toThrow(/width: expected a positive number, got -1/);
  });

  it('violins subsample large inputs at random, not with a stride that aliases with the channel layout', () => {
    const alternating = Float32Array.from({ length: 20_000 }, (_, i) => i % 2); // 0,1,0,1,…: mean 0.5
    const y = probabilityViolins(new Map([['s', alternating]]), 't', 1000).data[0]!.y as number[];
    expect(y).toHaveLength(1000);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
  });

  it('notebook HTML inlines plotly.js and the figure', () => {
    const html = figureHtml(ablationBars([{ label: 'a</script>', mean: 1 }], 't'));
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html).not.toContain('a</script>');
    expect(figureHtml(ablationBars([{ label: 'a', mean: 1 }], 't'), { includePlotly: false }).length).toBeLessThan(5000);
  });

  it('bar panels: one grid cell per panel, one colour and legend entry per series', () => {
    const fig = barPanels([
      { title: 'FLOPs (M)', rows: [{ label: 'a', value: 1, series: 'reproduced' }, { label: 'a', value: 2, series: 'paper' }] },
      { title: 'top-1 (%)', rows: [{ label: 'a', value: 70, error: 1, series: 'reproduced' }] },
      { title: 'latency (ms)', rows: [{ label: 'b', value: 3, series: 'paper' }] },
    ], 'Panels');
    expect(fig.data.map((t) => [t.name, t.xaxis, t.showlegend])).toEqual([
      ['paper', 'x', true], ['reproduced', 'x', true], ['reproduced', 'x2', false], ['paper', 'x3', false]]);
    expect(fig.data[0]!.marker).toEqual(fig.data[3]!.marker);
    expect(fig.layout.xaxis3).toMatchObject({ domain: [0, 0.46], anchor: 'y3' });
    expect(fig.layout.height).toBe(80 + 2 * 380);
    expect(() => barPanels([], 't')).toThrow(/panels: expected at least one panel/);
    expect(() => barPanels([{ title: 'x', rows: [] }], 't')).toThrow(/panels\[0\] \('x'\): expected at least one bar/);
    expect(() => barPanels([{ title: 'x', rows: [{ label: 'a', value: NaN }] }], 't')).toThrow(/panels\[0\].rows.value: expected finite numbers/);
    expect(() => barPanels([{ title: 'x', rows: [{ label: 'a', value: 1 }] }], 't', { columns: 0 })).toThrow(/columns: expected a positive integer, got 0/);
  });

  it('bad input to the builders names the parameter', () => {
    expect(() => ablationBars([{ label: 'a', mean: NaN }], 't')).toThrow(/rows.value: expected finite numbers, got NaN at index 0/);
    expect(() => trainingCurves([])).toThrow(/runs: expected at least one run/);
    expect(() => camGrid(['a', 'b'], [{ label: 'x', images: [new Uint8Array(1)] }])).toThrow(/row 'x' has 1 images, expected 2/);
  });
});

describe('Chromium missing', () => {
  it('says how to install it', async () => {
    const saved = process.env.CHANLAB_CHROMIUM;
    process.env.CHANLAB_CHROMIUM = '/nonexistent/chromium';
    try {
      expect(() => chromiumPath()).toThrow(/needs Chromium, not found at \/nonexistent\/chromium: install it with `sudo apt-get install chromium`/);
      await expect(FigureRenderer.open()).rejects.toThrow(/apt-get install chromium/);
    } finally {
      if (saved === undefined) delete process.env.CHANLAB_CHROMIUM;
      else process.env.CHANLAB_CHROMIUM = saved;
    }
  });
});

describe('result files', () => {
  const result = {
    id: 'demo', title: 'Demo', tier: 'quick', manifest: {},
    results: [
      { id: 'main', title: 'Main table', columns: ['model', 'family', 'gflops', 'top1', 'paper_top1', 'latency_ms'], rows: [
        { model: 'ResNet-50', family: 'baseline', gflops: 4.1, top1: 76.0, paper_top1: '76.1', latency_ms: 10 },
        { model: 'PiX-R50', family: 'PiX', gflops: 3.2, top1: 76.5, paper_top1: '76.8', latency_ms: 8 },
      ] },
      { id: 'ablation', title: 'E0', columns: ['variant', 'mean', 'std'], rows: [{ variant: 'sigmoid', mean: 75, std: 0.2 }, { variant: 'tanh', mean: 74.5, std: 0.3 }] },
      { id: 'text', title: 'no numbers', rows: [{ a: 'x' }] },
    ],
  };

  it('finds scatter, error bars, paper vs reproduced bars and SI-suffixed numbers', () => {
    const { figures } = resultFigures(result);
    expect(figures.map((f) => f.name)).toEqual(['main-acc-vs-flops', 'main-acc-vs-latency', 'main-top1', 'ablation-mean']);
    const paper = figures[2]!.figure.data;
    expect(paper.map((t) => t.name)).toEqual(['paper', 'reproduced']);
    expect(paper[0]!.y).toEqual([76.1, 76.8]);
    expect(figures[0]!.figure.data.map((t) => t.name)).toEqual(['baseline', 'PiX']);
    expect([num('25.5M'), num('1.03 G'), num('4.12B'), num('811 / 523'), num(true)]).toEqual([25.5e6, 1.03e9, 4.12e9, undefined, undefined]);
    expect(() => resultFigures(3)).toThrow(/result: expected a JSON object/);
  });

  it('training curves from the run directory metrics.jsonl', () => {
    const lines = [{ type: 'step', epoch: 0, step: 10, loss: 2 }, { type: 'step', epoch: 0, step: 20, loss: 1.5 }, { type: 'epoch', epoch: 0, step: 20, trainLoss: 1.7, testTop1: 71.5 }];
    const runDir = mkdtempSync(join(dir, 'run-'));
    writeFileSync(join(runDir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { figures } = resultFigures({ id: 'q', title: 'Quick', results: { model: 'resnet8_small', testTop1: 71.5, runDir } });
    expect(figures.map((f) => f.name)).toEqual(['q-training']);
    expect(figures[0]!.figure.data.map((t) => t.y)).toEqual([[2, 1.5], [71.5]]);
    const missing = resultFigures({ id: 'q', results: { runDir: join(dir, 'gone') } });
    expect(missing.notes.join('\n')).toMatch(/metrics.jsonl not found/);
  });

  it('chanlab plot writes the PNGs next to the result file', async () => {
    const file = join(dir, 'demo.json');
    writeFileSync(file, JSON.stringify(result));
    expect(await main(['plot', file, '--format', 'both'])).toBe(0);
    const written = readdirSync(dir).filter((f) => f.startsWith('demo.') && f !== 'demo.json').sort();
    expect(written).toEqual(['demo.ablation-mean.png', 'demo.ablation-mean.svg', 'demo.main-acc-vs-flops.png', 'demo.main-acc-vs-flops.svg',
      'demo.main-acc-vs-latency.png', 'demo.main-acc-vs-latency.svg', 'demo.main-top1.png', 'demo.main-top1.svg']);
    const s = inked(readFileSync(join(dir, 'demo.main-top1.png')));
    expect([s.width, s.height]).toEqual([800, 500]);
    expect(s.ink).toBeGreaterThan(0.01);
    await expect(main(['plot', join(dir, 'nope.json')])).rejects.toThrow(/plot: cannot read result file/);
  });
});
