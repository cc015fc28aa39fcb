// The plotly.js-dist-min bundle as text (for the headless renderer and for self-contained notebook HTML). Located
// from the working directory, then from the running script (no import.meta: notebooks compile src to CommonJS).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

let cached: string | null = null;

export function plotlySource(): string {
  if (cached) return cached;
  const bases = [join(process.cwd(), 'noop.js'), ...(process.argv[1] ? [process.argv[1]] : [])];
  for (const base of bases) {
    try {
      cached = readFileSync(createRequire(base).resolve('plotly.js-dist-min'), 'utf8');
      return cached;
    } catch {
      // try the next base
    }
  }
  throw new Error('plotly.js-dist-min is not installed: run `npm ci` in the chanlab repository (it is a dependency)');
}
