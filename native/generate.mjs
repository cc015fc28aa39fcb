#!/usr/bin/env node
// Writes the code that native/kernels.json (the one declaration of the addon's functions) implies:
//   native/src/generated/kernels.h      the C++ prototypes every kernel source implements
//   native/src/generated/bindings.cc    Node-API wrappers that check and unpack the arguments, and the export table
//   src/kernels/native/generated/api.ts the TypeScript interface of the loaded addon and the list of its functions
// `node native/generate.mjs` writes them (scripts/build-native.mjs runs it before every build, so the C++ files are
// build outputs, not tracked); `--check` only compares and exits 1 naming the stale files (the TypeScript file is
// tracked: test/kernels/native-declaration.test.ts runs the check).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DECLARATION = path.join('native', 'kernels.json');
export const OUTPUTS = {
  header: path.join('native', 'src', 'generated', 'kernels.h'),
  bindings: path.join('native', 'src', 'generated', 'bindings.cc'),
  api: path.join('src', 'kernels', 'native', 'generated', 'api.ts'),
};

// Declared type → C++ parameter type, TypeScript type, CallArgs reader.
const ARRAY_TYPES = {
  f32: { cxx: 'F32', ts: 'Float32Array', element: 'float' },
  f64: { cxx: 'F64', ts: 'Float64Array', element: 'double' },
  i32: { cxx: 'I32', ts: 'Int32Array', element: 'int32_t' },
  u8: { cxx: 'U8', ts: 'Uint8Array', element: 'uint8_t' },
};
const SCALAR_TYPES = {
  int: { cxx: 'int64_t', ts: 'number', read: 'integer' },
  number: { cxx: 'double', ts: 'number', read: 'number' },
  bool: { cxx: 'bool', ts: 'boolean', read: 'boolean' },
  string: { cxx: 'const std::string&', ts: 'string', read: 'string' },
};
const RETURN_TYPES = {
  void: { cxx: 'void', ts: 'void' },
  int: { cxx: 'int64_t', ts: 'number' },
  number: { cxx: 'double', ts: 'number' },
  bool: { cxx: 'bool', ts: 'boolean' },
  string: { cxx: 'std::string', ts: 'string' },
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A declared argument type parsed: { array, nullable, length } for arrays, { scalar } for the rest. */
export function parseType(type, where) {
  const m = /^(f32|f64|i32|u8)(?:\[(\d+)\])?(\?)?$/.exec(type);
  if (m) return { array: m[1], length: m[2] === undefined ? 0 : Number(m[2]), nullable: m[3] === '?' };
  if (type in SCALAR_TYPES) return { scalar: type };
  throw new Error(`${where}: unknown type '${type}' (expected f32, f64, i32, u8 with optional [n] and ?, or ${Object.keys(SCALAR_TYPES).join(', ')})`);
}

function docLines(doc) {
  if (doc === undefined) return [];
  return Array.isArray(doc) ? doc : [doc];
}

/** The declaration, checked: unique identifiers, known types, optional arguments last, sources that exist. */
export function readDeclaration(root) {
  const file = path.join(root, DECLARATION);
  const decl = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(decl.functions)) throw new Error(`${DECLARATION}: expected a "functions" array`);
  const seen = new Set();
  for (const f of decl.functions) {
    const where = `${DECLARATION}: ${f.name ?? '(unnamed function)'}`;
    if (typeof f.name !== 'string' || !IDENT.test(f.name)) throw new Error(`${where}: name must be an identifier`);
    if (seen.has(f.name)) throw new Error(`${where}: declared twice`);
    seen.add(f.name);
    if (!(f.returns in RETURN_TYPES)) throw new Error(`${where}: returns must be one of ${Object.keys(RETURN_TYPES).join(', ')}, got '${f.returns}'`);
    if (typeof f.source !== 'string' || !existsSync(path.join(root, 'native', 'src', f.source))) {
      throw new Error(`${where}: source must name a file under native/src, got '${f.source}'`);
    }
    if (!Array.isArray(f.args) || f.args.length > 16) throw new Error(`${where}: args must be an array of at most 16 arguments`);
    let optional = false;
    const names = new Set();
    for (const a of f.args) {
      const at = `${where}(${a.name})`;
      if (typeof a.name !== 'string' || !IDENT.test(a.name) || names.has(a.name)) throw new Error(`${at}: argument names must be distinct identifiers`);
      names.add(a.name);
      a.parsed = parseType(a.type, at);
      if (a.optional) {
        optional = true;
        if (a.parsed.scalar !== undefined && a.default === undefined) throw new Error(`${at}: an optional ${a.type} needs a default`);
        if (a.parsed.array !== undefined && !a.parsed.nullable) throw new Error(`${at}: an optional array must be nullable (${a.type}?)`);
      } else if (optional) {
        throw new Error(`${at}: a required argument cannot follow an optional one`);
      }
    }
  }
  return decl.functions;
}

function cxxParam(a) {
  return `${a.parsed.array !== undefined ? ARRAY_TYPES[a.parsed.array].cxx : SCALAR_TYPES[a.parsed.scalar].cxx} ${a.name}`;
}

function cxxDefault(a) {
  if (a.parsed.array !== undefined) return `${ARRAY_TYPES[a.parsed.array].cxx}{}`;
  return a.parsed.scalar === 'string' ? `std::string(${JSON.stringify(a.default)})` : String(a.default);
}

