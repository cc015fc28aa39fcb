// Every table of the reproduction suite, in the order `chanlab repro` runs them.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TableDefinition } from '../definition.js';
import { chexCheckpoints } from './chex-checkpoints.js';
import { dgcModels } from './dgc-models.js';
import { frontier } from './frontier.js';
import { headToHead } from './head-to-head.js';
import { pixAblations } from './pix-ablations.js';
import { pixLatency } from './pix-latency.js';
import { pixSqueeze } from './pix-squeeze.js';
import { pixSuppTable1 } from './pix-supp-table1.js';
import { pixTable1 } from './pix-table1.js';

/** The paper tables and chanlab's own comparisons. */
export const TABLES: readonly TableDefinition[] = [
  pixSuppTable1, pixSqueeze, pixTable1, pixAblations, pixLatency, chexCheckpoints, dgcModels, headToHead, frontier,
];

/**
 * Further tables from the modules CHANLAB_EXTRA_TABLES lists (paths separated by ':'), each exporting `TABLES`: a
 * user's own tables, or the scale-out tests' (test/scale/tables.ts). None when the variable is unset.
 */
export async function extraTables(env: Record<string, string | undefined> = process.env): Promise<TableDefinition[]> {
  const paths = (env.CHANLAB_EXTRA_TABLES ?? '').split(':').filter(Boolean);
  const out: TableDefinition[] = [];
  for (const p of paths) {
    let mod: { TABLES?: unknown };
    try {
      mod = (await import(pathToFileURL(resolve(p)).href)) as { TABLES?: unknown };
    } catch (e) {
      throw new Error(`CHANLAB_EXTRA_TABLES: cannot load ${p}: ${(e as Error).message}`);
    }
    if (!Array.isArray(mod.TABLES)) throw new Error(`CHANLAB_EXTRA_TABLES: ${p} must export TABLES, an array of table definitions`);
    out.push(...(mod.TABLES as TableDefinition[]));
  }
  return out;
}
