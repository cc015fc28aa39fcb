// tfjs-core registers no gradients by itself, and its `dist/register_all_gradients.js` is ESM with extensionless
// imports that Node cannot load. Like the @tensorflow/tfjs union package does in its Node bundle, we bundle that
// module (Apache-2.0, from the installed tfjs-core) into one CommonJS file; its copy of core internals registers into
// tfjs's global gradient registry. Generated at install/build time, never committed.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

const outs = ['src/backend/generated', 'dist/src/backend/generated'];
for (const dir of outs) {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: ['node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: `${dir}/tfjs_gradients.cjs`,
    logLevel: 'warning',
    legalComments: 'inline',
  });
  writeFileSync(`${dir}/tfjs_gradients.d.cts`, 'export {};\n');
}
