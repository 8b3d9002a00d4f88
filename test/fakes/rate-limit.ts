/** Sliding one-second window; rejected requests do not count, so a client that waits recovers. */
export class RateLimiter {
  private stamps: number[] = [];

  constructor(
    private perSecond: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {}

  set(perSecond: number | null): void {
    this.perSecond = perSecond;
    this.stamps = [];
  }

  get limit(): number | null {
    return this.perSecond;
  }

  /** Returns null when allowed, else the count the request would have made (for the 429 message). */
  take(): number | null {
    if (this.perSecond === null) return null;
    const t = this.now();
    while (this.stamps.length > 0 && (this.stamps[0] ?? 0) <= t - 1000) this.stamps.shift();
    if (this.stamps.length >= this.perSecond) return this.stamps.length + 1;
    this.stamps.push(t);
    return null;
  }
}
