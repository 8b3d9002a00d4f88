import type { ProviderId } from '../../../shared/settings.ts';
import type { Services } from '../services.ts';
import { FanartClient, fanartArtProvider } from './fanart.ts';
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
  const tmdb = new TmdbClient({ http, settings: s.settings, clock: s.clock, log: log.child('tmdb') });
  const fanart = new FanartClient({ http, settings: s.settings, log: log.child('fanart') });
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
    close: () => http.close(),
  };
}