function cxxRead(a, i) {
  const name = JSON.stringify(a.name);
  const read = a.parsed.array !== undefined
    ? `a.array<${ARRAY_TYPES[a.parsed.array].element}>(${i}, ${name}, ${a.parsed.nullable}, ${a.parsed.length})`
    : `a.${SCALAR_TYPES[a.parsed.scalar].read}(${i}, ${name})`;
  return a.optional ? `a.has(${i}) ? ${read} : ${cxxDefault(a)}` : read;
}

const GENERATED = 'Generated by native/generate.mjs from native/kernels.json: do not edit (npm run build:native regenerates it).';

function header(fns) {
  const out = [`// ${GENERATED}`, '// The functions the addon exports, as the kernel sources under native/src define them.', '#pragma once',
    '#include <cstdint>', '#include <string>', '#include "../common.h"', '', 'namespace chanlab {', ''];
  for (const f of fns) {
    for (const l of docLines(f.doc)) out.push(`// ${l}`);
    out.push(`// Defined in native/src/${f.source}.`);
    out.push(`${RETURN_TYPES[f.returns].cxx} ${f.name}(${f.args.map(cxxParam).join(', ')});`, '');
  }
  out.push('}  // namespace chanlab', '');
  return out.join('\n');
}

function bindings(fns) {
  const out = [`// ${GENERATED}`, '// One Node-API wrapper per declared function (argument count and types checked, C++ errors thrown as JS',
    '// errors naming the function) and the module\'s export table.', '#include "../binding.h"', '#include "kernels.h"', '',
    'namespace chanlab {', 'namespace {', ''];
  for (const f of fns) {
    const required = f.args.filter((a) => !a.optional).length;
    const reads = f.args.map((a, i) => cxxRead(a, i));
    const call = reads.length <= 1 ? `${f.name}(${reads.join('')})` : `${f.name}(\n        ${reads.join(',\n        ')})`;
    out.push(`napi_value bind_${f.name}(napi_env env, napi_callback_info info) {`);
    out.push(`  return guarded(env, ${JSON.stringify(f.name)}, [&]() -> napi_value {`);
    out.push(`    const CallArgs a(env, info, ${required}, ${f.args.length});`);
    if (f.returns === 'void') {
      out.push(`    ${call};`, '    return nullptr;');
    } else {
      out.push(`    return toJs(env, ${call});`);
    }
    out.push('  });', '}', '');
  }
  out.push('napi_value init(napi_env env, napi_value exports) {');
  out.push('  const Export fns[] = {');
  for (const f of fns) out.push(`      {${JSON.stringify(f.name)}, bind_${f.name}},`);
  out.push('  };', '  return exportAll(env, exports, fns, sizeof(fns) / sizeof(fns[0]));', '}', '');
  out.push('}  // namespace', '}  // namespace chanlab', '', 'NAPI_MODULE(NODE_GYP_MODULE_NAME, chanlab::init)', '');
  return out.join('\n');
}

function tsParam(a) {
  const t = a.parsed.array !== undefined ? ARRAY_TYPES[a.parsed.array].ts : SCALAR_TYPES[a.parsed.scalar].ts;
  return `${a.name}${a.optional ? '?' : ''}: ${t}${a.parsed.nullable ? ' | null' : ''}`;
}

function api(fns) {
  const out = [`// ${GENERATED}`, ''];
  out.push('/** The functions chanlab_native.node exports. Typed arrays are views of the wasm heap, read and written in place. */');
  out.push('export interface NativeAddon {');
  for (const f of fns) {
    const doc = docLines(f.doc);
    if (doc.length === 1) out.push(`  /** ${doc[0]} */`);
    else if (doc.length > 1) out.push('  /**', ...doc.map((l) => `   * ${l}`), '   */');
    out.push(`  ${f.name}(${f.args.map(tsParam).join(', ')}): ${RETURN_TYPES[f.returns].ts};`);
  }
  out.push('}', '');
  out.push('/** Every declared function, in declaration order: an addon that lacks one is not used. */');
  out.push('export const NATIVE_FUNCTIONS: ReadonlyArray<keyof NativeAddon> = [');
  for (const f of fns) out.push(`  '${f.name}',`);
  out.push('];', '');
  return out.join('\n');
}

/** The generated files for the declaration under `root`: { relative path: content }. */
export function generate(root) {
  const fns = readDeclaration(root);
  return { [OUTPUTS.header]: header(fns), [OUTPUTS.bindings]: bindings(fns), [OUTPUTS.api]: api(fns) };
}

/** The generated files that differ from what is on disk (relative paths). */
export function staleOutputs(root) {
  return Object.entries(generate(root))
    .filter(([rel, text]) => !existsSync(path.join(root, rel)) || readFileSync(path.join(root, rel), 'utf8') !== text)
    .map(([rel]) => rel);
}

/** Writes the generated files that changed (temp file + rename); returns their relative paths. */
export function writeOutputs(root) {
  const stale = staleOutputs(root);
  const files = generate(root);
  for (const rel of stale) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, files[rel]);
    renameSync(tmp, file);
  }
  return stale;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    if (process.argv.includes('--check')) {
      const stale = staleOutputs(root);
      if (stale.length > 0) {
        console.error(`native/generate.mjs: out of date with ${DECLARATION}: ${stale.join(', ')} (run node native/generate.mjs)`);
        process.exit(1);
      }
    } else {
      const written = writeOutputs(root);
      if (written.length > 0) console.log(`native/generate.mjs: wrote ${written.join(', ')}`);
    }
  } catch (e) {
    console.error(`native/generate.mjs: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
