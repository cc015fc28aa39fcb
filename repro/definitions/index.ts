import type { ReproDefinition } from '../definition.js';
import { flopsTables } from './flops-tables.js';
import { quickTrain } from './quick-train.js';

export const DEFINITIONS: ReproDefinition[] = [flopsTables, quickTrain];
