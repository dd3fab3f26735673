// Progress on standard error for long runs on a terminal (bytes read of the total); never on a
// pipe or under --quiet (contract).

export class Progress {
  private last = 0;
  private shown = false;
  private readonly enabled: boolean;
  private readonly started = Date.now();

  constructor(quiet: boolean) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(bytesRead: number, totalBytes: number | undefined): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200 || now - this.started < 500) return;
    this.last = now;
    const mb = (n: number) => (n / 1e6).toFixed(0);
    const text = totalBytes
      ? `reading ${mb(bytesRead)} of ${mb(totalBytes)} MB (${((100 * bytesRead) / totalBytes).toFixed(0)}%)`
      : `reading ${mb(bytesRead)} MB`;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
