/**
 * Work that runs every `intervalMs` and on demand, never twice at once: a call
 * made while a run is going queues behind it (and gets its own result), and a
 * tick that finds a run going skips. Used by the background jobs that drain a
 * table (the audit sealer, the outbox publisher).
 */
export class SerialJob {
  private running: Promise<number> = Promise.resolve(0);
  private busy = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly work: () => Promise<number>) {}

  /** Runs the work once, after any run already going; resolves with what it returns. */
  run(): Promise<number> {
    const run = this.running
      .catch(() => 0)
      .then(async () => {
        this.busy = true;
        try {
          return await this.work();
        } finally {
          this.busy = false;
        }
      });
    this.running = run;
    return run;
  }

  /** Runs it every `intervalMs` from now on; a failed tick is the work's to report. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (!this.busy) void this.run().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  /** No more ticks, then one last run (what was left at shutdown); its failure is the work's to report. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.run().catch(() => undefined);
  }
}
