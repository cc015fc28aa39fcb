// Plain-text tables: the one column formatter for every printed table (CLI commands, benchmarks, latency, repro).

export type Align = 'left' | 'right';

export interface TableOptions {
  /** Alignment per column. Default: right for numeric columns (every cell a number such as 1,234.5 or 12%, or —),
   *  left for the others. */
  align?: readonly Align[];
}

/** Width of a cell as printed: code points, so that '×', '✓' or 'Δ' count as one column. */
const width = (s: string) => [...s].length;

/**
 * `rows` under `headers` as aligned text: columns two spaces apart, a rule of dashes under the header, no trailing
 * spaces. `headers` null prints the rows alone (a key–value block). Cells are printed with String().
 */
export function table(headers: readonly string[] | null, rows: ReadonlyArray<ReadonlyArray<string | number>>, opts: TableOptions = {}): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const all = headers ? [[...headers], ...cells] : cells;
  const n = Math.max(0, ...all.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(0, ...all.map((r) => width(r[i] ?? ''))));
  const align = opts.align ?? widths.map((_, i) => (cells.every((r) => /^[-+]?[\d,.]+%?$|^—$/.test(r[i] ?? '')) ? 'right' : 'left'));
  const pad = (c: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - width(c)));
    return align[i] === 'right' ? fill + c : c + fill;
  };
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [...(headers ? [line([...headers]), widths.map((w) => '-'.repeat(w)).join('  ')] : []), ...cells.map(line)].join('\n');
}
