// PiX supplement Table 1, the squeeze-layer example, PiX main-table FLOPs/params (counted on the registered models),
// CHEX baseline FLOPs and DGC counts: computed now, next to the printed numbers.
import { flops } from '../../src/index.js';
import type { ReproDefinition } from '../definition.js';

export const flopsTables: ReproDefinition = {
  id: 'flops-tables',
  title: 'FLOPs, parameters and memory tables (PiX, CHEX, DGC)',
  reproduces: 'PiX supplement Table 1 + §E example, PiX Table 1 (FLOPs/params columns), CHEX README baselines, DGC counts',
  tiers: ['quick', 'full'],
  async run() {
    const tables = await flops.generateTables();
    const markdown = tables.map((t) => `## ${t.title}\n\n${t.source}\n\n\`\`\`\n${flops.formatTable(t)}\n\`\`\`\n`).join('\n');
    return {
      config: { source: 'registered models', conventions: ['macs', 'ptflops', 'torchprofile', 'chex', 'dgc', 'pix-supplement'] },
      seed: 0,
      results: tables,
      markdown,
      summary: `${tables.length} tables, ${tables.reduce((n, t) => n + t.rows.length, 0)} rows`,
    };
  },
};
