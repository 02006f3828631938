/**
 * Progress of long CLI work on stderr: rewritten in place on a terminal, a line every few seconds otherwise
 * (CI logs, `| tee`). Shows done/total, percent, rate and ETA.
 */
export interface ProgressOptions {
  label: string;
  unit: string;
  stream?: NodeJS.WriteStream;
  /** Lines when not on a terminal: at most one per this many ms. */
  logEveryMs?: number;
  now?: () => number;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One progress line: "verify 120000/1000000 (12.0%) 450.2k entries/s, ETA 2s". */
export function progressLine(label: string, unit: string, done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const percent = total > 0 ? ((done / total) * 100).toFixed(1) : '100.0';
  const eta = done >= total ? '0s' : rate > 0 ? formatDuration((total - done) / rate) : '?';
  return `${label} ${done}/${total} (${percent}%) ${formatRate(rate)} ${unit}/s, ETA ${eta}`;
}

export class Progress {
  private readonly started: number;
  private lastLog = -Infinity;
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  update(done: number, total: number): void {
    const t = this.now();
    const line = progressLine(this.options.label, this.options.unit, done, total, t - this.started);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
    } else if (t - this.lastLog >= (this.options.logEveryMs ?? 5000) || done === total) {
      this.lastLog = t;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the in-place line; returns elapsed milliseconds. */
  done(): number {
    if (this.stream.isTTY) this.stream.write('\n');
    return this.now() - this.started;
  }
}
