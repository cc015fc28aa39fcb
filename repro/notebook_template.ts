// The table notebooks: one tslab notebook per table of the suite (notebooks/tables/<id>.ipynb), all from this one
// template, each a `showTable` call (notebook.ts). scripts/make-table-notebooks.ts writes them; a test checks that
// every table has its notebook and that each equals the template's output.
import { join } from 'node:path';
import { TIERS, type TableDefinition } from './definition.js';

export const TABLE_NOTEBOOKS_DIR = join('notebooks', 'tables');

export function tableNotebookPath(id: string): string {
  return join(TABLE_NOTEBOOKS_DIR, `${id}.ipynb`);
}

/** What the table measures, in words from its definition: rows, metrics, seeds, paired Δ cells. */
function measured(t: TableDefinition): string {
  const pairedKeys = new Set((t.paired ?? []).map((d) => d.key));
  const metrics = t.metrics.filter((m) => !pairedKeys.has(m.key)).map((m) => (m.unit ? `${m.label} (${m.unit})` : m.label)).join(', ');
  const seeds = TIERS.filter((tier) => t.tiers.includes(tier) && t.defaultSeeds?.[tier]).map((tier) => `${t.defaultSeeds![tier]} seed(s) at ${tier}`);
  const trained = t.rows.some((r) => r.train);
  const paired = (t.paired ?? []).map((d) => {
    const m = t.metrics.find((x) => x.key === d.key)!;
    const refs = [...new Set(t.rows.map((r) => d.reference(r.id)).filter((x): x is string => x !== null))];
    return `${m.label} against ${refs.join(' / ')}`;
  });
  return [
    `**What is measured.** ${t.rows.length} rows (${t.rows.map((r) => `\`${r.id}\``).join(', ')}); per row: ${metrics}${pairedKeys.size ? ' and the paired Δ cells below' : ''}.` +
      (trained ? ` Training rows run ${seeds.length ? seeds.join(', ') : 'one seed per tier'}; a cell shows the mean ± std over seeds and the 95 % confidence interval of the mean (t-distribution).` : ''),
    ...(paired.length ? ['', `**Paired Δ cells**: ${paired.join('; ')} — per seed, the row's value minus its reference's at the same seed (same initialisation and data order), ` +
      'their mean, the 95 % t-interval and a verdict: *confirmed* / *contradicted* when the interval excludes 0 on the side of the paper\'s Δ (or the direction it claims) / on the other side, ' +
      '*higher* / *lower* where no paper states a direction, *not resolved* when the interval holds 0.'] : []),
    '',
    '**What the result says** is printed by the cell below, under "Reading", computed from the result file it loads — each Δ cell\'s verdict, the cells within the paper\'s numbers' +
      `${t.reading ? ' and the table\'s own reading (here: which method is best at which cost, and whether each paper\'s claim holds)' : ''} — ` +
      'then the table and its charts. No number in this text is typed by hand: rerun the table and the reading follows the new result.',
  ].join('\n');
}

function intro(t: TableDefinition): string {
  const quick = t.tiers.includes('quick');
  return [
    `# ${t.title}`,
    '',
    `Reproduces ${t.source.paper} ${t.source.table} (${t.source.doc}); tiers: ${t.tiers.join(', ')}.`,
    '',
    measured(t),
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
