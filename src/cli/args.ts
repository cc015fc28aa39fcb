// Minimal argument parsing for the chanlab CLI (node:util parseArgs with clear errors).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export class Args {
  constructor(
    readonly command: string,
    private readonly values: Record<string, string | boolean | Array<string | boolean> | undefined>,
    readonly positionals: string[],
  ) {}
  str(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }
  /** A required string option. */
  need(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw new Error(`${this.command}: --${name} is required (see \`chanlab ${this.command} --help\`)`);
    return v;
  }
  flag(name: string): boolean {
    return this.values[name] === true;
  }
  int(name: string, fallback: number, min = 1): number {
    return intOption(this.str(name), name, fallback, min);
  }
  num(name: string, fallback: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
    return n;
  }
  /** An optional option holding a JSON object (e.g. --config '{"numClasses": 10}'). */
  jsonObject(name: string): Record<string, unknown> | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch (e) {
      throw new Error(`${this.command}: --${name} must be a JSON object: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${this.command}: --${name} must be a JSON object, got ${v}`);
    return parsed as Record<string, unknown>;
  }
  get help(): boolean {
    return this.flag('help');
  }
}

export function parse(command: string, argv: string[], options: Options): Args {
  try {
    const r = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return new Args(command, r.values as Record<string, string | boolean | undefined>, r.positionals);
  } catch (e) {
    throw new Error(`${command}: ${(e as Error).message} (see \`chanlab ${command} --help\`)`);
  }
}

export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}
