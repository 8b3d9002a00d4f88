import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { createEngine, type Engine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { startFakeProviders, type FakeMovie, type FakeProviders } from '../test/fakes/index.ts';
import type { Bench, BenchRow } from './harness.ts';
import { insertLibrary, insertMovie } from '../test/helpers/seed.ts';

const MOVIES = Number(process.env.BENCH_ENRICH_MOVIES ?? 2000);
const LATENCY_MS = 40;
const TMDB_LIMIT = 40;
/** The sequential client is measured on this many movies and extrapolated per movie. */
const SEQUENTIAL_SAMPLE = 60;
/** A second, smaller run at a latency closer to a far-away API, where waiting dominates. */
const FAR = { movies: Number(process.env.BENCH_ENRICH_FAR_MOVIES ?? 400), latencyMs: 200, sample: 15 };

/**
 * Enrichment throughput against the fake providers (TMDB limited to 40 requests/s, 40 ms latency
 * on every API answer), compared in the same run with a naive client that sends one request at a
 * time: search, details, Fanart.tv, movie after movie (measured on a sample, per movie).
 *
 * Fanart.tv's own budget (5 requests/s by default, a politeness setting: the service publishes no
 * limit and the fake enforces none) is raised for this run so the TMDB limit is what is measured.
 *
 * At 40 ms the naive client already reaches ~22 TMDB requests/s, so no client can be more than
 * limit / that ≈ 1.8× faster in requests (the "ceiling" row); the far run shows the ratio where
 * latency, not the limit, bounds the naive client.
 */
const bench: Bench = {
  name: 'enrich',
  description: `enrich ${MOVIES} movies (TMDB limit ${TMDB_LIMIT}/s, ${LATENCY_MS} ms latency) vs a one-request-at-a-time client`,
  async run() {
    const near = await scenario({ movies: MOVIES, latencyMs: LATENCY_MS, sample: SEQUENTIAL_SAMPLE, prefix: '' });
    const far =
      FAR.movies > 0
        ? await scenario({
            movies: FAR.movies,
            latencyMs: FAR.latencyMs,
            sample: FAR.sample,
            prefix: `[${FAR.movies} @ ${FAR.latencyMs} ms] `,
          })
        : [];
    return [...near, ...far];
  },
};

export default bench;

async function scenario(o: { movies: number; latencyMs: number; sample: number; prefix: string }): Promise<BenchRow[]> {
  const fake = await startFakeProviders({
    seed: 11,
    movieCount: o.movies,
    latencyMs: o.latencyMs,
    tmdbRateLimit: TMDB_LIMIT,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-bench-enrich-'));
  let engine: Engine | undefined;
  try {
    // The naive client first, on a sample, then a quiet second so the limiter window is empty.
    const sequential = await sequentialClient(fake, fake.catalogue.movies.slice(0, o.sample));
    await new Promise((r) => setTimeout(r, 1100));
    fake.stats.reset();

    engine = await createEngine({
      dataDir: dir,
      env: { POSTERITY_TMDB_API_URL: fake.tmdbApiUrl, POSTERITY_FANART_API_URL: fake.fanartApiUrl },
      logger: createLogger({ consoleLevel: 'silent' }),
    });
    const s = engine.services;
    await s.settings.set('tmdb.apiKey', fake.tmdbApiKey);
    await s.settings.set('fanart.apiKey', fake.fanartApiKey);
    await s.settings.set('fanart.requestsPerSecond', 200);
    const ids = await addItems(engine, fake.catalogue.movies);

    const t0 = performance.now();
    const summary = await s.enrich.enrichItems(ids);
    const seconds = (performance.now() - t0) / 1000;

    const tmdbServed = fake.stats.byHost.tmdb - fake.stats.rateLimited429;
    const tmdbRate = tmdbServed / seconds;
    const moviesPerMin = (summary.enriched / seconds) * 60;
    const rateLimitFailures = summary.failed.filter((f) => /429|too many/i.test(f.reason)).length;
    const p = o.prefix;
    return [
      { metric: `${p}movies enriched`, value: summary.enriched, unit: `of ${ids.length}` },
      { metric: `${p}needs match or failed`, value: summary.needsMatch + summary.failed.length, unit: 'items' },
      { metric: `${p}duration`, value: seconds, unit: 's' },
      { metric: `${p}TMDB requests answered`, value: tmdbServed, unit: 'req' },
      { metric: `${p}TMDB requests/s`, value: tmdbRate, unit: 'req/s' },
      {
        metric: `${p}share of the TMDB limit`,
        value: (tmdbRate / TMDB_LIMIT) * 100,
        unit: '%',
        target: { op: '>=', value: 90 },
      },
      { metric: `${p}429 answers received`, value: fake.stats.rateLimited429, unit: '' },
      { metric: `${p}failed for rate limits`, value: rateLimitFailures, unit: 'items', target: { op: '<=', value: 0 } },
      { metric: `${p}movies/min`, value: moviesPerMin, unit: '/min' },
      { metric: `${p}sequential req/s (${o.sample} movies)`, value: sequential.requestsPerSecond, unit: 'req/s' },
      { metric: `${p}sequential movies/min`, value: sequential.moviesPerMinute, unit: '/min' },
      {
        metric: `${p}movies/min vs sequential`,
        value: moviesPerMin / sequential.moviesPerMinute,
        unit: '×',
        target: { op: '>=', value: 10 },
      },
      {
        metric: `${p}best possible ratio at this limit`,
        value: TMDB_LIMIT / sequential.tmdbRequestsPerSecond,
        unit: '× (limit / sequential TMDB req/s)',
      },
    ];
  } finally {
    await engine?.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function addItems(engine: Engine, movies: readonly FakeMovie[]): Promise<number[]> {
  const s = engine.services;
  const now = s.clock.now();
  const libraryId = await insertLibrary(s.db, now, { path: '/bench/movies', name: 'Bench' });
  const ids: number[] = [];
  await s.db.transaction().execute(async (trx) => {
    for (const [i, m] of movies.entries())
      ids.push(await insertMovie(trx, now, libraryId, { folder: `/bench/movies/${i}`, title: m.title, year: m.year }));
  });
  return ids;
}

/** The baseline: one connection, one request at a time, the same three questions per movie. */
async function sequentialClient(fake: FakeProviders, movies: readonly FakeMovie[]) {
  const agent = new Agent({ connections: 1 });
  const get = async (url: string) => {
    const res = await request(url, { dispatcher: agent });
    await res.body.text();
    return res.statusCode;
  };
  let tmdbRequests = 0;
  let requests = 0;
  const t0 = performance.now();
  for (const m of movies) {
    const q = new URLSearchParams({ query: m.title, year: String(m.year), api_key: fake.tmdbApiKey });
    await get(`${fake.tmdbApiUrl}/search/movie?${q}`);
    await get(
      `${fake.tmdbApiUrl}/movie/${m.tmdbId}?append_to_response=external_ids,credits,release_dates,images&api_key=${fake.tmdbApiKey}`,
    );
    await get(`${fake.fanartApiUrl}/movies/${m.tmdbId}?api_key=${fake.fanartApiKey}`);
    tmdbRequests += 2;
    requests += 3;
  }
  const seconds = (performance.now() - t0) / 1000;
  await agent.close();
  return {
    requestsPerSecond: requests / seconds,
    tmdbRequestsPerSecond: tmdbRequests / seconds,
    moviesPerMinute: (movies.length / seconds) * 60,
  };
}
