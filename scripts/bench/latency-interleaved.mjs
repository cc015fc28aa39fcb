// ResNet-50 vs another model (default pix_resnet50_cs), batch-1 224² latency with the two models interleaved in one
// process: 5 warm-ups each, then BLOCKS blocks of 20 timed runs of A then 20 of B (a shared machine's drift hits both).
// Prints the means, medians, the ratio of means and the median and range of the per-block ratios.
//   npm run build && node scripts/bench/latency-interleaved.mjs [model] [blocks=10]
import * as tf from '@tensorflow/tfjs-core';
const lib = await import('../../dist/src/index.js');
const { useBackend } = await import('../../dist/src/backend/index.js');
await useBackend('wasm');
const A = lib.createModel('resnet50'), B = lib.createModel(process.argv[2] ?? 'pix_resnet50_cs');
A.eval(); B.eval();
const x = tf.randomNormal([1, 224, 224, 3]);
async function run(m, n) { const t = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); const y = tf.tidy(() => m.call(x)); await y.data(); y.dispose(); t.push(performance.now() - t0); } return t; }
await run(A, 5); await run(B, 5);
const blocks = +(process.argv[3] ?? 10), per = 20; const ra = [], rb = [], ratios = [];
for (let k = 0; k < blocks; k++) {
  const a = await run(A, per), b = await run(B, per);
  const ma = a.reduce((p, q) => p + q) / per, mb = b.reduce((p, q) => p + q) / per;
  ra.push(...a); rb.push(...b); ratios.push(mb / ma);
}
const mean = (v) => v.reduce((p, q) => p + q) / v.length; const med = lib.latency.median;
console.log(`A ${mean(ra).toFixed(2)} ms (med ${med(ra).toFixed(2)})  B ${mean(rb).toFixed(2)} ms (med ${med(rb).toFixed(2)})  ratio of means ${(mean(rb)/mean(ra)).toFixed(3)}  median block ratio ${med(ratios).toFixed(3)}  [${Math.min(...ratios).toFixed(3)}, ${Math.max(...ratios).toFixed(3)}]`);
