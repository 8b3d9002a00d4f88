import type { ItemRow } from '../../main/core/db/schema.ts';
import { startFakeProviders, type FakeMovie, type FakeProviderOptions, type FakeProviders } from '../fakes/index.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { insertLibrary, insertMovie } from '../helpers/seed.ts';

/** Engine settings that keep failure tests short: few, quick retries and a short timeout. */
export const QUICK_FAILURE_SETTINGS = { 'providers.maxRetries': 2, 'providers.timeoutSeconds': 1 } as const;

export interface EnrichFixture extends TestEngine {
  fake: FakeProviders;
  libraryId: number;
  /** A movie item as a scan would leave it (title/year from the folder, ids from an NFO). */
  addItem(item: {
    title: string;
    year?: number | null;
    tmdbId?: number | null;
    imdbId?: string | null;
    monitored?: boolean;
  }): Promise<number>;
  /** An item for a catalogue movie, by its TMDB id (identified by an NFO). */
  addKnown(movie: FakeMovie, extra?: { monitored?: boolean }): Promise<number>;
  item(id: number): Promise<ItemRow>;
  /** Requests the fake saw, by route key ("tmdb:/search/movie"). */
  hits(key: string): number;
}

/**
 * A test engine pointed at a fresh fake TMDB + Fanart.tv (URLs and keys as stored settings, so a
 * test can change them), with one movie library.
 */
export async function startEnrichFixture(
  options: { fake?: FakeProviderOptions; settings?: Record<string, unknown> } = {},
): Promise<EnrichFixture> {
  const fake = await startFakeProviders({ seed: 7, movieCount: 30, ...options.fake });
  const t = await makeTestEngine();
  const s = t.engine.services;
  await s.settings.set('tmdb.baseUrl', fake.tmdbApiUrl);
  await s.settings.set('fanart.baseUrl', fake.fanartApiUrl);
  await s.settings.set('tmdb.apiKey', fake.tmdbApiKey);
  await s.settings.set('fanart.apiKey', fake.fanartApiKey);
  for (const [key, value] of Object.entries(options.settings ?? {})) await s.settings.set(key as never, value);
  const now = s.clock.now();
  const libraryId = await insertLibrary(s.db, now, { path: t.tempDir('movies') });
  let n = 0;
  const addItem: EnrichFixture['addItem'] = async (item) => {
    const folder = `/library/movies/${item.title} (${item.year ?? 'x'}) ${n++}`;
    return insertMovie(s.db, now, libraryId, {
      folder,
      title: item.title,
      year: item.year ?? null,
      tmdbId: item.tmdbId ?? null,
      imdbId: item.imdbId ?? null,
      monitored: item.monitored !== false,
    });
  };
  return {
    ...t,
    fake,
    libraryId,
    addItem,
    addKnown: (movie, extra) => addItem({ title: movie.title, year: movie.year, tmdbId: movie.tmdbId, ...extra }),
    item: (id) => s.db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    hits: (key) => fake.stats.route(key),
    cleanup: async () => {
      await t.cleanup();
      await fake.close();
    },
  };
}
