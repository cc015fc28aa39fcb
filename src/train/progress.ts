// Console output of a run: a one-line progress bar redrawn in place on a TTY, plain lines otherwise.

export interface ProgressOptions {
  /** write function (default: process.stderr) */
  write?: (s: string) => void;
  /** redraw in place (default: stderr is a TTY) */
  tty?: boolean;
  quiet?: boolean;
}

export class Progress {
  private readonly write: (s: string) => void;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private lastDraw = 0;
  private drawn = false;

  constructor(o: ProgressOptions = {}) {
    this.write = o.write ?? ((s) => process.stderr.write(s));
    this.tty = o.tty ?? (o.write === undefined && process.stderr.isTTY === true);
    this.quiet = o.quiet ?? false;
  }

  /** Progress within an epoch; on a TTY redrawn at most every 100 ms, otherwise printed only when `force`. */
  update(epoch: number, epochs: number, done: number, total: number, text: string, force = false): void {
    if (this.quiet) return;
    if (this.tty) {
      const now = Date.now();
      if (!force && now - this.lastDraw < 100 && done !== total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((width * done) / Math.max(total, 1));
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.write(`\r\x1b[2Kepoch ${epoch + 1}/${epochs} ${bar} ${done}/${total} ${text}`);
      this.drawn = true;
    } else if (force) {
      this.write(`epoch ${epoch + 1}/${epochs} ${done}/${total} ${text}\n`);
    }
  }

  /** A line that stays (ends the bar on a TTY). */
  line(text: string): void {
    if (this.quiet) return;
    if (this.tty && this.drawn) this.write('\r\x1b[2K');
    this.drawn = false;
    this.write(`${text}\n`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const r = Math.round(s);
  return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
}
