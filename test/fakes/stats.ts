export type FakeHost = 'tmdb' | 'tmdb-img' | 'fanart' | 'fanart-img';
export const FAKE_HOSTS: readonly FakeHost[] = ['tmdb', 'tmdb-img', 'fanart', 'fanart-img'];

const zero = (): Record<FakeHost, number> => ({ tmdb: 0, 'tmdb-img': 0, fanart: 0, 'fanart-img': 0 });

/** Live counters; objects are mutated in place so references held by tests stay current. */
export interface FakeStats {
  /** Requests received per listener. */
  readonly byHost: Record<FakeHost, number>;
  /** Requests per route pattern, e.g. "tmdb:/movie/:id", "fanart:/movies/:id", "tmdb-img". */
  readonly byRoute: Record<string, number>;
  /** Responses sent with status 429 by the rate limiter (all listeners). */
  rateLimited429: number;
  /** Requests answered by an injected fault. */
  faultsInjected: number;
  /** Requests being handled right now, per listener. */
  readonly inFlight: Record<FakeHost, number>;
  /** Highest concurrent in-flight count seen per listener since the last reset. */
  readonly maxConcurrent: Record<FakeHost, number>;
  /** byRoute[key] ?? 0. */
  route(key: string): number;
  reset(): void;
}

export class StatsRecorder implements FakeStats {
  readonly byHost = zero();
  readonly byRoute: Record<string, number> = {};
  rateLimited429 = 0;
  faultsInjected = 0;
  readonly inFlight = zero();
  readonly maxConcurrent = zero();

  route(key: string): number {
    return this.byRoute[key] ?? 0;
  }

  record(host: FakeHost, routes: readonly string[]): void {
    this.byHost[host]++;
    for (const r of routes) this.byRoute[r] = (this.byRoute[r] ?? 0) + 1;
  }

  enter(host: FakeHost): void {
    this.inFlight[host]++;
    if (this.inFlight[host] > this.maxConcurrent[host]) this.maxConcurrent[host] = this.inFlight[host];
  }

  leave(host: FakeHost): void {
    this.inFlight[host] = Math.max(0, this.inFlight[host] - 1);
  }

  reset(): void {
    for (const h of Object.keys(this.byHost) as FakeHost[]) {
      this.byHost[h] = 0;
      this.maxConcurrent[h] = this.inFlight[h];
    }
    for (const k of Object.keys(this.byRoute)) delete this.byRoute[k];
    this.rateLimited429 = 0;
    this.faultsInjected = 0;
  }
}
