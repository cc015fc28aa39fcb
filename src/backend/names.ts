/** The backends chanlab knows how to start. `wasm` is the embedded default. */
export const BACKEND_NAMES = ['wasm', 'webgpu', 'cpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

export function parseBackendName(name: string, what = 'backend'): BackendName {
  if (!isBackendName(name)) {
    throw new Error(`${what}: unknown backend '${name}'; expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return name;
}
