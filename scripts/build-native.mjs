#!/usr/bin/env node
// Builds the optional native addon (native/ → native/build/Release/chanlab_native.node) with node-gyp against the
// system oneDNN (Debian: libdnnl-dev). Run by `npm ci` / `npm install` (the "install" script) and by
// `npm run build:native`. It first regenerates the bindings from native/kernels.json (native/generate.mjs). It never
// fails the install: on any problem it prints one line and exits 0, and chanlab uses its pure wasm kernels.
// CHANLAB_NATIVE=0 skips the build. The compiler output goes to native/build.log.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeOutputs } from '../native/generate.mjs';

const root = process.cwd();
const dir = path.join(root, 'native');
const log = path.join(dir, 'build.log');
const addon = path.join(dir, 'build', 'Release', 'chanlab_native.node');
const strict = process.argv.includes('--strict'); // CI: a failed build is an error

function done(ok, line) {
  console.log(`chanlab native: ${line}`);
  process.exit(!ok && strict ? 1 : 0);
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return [process.execPath, c];
  const which = spawnSync('sh', ['-c', 'command -v node-gyp'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return [which.stdout.trim()];
  return undefined;
}

try {
  if (process.env.CHANLAB_NATIVE === '0') done(true, 'skipped (CHANLAB_NATIVE=0); pure wasm kernels');
  if (!existsSync(path.join(dir, 'binding.gyp'))) done(false, 'native/binding.gyp not found; pure wasm kernels');
  writeOutputs(root); // the bindings and prototypes from native/kernels.json, so a build never uses stale ones
  const gyp = findNodeGyp();
  if (gyp === undefined) done(false, 'node-gyp not found (it ships with npm); pure wasm kernels');
  const dnnl = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].some(existsSync);
  if (!dnnl) done(false, 'oneDNN headers not found (Debian/Ubuntu: apt-get install libdnnl-dev); pure wasm kernels');
  const args = [...gyp.slice(1), 'rebuild'];
  // Headers of the running node, without a download, where the distribution installs them (Debian: /usr).
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  if (existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(gyp[0], args, { cwd: dir, encoding: 'utf8', env: { ...process.env, JOBS: 'max' } });
  writeFileSync(log, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0 || !existsSync(addon)) {
    const err = `${r.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l)) ?? r.error?.message ?? `exit ${r.status}`;
    done(false, `build failed (${err.trim().slice(0, 160)}); see native/build.log; pure wasm kernels`);
  }
  const check = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(addon)}).version())`],
    { encoding: 'utf8' });
  if (check.status !== 0) {
    const lines = (check.stderr || '').trim().split('\n');
    const why = lines.find((l) => /undefined symbol|Error:/.test(l)) ?? lines[0];
    done(false, `built but does not load (${why.trim().slice(0, 240)}); pure wasm kernels`);
  }
  done(true, `built ${path.relative(root, addon)} (${check.stdout.trim()})`);
} catch (e) {
  done(false, `build skipped (${e instanceof Error ? e.message : String(e)}); pure wasm kernels`);
}
