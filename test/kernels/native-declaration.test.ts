// native/kernels.json is the one declaration of the addon's functions: the generated C++ prototypes, bindings and
// TypeScript interface must be current, every declared function must be defined in its source file, every
// kernel-like function defined under native/src must be declared, and the loaded addon must export exactly the
// declared functions (a declared function without a definition makes the addon fail to load, naming it).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFailure, nativeAddon, nativeStatus } from '../../src/kernels/native/addon.js';
import { NATIVE_FUNCTIONS } from '../../src/kernels/native/generated/api.js';

interface Declared { name: string; source: string; returns: string; args: Array<{ name: string; type: string }> }

const root = process.cwd();
const declared = (JSON.parse(readFileSync(path.join(root, 'native', 'kernels.json'), 'utf8')) as { functions: Declared[] }).functions;
const sourceDir = path.join(root, 'native', 'src');
const sources = readdirSync(sourceDir).filter((f) => f.endsWith('.cc'));

/** Names of namespace-scope, non-static functions whose first parameter is a span (F32, F64, I32, U8): kernels. */
function kernelLikeDefinitions(text: string): string[] {
  const re = /^(?:void|int64_t|double|bool|std::string)\s+(\w+)\s*\(\s*(?:F32|F64|I32|U8)\b[^;{]*\)\s*\{/gm;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

describe('native/kernels.json', () => {
  it('the generated prototypes, bindings and TypeScript interface are current', () => {
    const r = spawnSync(process.execPath, [path.join('native', 'generate.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect([...NATIVE_FUNCTIONS]).toEqual(declared.map((f) => f.name));
  });

  it('every declared function is defined in the source file it names', () => {
    const missing = declared.filter((f) => {
      const text = readFileSync(path.join(sourceDir, f.source), 'utf8');
      return !new RegExp(`^(?:void|int64_t|double|bool|std::string)\\s+${f.name}\\s*\\(`, 'm').test(text);
    }).map((f) => `'${f.name}' (declared in native/kernels.json, not defined in native/src/${f.source})`);
    expect(missing).toEqual([]);
  });

  it('every kernel-like function defined under native/src is declared', () => {
    const names = new Set(declared.map((f) => f.name));
    const undeclared = sources.flatMap((file) => kernelLikeDefinitions(readFileSync(path.join(sourceDir, file), 'utf8'))
      .filter((n) => !names.has(n)).map((n) => `${n} (defined in native/src/${file}, not declared in native/kernels.json)`));
    expect(undeclared).toEqual([]);
  });

  it('the loaded addon exports exactly the declared functions', () => {
    // CI builds the addon (CHANLAB_NATIVE_REQUIRED=1): there it must load, or the reason names what is wrong.
    if (process.env.CHANLAB_NATIVE_REQUIRED === '1' && process.env.CHANLAB_NATIVE !== '0') {
      expect(nativeStatus().active, nativeStatus().reason).toBe(true);
    }
    const addon = nativeAddon();
    if (addon === undefined) {
      expect(nativeStatus().reason).toMatch(/CHANLAB_NATIVE=0|not built|failed to load|older than/);
      return;
    }
    expect(Object.keys(addon).sort()).toEqual(declared.map((f) => f.name).sort());
  });

  it('a declared function without a definition is named when the addon fails to load', () => {
    const msg = 'chanlab_native.node: undefined symbol: _ZN7chanlab9dgcGatherENS_4SpanIiEE';
    expect(loadFailure(msg)).toMatch(/function 'dgcGather' is declared in native\/kernels.json but not defined in native\/src/);
    expect(loadFailure('some other error')).toBe('some other error');
  });

  it('binds arguments by their declared types, and names the function and argument in errors', () => {
    const addon = nativeAddon();
    if (addon === undefined) return; // the pure-wasm project: nothing to call
    const f = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => f.spatialMean!(new Float32Array(4), new Float32Array(2))).toThrow(/chanlab native: spatialMean: expected 5 arguments, got 2/);
    expect(() => f.spatialMean!(new Float64Array(4), new Float32Array(2), 1, 2, 2)).toThrow(/spatialMean: x: expected a Float32Array, got another typed array/);
    expect(() => f.spatialMean!(new Float32Array(4), new Float32Array(2), 1.5, 2, 2)).toThrow(/spatialMean: N: expected an integer/);
    expect(() => f.pixGate!(new Float32Array(4), new Float32Array(4), null, new Float32Array(2), Int32Array.of(1, 2))).toThrow(/pixGate: dims: expected 5 entries, got 2/);
    expect(() => f.copy!(new Float32Array(4), new Float32Array(2))).toThrow(/copy: dst: expected at least as many elements as src/);
    const y = new Float32Array(2);
    f.spatialMean!(Float32Array.of(1, 2, 3, 4), y, 1, 2, 2);
    expect([...y]).toEqual([2, 3]);
  });
});
