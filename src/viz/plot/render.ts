// Offline PNG/SVG export of Plotly figures through a headless Chromium driven by playwright-core. Every network
// request is aborted: the page gets plotly.js inline. One browser serves many figures (~2.5 s to start, ~0.1 s per
// further figure).
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_SIZE, type Figure } from './figure.js';
import { plotlySource } from './plotly_source.js';

export type ImageFormat = 'png' | 'svg';

export interface RenderOptions {
  format?: ImageFormat;
  /** CSS pixels; default the figure layout's width/height, else 800×500. */
  width?: number;
  height?: number;
  /** Device-pixel scale of a PNG (default 1: PNG size = width×height). */
  scale?: number;
}

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** The Chromium binary: $CHANLAB_CHROMIUM, else /usr/bin/chromium; a clear error saying how to install it. */
export function chromiumPath(): string {
  const env = process.env.CHANLAB_CHROMIUM;
  const candidates = env ? [env] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`PNG/SVG export needs Chromium, not found at ${candidates.join(' or ')}: install it with ` +
    '`sudo apt-get install chromium` (Debian; scripts/setup-system.sh does it) or set CHANLAB_CHROMIUM=/path/to/chromium');
}

const DRAW = `async ({ fig, format, width, height, scale }) => {
  const gd = document.getElementById('plot');
  await Plotly.newPlot(gd, fig.data, Object.assign({}, fig.layout, { width, height }), { staticPlot: true });
  const url = await Plotly.toImage(gd, { format, width, height, scale });
  Plotly.purge(gd);
  return url;
}`;

export class FigureRenderer {
  private constructor(private readonly browser: Browser, private readonly page: Page) {}

  static async open(): Promise<FigureRenderer> {
    const executablePath = chromiumPath();
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
    try {
      const page = await browser.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent('<!doctype html><html><body style="margin:0"><div id="plot"></div></body></html>');
      await page.addScriptTag({ content: plotlySource() });
      return new FigureRenderer(browser, page);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /** PNG bytes or SVG text (as UTF-8 bytes) of a figure. */
  async render(fig: Figure, opts: RenderOptions = {}): Promise<Uint8Array> {
    const format = opts.format ?? 'png';
    if (format !== 'png' && format !== 'svg') throw new Error(`format: expected 'png' or 'svg', got '${String(format)}'`);
    const width = opts.width ?? numberOr(fig.layout.width, DEFAULT_SIZE.width);
    const height = opts.height ?? numberOr(fig.layout.height, DEFAULT_SIZE.height);
    const scale = opts.scale ?? 1;
    for (const [k, v] of [['width', width], ['height', height], ['scale', scale]] as const) {
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`${k}: expected a positive number, got ${v}`);
    }
    const url = await this.page.evaluate(`(${DRAW})(${JSON.stringify({ fig, format, width, height, scale })})`) as string;
    const comma = url.indexOf(',');
    const head = url.slice(0, comma);
    const body = url.slice(comma + 1);
    return head.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** Renders figures with one browser and closes it. */
export async function renderFigures(figs: readonly Figure[], opts: RenderOptions = {}): Promise<Uint8Array[]> {
  const r = await FigureRenderer.open();
  try {
    const out: Uint8Array[] = [];
    for (const f of figs) out.push(await r.render(f, opts));
    return out;
  } finally {
    await r.close();
  }
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}
