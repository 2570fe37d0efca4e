/**
 * Rate-limits identical log lines: a loop that fails the same way on every pass (an unfunded key, a dead RPC)
 * logs the first failure, then one line per interval carrying how many identical lines it held back.
 */
export class RepeatedLogFilter {
  private readonly seen = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The number of lines with this key suppressed since the last one logged, or undefined: suppress this one. */
  admit(key: string): number | undefined {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry !== undefined && now - entry.loggedAt < this.intervalMs) {
      entry.suppressed += 1;
      return undefined;
    }
    if (this.seen.size >= 1_000) this.prune(now);
    this.seen.set(key, { loggedAt: now, suppressed: 0 });
    return entry?.suppressed ?? 0;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.seen) if (now - entry.loggedAt >= this.intervalMs) this.seen.delete(key);
  }
}
