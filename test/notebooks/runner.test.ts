// `npm run notebooks` (tools/run-notebooks.py on nbclient with the repository's tslab kernel): a notebook whose cell
// throws, or does not type-check, makes it fail with that cell's own message (nbconvert alone prints `<Error>:`),
// and the executed copy keeps the outputs of the cells before it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'chanlab-nb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function notebook(cells: Array<['code' | 'markdown', string]>): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript (chanlab tslab)', language: 'typescript' } },
    cells: cells.map(([kind, source], i) => ({
      cell_type: kind, id: `c${i}`, metadata: {}, source,
      ...(kind === 'code' ? { execution_count: null, outputs: [] } : {}),
    })),
  });
}

describe('npm run notebooks', () => {
  it('fails with the failing cell’s message: a thrown error and a type error', () => {
    const thrown = join(dir, 'thrown.ipynb');
    writeFileSync(thrown, notebook([
      ['markdown', '# a notebook that fails'],
      ['code', "const apples: number = 2;\nconsole.log('first cell ran with', apples, 'apples');"],
      ['code', "throw new Error(`cell 3: expected 3 apples, got ${apples}`);"],
      ['code', "console.log('never runs');"],
    ]));
    const typed = join(dir, 'typed.ipynb');
    writeFileSync(typed, notebook([['code', "const n: number = 'not a number';"]]));
    const out = join(dir, 'out');
    const r = spawnSync('npm', ['run', '--silent', 'notebooks', '--', '--no-build', '--out', out, thrown, typed], { encoding: 'utf8', env: { ...process.env } });
    const log = `${r.stdout}\n${r.stderr}`;
    expect(r.status, log).toBe(1);
    expect(log).toContain(`FAIL  ${thrown}: cell 3 failed: Error: cell 3: expected 3 apples, got 2`);
    expect(log).toMatch(/FAIL {2}.*typed\.ipynb: cell 1 failed: .*Type '"not a number"' is not assignable to type 'number'|FAIL {2}.*typed\.ipynb: cell 1 failed: .*Type 'string' is not assignable to type 'number'/);
    expect(log).toContain('2 of 2 notebooks failed');
    const executed = JSON.parse(readFileSync(join(out, 'thrown.ipynb'), 'utf8')) as { cells: Array<{ outputs?: Array<{ text?: string | string[] }> }> };
    expect(JSON.stringify(executed.cells[1]!.outputs)).toContain('first cell ran with 2 apples');
    expect(executed.cells[3]!.outputs).toEqual([]);
  });
});
