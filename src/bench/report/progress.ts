// A one-line progress bar for people at a terminal. Quiet when stdout is not a terminal
// or in CI, so logs and piped output never fill with carriage returns.

export interface ProgressOptions {
  /** Where the bar is drawn (default process.stdout). */
  stream?: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(text: string): boolean };
  env?: NodeJS.ProcessEnv;
  /** Minimum time between redraws (default 100 ms); the final state is always drawn. */
  minIntervalMs?: number;
  now?: () => number;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export class ProgressBar {
  readonly enabled: boolean;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private lastDraw = -Infinity;
  private finished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    if (!Number.isInteger(total) || total < 1) throw new Error(`total: expected a positive integer, got ${total}`);
    this.stream = options.stream ?? process.stdout;
    this.enabled = this.stream.isTTY === true && !isCi(options.env ?? process.env);
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  /** The line drawn for `done` of `total` (exposed for tests). */
  render(done: number, width = 30): string {
    const fraction = Math.min(1, Math.max(0, done / this.total));
    const filled = Math.round(fraction * width);
    const percent = String(Math.floor(fraction * 100)).padStart(3);
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% ${done}/${this.total}`;
  }

  update(done: number): void {
    if (!this.enabled || this.finished) return;
    const t = this.now();
    if (done < this.total && t - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = t;
    this.stream.write(`\r\x1b[K${this.render(done)}`);
  }

  /** Clears the bar so the next output starts on a clean line. */
  finish(): void {
    if (!this.enabled || this.finished) return;
    this.finished = true;
    this.stream.write('\r\x1b[K');
  }
}
