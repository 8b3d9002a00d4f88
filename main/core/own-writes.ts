/**
 * Paths this process has just written into, or moved out of, a library: the publisher notes
 * each before it touches it, and the library watcher drops the events they cause. Without this,
 * every publish queued a rescan of each folder it had just written (dozens of jobs per run).
 * Real time, not the engine clock: the events arrive in real time.
 */
export class OwnWrites {
  readonly #until = new Map<string, number>();
  readonly #ttlMs: number;

  /** How long after a write its events are still ours: inotify and chokidar deliver within seconds. */
  constructor(ttlMs = 30_000) {
    this.#ttlMs = ttlMs;
  }

  note(path: string): void {
    const now = Date.now();
    if (this.#until.size > 10_000) this.#prune(now);
    this.#until.set(path, now + this.#ttlMs);
  }

  /** Whether an event at `path` is the echo of one of our own writes. */
  has(path: string): boolean {
    const until = this.#until.get(path);
    if (until === undefined) return false;
    if (until >= Date.now()) return true;
    this.#until.delete(path);
    return false;
  }

  #prune(now: number): void {
    for (const [p, until] of this.#until) if (until < now) this.#until.delete(p);
  }
}
