// Test-only Node module hook for child processes run with `node --import tsx --import ./test/train/esm_hook.mjs`:
// tfjs-core's ESM files (dist/*.js, pulled in by src/backend/select.ts's register_all_gradients import) use
// extensionless and directory imports that Node's ESM resolver rejects; retry them with `.js` / `/index.js`.
import { register } from 'node:module';

if (!globalThis.__chanlabEsmHook) {
  globalThis.__chanlabEsmHook = true;
  register('data:text/javascript,' + encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      try {
        return await next(specifier, context);
      } catch (e) {
        if (!specifier.startsWith('.') || !context.parentURL || !context.parentURL.includes('/node_modules/@tensorflow/')) throw e;
        for (const suffix of ['.js', '/index.js']) {
          try { return await next(specifier + suffix, context); } catch {}
        }
        throw e;
      }
    }`));
}
