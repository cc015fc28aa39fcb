// `npm run lab` opens the notebooks for real: the Jupyter Notebook server it starts (scripts/lab.sh) serves a copy of
// tour.ipynb, Chromium (playwright-core) opens it in the Jupyter page, runs all cells on the tslab kernel, and every
// cell finishes without an error output, with Plotly figures rendered (interactive HTML) and their PNG fallbacks.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, chromiumPath } from '../../src/viz/plot/render.js';

const dir = mkdtempSync(path.join(tmpdir(), 'chanlab-lab-'));
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, log: () => string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (server?.exitCode !== null) throw new Error(`npm run lab exited early:\n${log()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Jupyter server did not answer at ${url}:\n${log()}`);
}

// Run in the page (strings: the test is compiled without DOM types).
const KERNEL_READY = 'window.Jupyter?.notebook?.kernel?.is_connected() === true';
const RUN_ALL = 'Jupyter.notebook.execute_all_cells()';
// no cell queued or running (a failing cell aborts the queued ones, which then show no number)
const SETTLED = `document.querySelector('.code_cell.running') === null &&
  Jupyter.notebook.get_cells().every((c) => c.input_prompt_number !== '*')`;
const UNRUN = `Jupyter.notebook.get_cells().map((c, i) => [c, i]).filter(([c]) => c.cell_type === 'code' &&
  typeof c.input_prompt_number !== 'number').map(([, i]) => i + 1)`;

it('npm run lab serves the notebooks and tour.ipynb runs in the browser: figures, no errors', async () => {
  copyFileSync(path.join('notebooks', 'tour.ipynb'), path.join(dir, 'tour.ipynb'));
  const port = await freePort();
  const token = 'chanlab-lab-test';
  let output = '';
  server = spawn('bash', ['scripts/lab.sh', `--port=${port}`, '--ip=127.0.0.1', `--NotebookApp.token=${token}`,
    `--notebook-dir=${dir}`, '--NotebookApp.open_browser=False'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  server.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  await waitForServer(`http://127.0.0.1:${port}/api/status?token=${token}`, () => output);

  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/notebooks/tour.ipynb?token=${token}`);
    await page.waitForFunction(KERNEL_READY, undefined, { timeout: 60_000 });
    await page.evaluate(RUN_ALL);
    await page.waitForFunction(SETTLED, undefined, { timeout: 540_000, polling: 1000 });
    const errors = [...await page.locator('.output_error').allTextContents(),
      ...(await page.locator('.output_stderr').allTextContents()).filter((t) => /Error/.test(t))];
    expect(errors, `cell errors:\n${errors.join('\n')}\nserver log:\n${output.slice(-2000)}`).toEqual([]);
    expect(await page.evaluate(UNRUN), 'cells that did not run').toEqual([]);
    expect(await page.locator('.js-plotly-plot').count(), 'Plotly figures rendered in the page').toBeGreaterThan(0);
    expect(await page.locator('.output_png img').count(), 'PNG fallbacks').toBeGreaterThan(0);
  } finally {
    await browser.close();
  }
}, 660_000);
