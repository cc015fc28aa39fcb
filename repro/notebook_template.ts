// The table notebooks: one tslab notebook per table of the suite (notebooks/tables/<id>.ipynb), all from this one
// template, each a `showTable` call (notebook.ts). scripts/make-table-notebooks.ts writes them; a test checks that
// every table has its notebook and that each equals the template's output.
import { join } from 'node:path';
import type { TableDefinition } from './definition.js';

export const TABLE_NOTEBOOKS_DIR = join('notebooks', 'tables');

export function tableNotebookPath(id: string): string {
  return join(TABLE_NOTEBOOKS_DIR, `${id}.ipynb`);
}

function intro(t: TableDefinition): string {
  const quick = t.tiers.includes('quick');
  return [
    `# ${t.title}`,
    '',
    `Reproduces ${t.source.paper} ${t.source.table} (${t.source.doc}); tiers: ${t.tiers.join(', ')}.`,
    '',
    '`showTable` (`repro/notebook.ts`) runs the table\'s missing rows at the tier `CHANLAB_TIER` (default quick) into',
    'a scratch directory (`runs/notebooks/repro`, never `repro/results`) — at the small and full tiers, which take hours,',
    `it loads the committed result \`repro/results/<tier>/${t.id}.json\` instead — and shows the paper-vs-reproduced`,
    'table and its charts. `CHANLAB_TABLE_SOURCE=committed` shows the committed result at any tier;',
    `\`chanlab repro ${t.id} --tier <tier>\` runs a tier.` + (quick ? '' : ` This table has no quick tier: at quick the notebook shows its committed ${t.tiers[0]}-tier result.`),
    '',
    '_Written by `scripts/make-table-notebooks.ts` from the table\'s definition in `repro/definitions/`: change the template',
    '(`repro/notebook_template.ts`), not this file._',
  ].join('\n');
}

const code = (id: string, source: string) => ({ cell_type: 'code', id, metadata: {}, source, execution_count: null, outputs: [] });

/** The notebook of table `t` as .ipynb text (nbformat 4.5, the repository's tslab kernel). */
interface NotebookJson { cells: Array<{ cell_type: string; source: string | string[] }>; metadata?: { chanlab?: { inputs?: string[] } } }

/** What a notebook is made of, without its outputs: cell types and sources, and the inputs it declares. */
export function notebookSource(text: string): string {
  const nb = JSON.parse(text) as NotebookJson;
  const src = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);
  return JSON.stringify({ cells: nb.cells.map((c) => [c.cell_type, src(c.source)]), inputs: nb.metadata?.chanlab?.inputs ?? [] });
}

export function tableNotebook(t: TableDefinition): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript (chanlab tslab)', language: 'typescript' }, language_info: { name: 'typescript' },
      // the files its outputs come from (scripts/notebook-hash.mjs): the table's results at every tier
      chanlab: { inputs: [`repro/results/*/${t.id}.json`] },
    },
    cells: [
      { cell_type: 'markdown', id: 'c00', metadata: {}, source: intro(t) },
      code('c01', "import * as tslab from 'tslab';\nimport { showTable } from './dist/repro/notebook.js';\nimport { closeFigureRenderer } from './dist/src/viz/notebook.js';"),
      code('c02', `const view = await showTable('${t.id}', tslab.display);`),
      code('c03', 'await closeFigureRenderer(); // the headless browser used for the PNG fallbacks'),
    ],
  };
  return JSON.stringify(nb, null, 1) + '\n';
}
