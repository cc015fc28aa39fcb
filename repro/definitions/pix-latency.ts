// The PiX speed claim ("about 25% faster", docs/methods/pix.md §8.6) measured by the official method of
// test_latency.py (§7.4): batch 1, 224², 5 warm-ups, the mean of 1000 timed runs with a sync after each, one row per
// (backend, model). The quick tier times 20 runs instead of 1000 (the only deviation) to stay within its budget.
import { useBackend } from '../../src/backend/index.js';
import { latencyMethod, measureLatency } from '../../src/latency/latency.js';
import type { DerivedMetric, RowDefinition, TableDefinition, Tier } from '../definition.js';

const QUICK_RUNS = 20;

interface Spec {
  backend: 'wasm' | 'webgpu';
  model: 'resnet50' | 'pix_resnet50_cs';
  tiers: readonly Tier[];
}

const SPECS: Spec[] = [
  { backend: 'wasm', model: 'resnet50', tiers: ['quick', 'small', 'full'] },
  { backend: 'wasm', model: 'pix_resnet50_cs', tiers: ['quick', 'small', 'full'] },
  { backend: 'webgpu', model: 'resnet50', tiers: ['full'] },
  { backend: 'webgpu', model: 'pix_resnet50_cs', tiers: ['full'] },
];

const rowId = (s: Pick<Spec, 'backend' | 'model'>) => `${s.backend}-${s.model === 'resnet50' ? 'resnet50' : 'pix-resnet50'}`;

const rows: RowDefinition[] = SPECS.map((s): RowDefinition => ({
  id: rowId(s), label: `${s.model} on ${s.backend}`, tiers: s.tiers,
  config: { model: s.model, backend: s.backend, method: 'official', batch: 1, input: 224 },
  metrics: s.model === 'resnet50' ? ['latency_ms'] : ['latency_ms', 'reduction_pct'],
  paper: s.model === 'resnet50' ? {} : {
    reduction_pct: { value: 25, printed: '≈25 (abstract)', note: 'conditions and GPU not stated; the only printed timing is training time per iteration' },
  },
  async compute(ctx) {
    const m = latencyMethod('official');
    const runs = ctx.tier === 'quick' ? QUICK_RUNS : m.runs;
    try {
      const r = await measureLatency(s.model, { ...m, runs, backend: s.backend });
      return { latency_ms: r.meanMs, median_ms: r.medianMs, runs: r.runs };
    } finally {
      await useBackend(ctx.backend);
    }
  },
}));

/** 1 − PiX / ResNet-50 (mean latency) on the same backend, in %. */
const reduction: DerivedMetric = {
  key: 'reduction_pct',
  derive(row, get) {
    if (!row.endsWith('-pix-resnet50')) return null;
    const pix = get(row, 'latency_ms');
    const base = get(row.replace('-pix-resnet50', '-resnet50'), 'latency_ms');
    if (!pix || !base) return null;
    return { mean: (100 * (base.mean - pix.mean)) / base.mean, std: 0, n: 1 };
  },
};

export const pixLatency: TableDefinition = {
  id: 'pix-latency', tiers: ['quick', 'small', 'full'],
  title: 'PiX speed claim: PiX-ResNet-50 vs ResNet-50 latency (official method)',
  source: { paper: 'PiX', table: 'abstract / README claim, test_latency.py method', doc: 'docs/methods/pix.md §7.4, §8.6' },
  metrics: [
    { key: 'latency_ms', label: 'latency (mean)', unit: 'ms', decimals: 1, agreement: 'machine' },
    { key: 'reduction_pct', label: 'less time than ResNet-50', unit: '%', decimals: 1, tolerance: { abs: 5 }, agreement: 'machine' },
  ],
  rows,
  derived: [reduction],
  notes: [
    'Batch 1, 224², fp32, random init, eval mode, N(0,1) input; 5 warm-ups, then timed forward passes each followed by a read-back of the output.',
    `Quick tier: ${QUICK_RUNS} timed runs instead of 1000. Measured on a shared machine: compare rows of one run only.`,
    'The claim was made on GPUs; a CPU (wasm) backend need not show it. webgpu rows run at the full tier (a real GPU).',
  ],
};
