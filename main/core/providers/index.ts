import type { ProviderOutage } from '../../../shared/api/jobs.ts';
import type { ProviderId } from '../../../shared/settings.ts';
import type { Services } from '../services.ts';
import { FanartClient, fanartArtProvider } from './fanart.ts';
import { ProviderHealth, trackHealth } from './health.ts';
import { createHttpClient } from './http-client.ts';
import type { HttpClient } from './http.ts';
import type { ArtProvider } from './provider.ts';
import { TmdbClient, tmdbArtProvider } from './tmdb.ts';

/** The providers domain: the one HTTP client for the outside world, and the provider clients. */
export interface ProvidersDomain {
  /** Every outside request goes through it (rate limits, retries, cache, size caps). */
  http: HttpClient;
  tmdb: TmdbClient;
  fanart: FanartClient;
  /** Artwork sources in the user's order of preference; the orchestrator asks them all at once. */
  artProviders(): ArtProvider[];
  /**
   * Clients that use `key` instead of the saved key, for trying a key before it is saved: same
   * HTTP client (rate limits, retries, redaction), no response cache, nothing kept.
   */
  withKey(key: string): { tmdb: TmdbClient; fanart: FanartClient };
  /** Providers whose latest calls (with the saved keys) fail: unreachable, or refusing the key. */
  outages(): ProviderOutage[];
  close(): Promise<void>;
}

export function createProvidersDomain(s: Services): ProvidersDomain {
  const log = s.log.child('providers');
  const http = createHttpClient({
    settings: s.settings,
    clock: s.clock,
    log: s.log.child('http'),
    db: s.db,
    events: s.events,
  });
  const health = new ProviderHealth(s.clock, (outages) => s.events.emit({ type: 'provider-outages', outages }));
  const tracked = trackHealth(http, health);
  const clients = (apiKey?: string) => {
    // Only the saved keys' calls tell whether the service the jobs depend on works.
    const via = apiKey === undefined ? tracked : http;
    return {
      tmdb: new TmdbClient({ http: via, settings: s.settings, clock: s.clock, log: log.child('tmdb'), apiKey }),
      fanart: new FanartClient({ http: via, settings: s.settings, log: log.child('fanart'), apiKey }),
    };
  };
  const { tmdb, fanart } = clients();
  const byId: Record<ProviderId, ArtProvider> = { tmdb: tmdbArtProvider(tmdb), fanart: fanartArtProvider(fanart) };
  return {
    http,
    tmdb,
    fanart,
    artProviders() {
      const preferred = s.settings.get('providers.preference');
      const rest = (Object.keys(byId) as ProviderId[]).filter((id) => !preferred.includes(id));
      return [...preferred, ...rest].map((id) => byId[id]);
    },
    withKey: (key) => clients(key),
    outages: () => health.outages(),
    close: () => http.close(),
  };
}
