import type { DbOrTx } from '../../main/core/db/database.ts';
import type { ItemState } from '../../main/core/db/schema.ts';

/*
 * Rows as a scan would leave them, for tests and benchmarks that start past the scan (enrich,
 * select, publish). Only what a case cares about is named; the rest takes a scan's defaults.
 */

export async function insertLibrary(
  db: DbOrTx,
  now: number,
  values: { path: string; name?: string; kind?: 'movies' | 'tv' },
): Promise<number> {
  const row = await db
    .insertInto('libraries')
    .values({ path: values.path, kind: values.kind ?? 'movies', name: values.name ?? 'Movies', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface MovieSeed {
  folder: string;
  title: string;
  year?: number | null;
  /** The video file's name without extension (default "movie"); the video is `<folder>/<basename>.mkv`. */
  basename?: string;
  tmdbId?: number | null;
  imdbId?: string | null;
  monitored?: boolean;
  state?: ItemState;
  enrichedAt?: number | null;
}

/** One movie in its own folder; returns its id. */
export async function insertMovie(db: DbOrTx, now: number, libraryId: number, m: MovieSeed): Promise<number> {
  const basename = m.basename ?? 'movie';
  const row = await db
    .insertInto('items')
    .values({
      library_id: libraryId,
      kind: 'movie',
      folder: m.folder,
      video_path: `${m.folder}/${basename}.mkv`,
      basename,
      layout: 'own-folder',
      title: m.title,
      year: m.year ?? null,
      tmdb_id: m.tmdbId ?? null,
      imdb_id: m.imdbId ?? null,
      monitored: m.monitored === false ? 0 : 1,
      state: m.state ?? 'new',
      created_at: now,
      updated_at: now,
      scanned_at: now,
      enriched_at: m.enrichedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
