// Every table of the reproduction suite, in the order `chanlab repro` runs them.
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
import { TEST_TABLES } from './test-tables.js';

/** The paper tables, then the scale-out test tables when CHANLAB_TEST_TABLES=1 (test/scale/). */
export const TABLES: readonly TableDefinition[] = [
  pixSuppTable1, pixSqueeze, pixTable1, pixAblations, pixLatency, chexCheckpoints, dgcModels, headToHead, frontier,
  ...(process.env.CHANLAB_TEST_TABLES === '1' ? TEST_TABLES : []),
];
