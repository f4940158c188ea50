/** Ends one run: frees its slot and counts its duration towards the typical one. */
export type Release = () => void;

/** Whole seconds, at least one: `Retry-After` counts seconds, and a zero invites a client to spin. */
const wholeSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1_000));

/**
 * At most `max` runs of one kind of work at once in this process (work that
 * holds a pooled database connection throughout, say), and, when all slots
 * are taken, how long until one is likely to free up: for `Retry-After`.
 */
export class ConcurrencyLimit {
  /** When each run in progress started. */
  private readonly running = new Set<{ startedAt: number }>();
  /** How long the last run took; undefined until one has ended. */
  private lastDurationMs: number | undefined;

  constructor(
    readonly max: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a slot, or answers undefined when all are taken. Release it exactly once when the run ends. */
  tryAcquire(): Release | undefined {
    if (this.running.size >= this.max) return undefined;
    const run = { startedAt: this.now() };
    this.running.add(run);
    return () => {
      if (!this.running.delete(run)) return;
      this.lastDurationMs = this.now() - run.startedAt;
    };
  }

  /**
   * The wait until the soonest run is likely to end, in whole seconds: what
   * the last run took, less what each has run already; for a run that has
   * gone past it, or before any has ended, as long again as it has run (a run
   * that has gone t seconds needs about t more with fair odds). At least one.
   */
  retryAfterSeconds(): number {
    const now = this.now();
    let soonestMs = Number.POSITIVE_INFINITY;
    for (const { startedAt } of this.running) {
      const elapsed = now - startedAt;
      const remaining =
        this.lastDurationMs !== undefined && this.lastDurationMs > elapsed ? this.lastDurationMs - elapsed : elapsed;
      soonestMs = Math.min(soonestMs, remaining);
    }
    return wholeSeconds(Number.isFinite(soonestMs) ? soonestMs : 0);
  }
}
