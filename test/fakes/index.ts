/**
 * In-process fakes of TMDB v3 (+ image CDN) and Fanart.tv v3/v3.1/v3.2 (+ asset host): four real
 * HTTP listeners on 127.0.0.1, one origin each, serving a catalogue generated from a seed.
 * Same-picture candidates across providers: `catalogue.duplicatePairs()` (or `pictureId`).
 */
import type http from 'node:http';
import { buildCatalogue, type FakeCatalogue } from './catalogue.ts';
import { fanartErrorBody, tmdbRateLimitBody } from './errors.ts';
import { Faults, type FaultInjector } from './faults.ts';
import { fanartRouter } from './fanart-routes.ts';
import { json, listen, shutdown, type Router } from './http.ts';
import { fanartAssetRouter, tmdbImageRouter } from './image-routes.ts';
import { RateLimiter } from './rate-limit.ts';
import { createFakeServer } from './server.ts';
import { StatsRecorder, type FakeHost, type FakeStats } from './stats.ts';
import { TMDB_BEARER_TOKEN, tmdbRouter } from './tmdb-routes.ts';

export interface FakeProviderOptions {
  /** Default 1. */
  seed?: number;
  /** Catalogue size, default 50. */
  movieCount?: number;
  /** Default 'fake-tmdb-key'; the Bearer token 'fake-tmdb-token' is accepted too. */
  tmdbApiKey?: string;
  /** Default 'fake-fanart-key'. */
  fanartApiKey?: string;
  /** Added to every API response (not the image hosts). Default 0. */
  latencyMs?: number;
  /** Requests/s on the TMDB API; above it → 429 code 25 + Retry-After: 1. Default null (off). */
  tmdbRateLimit?: number | null;
  fanartRateLimit?: number | null;
}

export interface FakeProviders {
  /** http://127.0.0.1:PORT/3 (no trailing slash). */
  tmdbApiUrl: string;
  /** What /configuration returns as secure_base_url: http://127.0.0.1:PORT/t/p/ */
  tmdbImageBaseUrl: string;
  /** http://127.0.0.1:PORT/v3 (v3.1 and v3.2 live next to it). */
  fanartApiUrl: string;
  /** Origin of the Fanart asset host, http://127.0.0.1:PORT (Fanart JSON carries full URLs anyway). */
  fanartAssetUrl: string;
  tmdbApiKey: string;
  /** 'fake-tmdb-token', for `Authorization: Bearer`. */
  tmdbBearerToken: string;
  fanartApiKey: string;
  catalogue: FakeCatalogue;
  stats: FakeStats;
  faults: FaultInjector;
  setLatency(ms: number): void;
  setRateLimit(provider: 'tmdb' | 'fanart', perSecond: number | null): void;
  close(): Promise<void>;
}

export async function startFakeProviders(options: FakeProviderOptions = {}): Promise<FakeProviders> {
  const tmdbApiKey = options.tmdbApiKey ?? 'fake-tmdb-key';
  const fanartApiKey = options.fanartApiKey ?? 'fake-fanart-key';
  const stats = new StatsRecorder();
  const faults = new Faults();
  const limiters = {
    tmdb: new RateLimiter(options.tmdbRateLimit ?? null),
    fanart: new RateLimiter(options.fanartRateLimit ?? null),
  };
  let latency = options.latencyMs ?? 0;

  // Routers are bound after listening, because the catalogue's Fanart URLs need the asset port.
  const routers: Partial<Record<FakeHost, Router>> = {};
  const lateRouter =
    (host: FakeHost): Router =>
    (req) => {
      const r = routers[host];
      if (!r) throw new Error(`fake ${host} not ready`);
      return r(req);
    };
  const servers: Record<FakeHost, http.Server> = {
    tmdb: createFakeServer('tmdb', lateRouter('tmdb'), {
      stats,
      faults,
      limiter: limiters.tmdb,
      rateLimitResponse: (count, limit) => json(429, tmdbRateLimitBody(count, limit), { 'retry-after': '1' }),
      latencyMs: () => latency,
    }),
    'tmdb-img': createFakeServer('tmdb-img', lateRouter('tmdb-img'), { stats, faults, latencyMs: () => 0 }),
    fanart: createFakeServer('fanart', lateRouter('fanart'), {
      stats,
      faults,
      limiter: limiters.fanart,
      rateLimitResponse: () => json(429, fanartErrorBody('Too many requests'), { 'retry-after': '1' }),
      latencyMs: () => latency,
    }),
    'fanart-img': createFakeServer('fanart-img', lateRouter('fanart-img'), { stats, faults, latencyMs: () => 0 }),
  };
  const all = Object.values(servers);
  try {
    const [tmdbPort, tmdbImgPort, fanartPort, fanartImgPort] = await Promise.all([
      listen(servers.tmdb),
      listen(servers['tmdb-img']),
      listen(servers.fanart),
      listen(servers['fanart-img']),
    ]);
    const origin = (port: number): string => `http://127.0.0.1:${port}`;
    const tmdbImageBaseUrl = `${origin(tmdbImgPort)}/t/p/`;
    const catalogue = buildCatalogue({
      seed: options.seed ?? 1,
      movieCount: options.movieCount ?? 50,
      fanartAssetOrigin: origin(fanartImgPort),
    });
    routers.tmdb = tmdbRouter({
      catalogue,
      apiKey: tmdbApiKey,
      bearerToken: TMDB_BEARER_TOKEN,
      imageBaseUrl: tmdbImageBaseUrl,
    });
    routers['tmdb-img'] = tmdbImageRouter(catalogue);
    routers.fanart = fanartRouter({ catalogue, apiKey: fanartApiKey });
    routers['fanart-img'] = fanartAssetRouter(catalogue);

    let closing: Promise<void> | undefined;
    return {
      tmdbApiUrl: `${origin(tmdbPort)}/3`,
      tmdbImageBaseUrl,
      fanartApiUrl: `${origin(fanartPort)}/v3`,
      fanartAssetUrl: origin(fanartImgPort),
      tmdbApiKey,
      tmdbBearerToken: TMDB_BEARER_TOKEN,
      fanartApiKey,
      catalogue,
      stats,
      faults,
      setLatency(ms) {
        latency = Math.max(0, ms);
      },
      setRateLimit(provider, perSecond) {
        limiters[provider].set(perSecond);
      },
      close() {
        closing ??= Promise.all(all.map(shutdown)).then(() => undefined);
        return closing;
      },
    };
  } catch (err) {
    await Promise.all(all.map(shutdown));
    throw err;
  }
}

export { buildCatalogue } from './catalogue.ts';
export type {
  DuplicatePair,
  FakeCastMember,
  FakeCatalogue,
  FakeCollection,
  FakeCrewMember,
  FakeFanartImage,
  FakeMovie,
  FakeReleaseDate,
  FakeTmdbImage,
  FanartTypeKey,
} from './catalogue.ts';
export { FANART_MOVIE_TYPES, FANART_UNKNOWN_TYPE, normaliseForSearch } from './catalogue.ts';
export type { FaultHandle, FaultInjector, FaultKind, FaultRule } from './faults.ts';
export type { FakeHost, FakeStats } from './stats.ts';
export {
  bombPng,
  BOMB_HEIGHT,
  BOMB_WIDTH,
  parsePictureId,
  renderPicture,
  type PictureFormat,
  type PictureKind,
} from './images.ts';
export { TMDB_IMAGE_SIZES } from './tmdb-routes.ts';
