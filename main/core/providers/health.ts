import type { ProviderOutage } from '../../../shared/api/jobs.ts';
import type { ProviderId } from '../../../shared/settings.ts';
import type { Clock } from '../clock.ts';
import { PROVIDER_LABELS } from './errors.ts';
import { HttpError, type HttpBudget, type HttpClient } from './http.ts';

/**
 * What the latest calls to each provider API say about the provider itself, not about a movie:
 * it cannot be reached, or it refuses the key. Enrichment failures are recorded per item and per
 * job; this is the one place that tells "TMDB is down" apart from "TMDB has no such movie", so
 * the UI can say so once instead of in every failed job.
 *
 * Fed by `trackHealth`, which sees every answer the provider clients get from the HTTP client
 * (after its retries). Kept in memory: an outage is about now, and the process that runs the
 * jobs is the one making the calls.
 */
export class ProviderHealth {
  readonly #clock: Clock;
  readonly #changed: (outages: ProviderOutage[]) => void;
  readonly #outages = new Map<ProviderId, ProviderOutage>();

  constructor(clock: Clock, changed: (outages: ProviderOutage[]) => void) {
    this.#clock = clock;
    this.#changed = changed;
  }

  outages(): ProviderOutage[] {
    return [...this.#outages.values()];
  }

  /** The provider answered (any status but a refused key, overload or rate limit): it is up. */
  recovered(provider: ProviderId): void {
    if (this.#outages.delete(provider)) this.#changed(this.outages());
  }

  failed(provider: ProviderId, reason: ProviderOutage['reason'], detail: string): void {
    const current = this.#outages.get(provider);
    if (current?.reason === reason) {
      // Still the same outage: it keeps its start; the detail may change (503 then a timeout).
      current.detail = detail;
      return;
    }
    this.#outages.set(provider, {
      provider,
      label: PROVIDER_LABELS[provider],
      reason,
      since: this.#clock.now(),
      detail,
    });
    this.#changed(this.outages());
  }
}

/** The HTTP budgets that are provider APIs (image hosts and players are not watched). */
const PROVIDER_OF: Partial<Record<HttpBudget, ProviderId>> = { tmdb: 'tmdb', fanart: 'fanart' };

/**
 * The HTTP client as the provider clients using the saved keys see it, reporting each outcome
 * to `health`. A trial of a typed key goes around it: a wrong key typed in Settings says
 * nothing about the one enrichment uses.
 */
export function trackHealth(http: HttpClient, health: ProviderHealth): HttpClient {
  return {
    download: (url, options) => http.download(url, options),
    postJson: (url, body, options) => http.postJson(url, body, options),
    stats: () => http.stats(),
    close: () => http.close(),
    async getJson(url, options) {
      const provider = PROVIDER_OF[options.budget];
      if (!provider) return http.getJson(url, options);
      let res;
      try {
        res = await http.getJson(url, options);
      } catch (err) {
        // Cancellations are not the provider's doing; a 429 the client gave up on means it is up
        // but busy, which the rate limiter handles and the user cannot fix.
        if (err instanceof HttpError && (err.code === 'network' || err.code === 'timeout'))
          health.failed(provider, 'unreachable', err.message);
        throw err;
      }
      // A cached answer says nothing about the provider now.
      if (res.fromCache) return res;
      if (res.status === 401 || res.status === 403) health.failed(provider, 'auth', `HTTP ${res.status}`);
      else if (res.status >= 500) health.failed(provider, 'unreachable', `HTTP ${res.status}`);
      else if (res.status !== 429) health.recovered(provider);
      return res;
    },
  };
}
