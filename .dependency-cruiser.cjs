// chanlab's layering, checked by `npm run lint:layers` (part of `npm test`). docs/ARCHITECTURE.md explains the
// layers; each rule below forbids a layer from importing the ones above it. Bottom to top:
//   core · ops · interop · data → kernels → backend → nn → flops → models → methods/* → zoo
//   → checkpoint → train → latency · bench · viz → cli;   repro/ sits beside cli and may not import it.
const above = (allowed) => `^src/(?!(${allowed.join('|')})/)`;

const layer = (name, from, allowed, comment, fromPathNot) => ({
  name, severity: 'error', comment,
  from: fromPathNot ? { path: `^src/${from}/`, pathNot: fromPathNot } : { path: `^src/${from}/` },
  to: { path: above(allowed) },
});

module.exports = {
  forbidden: [
    layer('core-is-the-bottom', 'core', ['core'], 'src/core (rng, files, argument checks) depends on nothing in src'),
    layer('ops-below-kernels', 'ops', ['ops', 'core'], 'op definitions and gradients know only core; kernels implement them'),
    layer('interop-is-formats', 'interop', ['interop', 'core'], 'interop reads/writes PyTorch/NumPy formats; no model knowledge'),
    {
      ...layer('data-stands-alone', 'data', ['data', 'core', 'interop'],
        'datasets and transforms know no models; image decoding (src/data/decode.ts) uses the native addon through its loader'),
      to: { path: above(['data', 'core', 'interop']), pathNot: '^src/kernels/native/(addon|generated/api)\\.ts$' },
    },
    layer('kernels-below-backend', 'kernels', ['kernels', 'ops', 'core'], 'kernels implement ops for one backend'),
    layer('backend-below-nn', 'backend', ['backend', 'kernels', 'ops', 'core'], 'backend selection registers kernels'),
    layer('nn-below-models', 'nn', ['nn', 'ops', 'core'], 'the module system knows no models or methods'),
    layer('flops-below-models', 'flops', ['flops', 'nn', 'ops', 'core'], 'FLOP conventions and the counter work on modules, not on model names'),
    layer('models-below-methods', 'models', ['models', 'nn', 'ops', 'flops', 'core'], 'plain architectures know no methods'),
    layer('methods-below-zoo', 'methods', ['methods', 'models', 'nn', 'ops', 'flops', 'core', 'data'],
      'a method (PiX, DGC, CHEX) builds on models, nn, ops and flops'),
    layer('zoo-below-tools', 'zoo', ['zoo', 'models', 'methods', 'nn', 'core'], 'the zoo only joins the model lists'),
    layer('checkpoint-below-train', 'checkpoint', ['checkpoint', 'interop', 'zoo', 'models', 'methods', 'nn', 'ops', 'flops', 'core', 'backend'],
      'checkpoints: files, state dicts, loading into models'),
    layer('train-below-tools', 'train', ['train', 'checkpoint', 'data', 'zoo', 'models', 'methods', 'nn', 'ops', 'flops', 'core', 'backend', 'interop'],
      'the training loop'),
    {
      name: 'methods-are-independent', severity: 'error',
      comment: 'PiX, DGC and CHEX do not import each other; shared pieces go one layer down',
      from: { path: '^src/methods/([^/]+)/' },
      to: { path: '^src/methods/', pathNot: '^src/methods/$1/' },
    },
    {
      name: 'only-cli-reaches-cli', severity: 'error',
      comment: 'the command line is the top: nothing in the library imports it',
      from: { path: '^(src|repro)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'only-cli-reaches-repro', severity: 'error',
      comment: 'repro/ (paper tables) builds on the library; only the CLI may import it',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^repro/' },
    },
    {
      name: 'no-circular', severity: 'error',
      comment: 'import cycles make initialisation order matter',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/backend/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
