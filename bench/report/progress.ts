// Progress during long runs: a redrawn bar with elapsed and remaining time when stdout is a terminal,
// one plain line per step otherwise (CI logs, files).

export class Progress {
  private done = 0;
  private current = { label: '', weight: 0, fraction: 0 };
  private readonly startedAt = Date.now();
  private step = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly totalWeight: number,
    private readonly totalSteps: number,
    private readonly tty: boolean = process.stdout.isTTY === true,
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
  ) {
    if (this.tty) {
      this.timer = setInterval(() => this.render(), 250);
      this.timer.unref();
    }
  }

  begin(label: string, weight: number): void {
    this.step++;
    this.current = { label, weight, fraction: 0 };
    if (this.tty) this.render();
    else this.write(`[${this.step}/${this.totalSteps}] ${label}\n`);
  }

  update(fraction: number): void {
    this.current.fraction = Math.min(1, Math.max(0, fraction));
  }

  end(): void {
    this.done += this.current.weight;
    this.current = { label: '', weight: 0, fraction: 0 };
    if (this.tty) this.render();
  }

  /** Prints a line above the bar. */
  log(line: string): void {
    if (this.tty) this.write('\r\x1b[2K');
    this.write(`${line}\n`);
    if (this.tty) this.render();
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.write('\r\x1b[2K');
  }

  private render(): void {
    const doneWeight = this.done + this.current.weight * this.current.fraction;
    const frac = this.totalWeight > 0 ? Math.min(1, doneWeight / this.totalWeight) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const left = frac > 0.02 ? (elapsed / frac) * (1 - frac) : undefined;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const eta = left === undefined ? '' : ` · ~${clock(left)} left`;
    const label = this.current.label ? ` · ${this.current.label}` : '';
    this.write(
      `\r\x1b[2K${bar} ${String(Math.round(frac * 100)).padStart(3)}% · ${clock(elapsed)}${eta} · step ${this.step}/${this.totalSteps}${label}`,
    );
  }
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
