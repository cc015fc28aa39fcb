// Number formats for CLI output; the table formatter itself is src/core/table.ts (also used below the CLI).
export { table } from '../core/table.js';

export function fmt(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
