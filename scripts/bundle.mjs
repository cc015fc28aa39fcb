#!/usr/bin/env node
// A self-contained chanlab for machines without npm access (GPU nodes of a cluster, a lent GPU box):
//
//   node scripts/bundle.mjs [--out bundle/chanlab]     (after `npm ci`, which builds dist/ and the native addon)
//
// writes one folder that runs with a plain `node` (≥ 20) from anywhere:
//   chanlab.mjs                           the whole CLI and library in one ES module (esbuild)
//   tfjs-backend-wasm*.wasm               the wasm backend's binaries, found next to the module
//   dawn.node                             WebGPU (Dawn) for linux-x64, from npm `webgpu`, if installed
//   chanlab_native.node                   the native oneDNN kernels, if built (needs libdnnl.so.2 and libgomp on the
//                                         target: Debian/Ubuntu `libdnnl2`; without them chanlab says so and runs on
//                                         pure wasm)
//   configs/*.json                        the training presets
//   scripts/bench/*.py, BUNDLE.json       the PyTorch reference scripts of `chanlab bench`; what went in, from which
//                                         commit
// Run: `node bundle/chanlab/chanlab.mjs backends`, `… bench --only pix --backends webgpu`, `… repro pix-squeeze`.
// Not in the bundle: Plotly PNG export (needs chromium and plotly.js-dist-min) and wasm threads (CHANLAB_WASM_THREADS).
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1] ?? '' : 'bundle/chanlab');
if (outIndex >= 0 && !args[outIndex + 1]) throw new Error('bundle: --out needs a directory');
for (const f of ['dist/src/cli/main.js', 'dist/src/core/git.js']) {
  if (!existsSync(f)) throw new Error(`bundle: ${f} missing: run \`npm run build\` (or \`npm ci\`) first`);
}

const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

// npm `webgpu` finds dawn.node through import.meta.url of its own file; in the bundle it sits next to chanlab.mjs.
const dawnShim = {
  name: 'dawn-next-to-bundle',
  setup(b) {
    b.onResolve({ filter: /^webgpu$/ }, () => ({ path: 'webgpu', namespace: 'dawn-shim' }));
    b.onLoad({ filter: /.*/, namespace: 'dawn-shim' }, () => ({
      contents: `const file = __chanlabBundleDir + '/dawn.node';
if (!__chanlabFs.existsSync(file)) throw new Error('WebGPU: ' + file + ' missing: this bundle was made without npm \`webgpu\`');
const dawn = require(file);
export const create = dawn.create;
export const globals = dawn.globals;`,
      loader: 'js',
    }));
  },
};

const banner = `import { createRequire as __chanlabCreateRequire } from 'node:module';
import { fileURLToPath as __chanlabToPath } from 'node:url';
import * as __chanlabFs from 'node:fs';
const require = __chanlabCreateRequire(import.meta.url);
const __filename = __chanlabToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
const __chanlabBundleDir = __dirname;
if (!process.env.CHANLAB_CONFIGS && __chanlabFs.existsSync(__dirname + '/configs')) process.env.CHANLAB_CONFIGS = __dirname + '/configs';
`;

// the code this bundle is built from, by the same rules as run manifests and reproduction results (src/core/git.ts,
// compiled in dist/): untracked files count, the suite's result files do not
const { codeDirty, git, lastCodeCommit } = await import(pathToFileURL(path.resolve('dist/src/core/git.js')).href);
const info = {
  commit: git(['rev-parse', 'HEAD']) ?? 'unknown',
  codeCommit: lastCodeCommit() ?? 'unknown',
  dirty: codeDirty() === true,
};

await build({
  entryPoints: ['bin/chanlab.js'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: path.join(tmp, 'chanlab.mjs'),
  banner: { js: banner },
  plugins: [dawnShim],
  // the code this bundle is (src/core/build_info.ts): runs outside a checkout record it in manifests and results
  define: { __CHANLAB_BUNDLE__: JSON.stringify(info) },
  // optional at run time, never bundled: tfjs-node(-gpu) is detected by a dynamic import; playwright-core drives
  // chromium for PNG export only
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'playwright-core'],
  logLevel: 'warning',
  legalComments: 'none',
  // tfjs-backend-cpu marks its kernel registration free of side effects; chanlab imports it for exactly those
  ignoreAnnotations: true,
});

const included = ['chanlab.mjs'];
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(path.join(wasmDir, f), path.join(tmp, f));
  included.push(f);
}
const dawn = `node_modules/webgpu/dist/${process.platform}-${process.arch}/dawn.node`;
if (existsSync(dawn)) copyFileSync(dawn, path.join(tmp, 'dawn.node')), included.push('dawn.node');
const native = 'native/build/Release/chanlab_native.node';
if (existsSync(native)) copyFileSync(native, path.join(tmp, 'chanlab_native.node')), included.push('chanlab_native.node');
// the training presets (configs/*.json): the reproduction tables' recipes start from them
mkdirSync(path.join(tmp, 'configs'));
for (const f of readdirSync('configs').filter((f) => f.endsWith('.json'))) {
  copyFileSync(path.join('configs', f), path.join(tmp, 'configs', f));
  included.push(`configs/${f}`);
}
mkdirSync(path.join(tmp, 'scripts', 'bench'), { recursive: true });
for (const f of readdirSync('scripts/bench').filter((f) => f.endsWith('.py'))) {
  copyFileSync(path.join('scripts/bench', f), path.join(tmp, 'scripts', 'bench', f));
  included.push(`scripts/bench/${f}`);
}

writeFileSync(path.join(tmp, 'BUNDLE.json'), JSON.stringify({ kind: 'chanlab-bundle', ...info, platform: `${process.platform}-${process.arch}`, files: included }, null, 2) + '\n');

rmSync(out, { recursive: true, force: true });
mkdirSync(path.dirname(out), { recursive: true });
renameSync(tmp, out);
console.log(`wrote ${out}: ${included.join(', ')}`);
