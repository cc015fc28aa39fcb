// Minimal argument parsing for the chanlab CLI (node:util parseArgs with clear errors).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { jsonType } from '../core/check.js';

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
    try {
      return intOption(this.str(name), name, fallback, min);
    } catch (e) {
      throw new Error(`${this.command}: ${(e as Error).message}`);
    }
  }
  num(name: string, fallback: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${this.command}: --${name} must be a number, got '${v}'`);
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
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${this.command}: --${name} must be a JSON object (e.g. '{"epochs":1}'), got ${jsonType(parsed)}: ${v}`);
    }
    return parsed as Record<string, unknown>;
  }
  get help(): boolean {
    return this.flag('help');
  }
}

/** `--opt -3` as `--opt=-3` for string options: a negative number is a value (checked later), not an unknown flag. */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parse(command: string, argv: string[], options: Options): Args {
  try {
    const args = joinNegativeValues(argv, options);
    const r = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
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
