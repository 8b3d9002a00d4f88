/**
 * A token bucket of one token (pacing): permission to send one request, first come first served,
 * at most `rate()` per second and evenly spaced, so a server-side sliding-window limiter of the
 * same rate never sees a burst. Implemented as virtual scheduling (GCRA): each request gets the
 * next slot on an ideal timeline.
 *
 * - `headroom` (< 1) paces a little under the configured rate, which keeps any one-second window
 *   under the limit even when timers and the network add a few milliseconds here and there.
 * - `slackMs`: a timer that fires late does not push the whole timeline back; up to this much
 *   lateness is made up, so the average rate holds on a busy machine.
 * - `pause(ms)` stops the bucket for a while: after a 429 every request of the budget waits, not
 *   just the one that was refused.
 *
 * Rate is read for every request, so a settings change applies at once. Time is a monotonic
 * source (performance.now), not the engine clock: pacing is about real elapsed time.
 */
export class TokenBucket {
  readonly #rate: () => number;
  readonly #now: () => number;
  readonly #headroom: number;
  readonly #slackMs: number;
  /** Earliest time the next request may go. */
  #next = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(options: { rate: () => number; now?: () => number; headroom?: number; slackMs?: number }) {
    this.#rate = options.rate;
    this.#now = options.now ?? (() => performance.now());
    this.#headroom = options.headroom ?? 1;
    this.#slackMs = options.slackMs ?? 0;
  }

  /** Resolves when a request may be sent; rejects with the signal's reason when aborted first. */
  take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#queue.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: null };
      if (signal) {
        waiter.onAbort = () => {
          this.#queue = this.#queue.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /** Stops handing out permission for `ms` (a Retry-After); pacing restarts after it. */
  pause(ms: number): void {
    const until = this.#now() + Math.max(0, ms);
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#next = Math.max(this.#next, until);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#schedule();
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Rejects every waiter (the client is closing). */
  close(reason: Error): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const w of this.#queue.splice(0)) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }

  #interval(): number {
    return 1000 / (this.#rate() * this.#headroom);
  }

  #tryTake(): boolean {
    const now = this.#now();
    if (now < this.#pausedUntil || now < this.#next) return false;
    const interval = this.#interval();
    this.#next = Math.max(this.#next, now - Math.min(this.#slackMs, interval / 2)) + interval;
    return true;
  }

  #drain(): void {
    this.#timer = null;
    while (this.#queue.length > 0 && this.#tryTake()) {
      const w = this.#queue.shift()!;
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#queue.length === 0) return;
    const wait = Math.max(this.#pausedUntil, this.#next) - this.#now();
    // ceil: a timer that fires a hair early would find the slot not yet there and spin.
    this.#timer = setTimeout(() => this.#drain(), Math.max(0, Math.ceil(wait)));
  }
}

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}
