import os from 'node:os';

/**
 * A bounded pool for the CPU-heavy part of ingest (decodes, and thumbnail encodes as turns of
 * their own). sharp already runs each pipeline
 * on libuv's threadpool, off the event loop; what it lacks is a bound, so a burst of 200
 * downloads does not decode 200 images at once. One slot per core keeps every core busy and
 * memory flat.
 */
export class WorkPool {
  #size: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#size = normalise(size);
  }

  get size(): number {
    return this.#size;
  }

  /** Changes the bound; `0` means one per core. Running work finishes; waiting work starts as slots free. */
  resize(size: number): void {
    this.#size = normalise(size);
    this.#drain();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#size) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#drain();
    }
  }

  #drain(): void {
    while (this.#active < this.#size && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()!();
    }
  }
}

function normalise(size: number): number {
  return size > 0 ? Math.floor(size) : Math.max(1, os.availableParallelism());
}
