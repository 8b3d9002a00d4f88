import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AutomationLevel } from '../../shared/settings.ts';
import type { Services } from '../../main/core/services.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import type { FakeMovie } from '../fakes/catalogue.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/*
 * A real engine over a real library folder, pointed at the fake TMDB and Fanart.tv: what the
 * automation tests (pipeline, webhooks) drive end to end. Movies are folders named the way
 * Radarr names them, with a tiny video file and an NFO carrying the TMDB id.
 */

export interface MovieOnDisk {
  movie: FakeMovie;
  /** Absolute folder, as Radarr would report it after path mapping. */
  folder: string;
  /** Folder relative to the library root ("Title (Year)"). */
  name: string;
  basename: string;
}

export interface AutomationFixture extends TestEngine {
  s: Services;
  fakes: FakeProviders;
  root: string;
  libraryId: number;
  movies: MovieOnDisk[];
  /** Environment that points an engine (or a daemon child process) at the fakes. */
  env: NodeJS.ProcessEnv;
  /** Total requests the fake providers have answered (API and image hosts). */
  providerRequests(): number;
  /** File names in a movie folder, sorted. */
  files(folder: string): string[];
  itemIdOf(folder: string): Promise<number>;
}

export function fakeEnv(fakes: FakeProviders): NodeJS.ProcessEnv {
  return {
    POSTERITY_TMDB_API_URL: fakes.tmdbApiUrl,
    POSTERITY_TMDB_API_KEY: fakes.tmdbApiKey,
    POSTERITY_FANART_API_URL: fakes.fanartApiUrl,
    POSTERITY_FANART_API_KEY: fakes.fanartApiKey,
  };
}

/** Writes a movie folder the way Radarr leaves it: `Title (Year)/Title (Year) Quality.mkv` + NFO. */
export function writeMovie(root: string, movie: FakeMovie, quality = 'Bluray-1080p'): MovieOnDisk {
  const name = `${safe(movie.title)} (${movie.year})`;
  const folder = path.join(root, name);
  const basename = `${name} ${quality}`;
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, `${basename}.mkv`), Buffer.alloc(4096, 7));
  writeFileSync(
    path.join(folder, `${basename}.nfo`),
    `<?xml version="1.0" encoding="UTF-8"?>\n<movie><title>${xml(movie.title)}</title><year>${movie.year}</year>` +
      `<uniqueid type="tmdb" default="true">${movie.tmdbId}</uniqueid><uniqueid type="imdb">${movie.imdbId}</uniqueid></movie>\n`,
  );
  return { movie, folder, name, basename };
}

export async function automationFixture(
  options: { movies?: number; level?: AutomationLevel; seed?: number } = {},
): Promise<AutomationFixture> {
  const fakes = await startFakeProviders({ seed: options.seed ?? 3, movieCount: Math.max(10, options.movies ?? 2) });
  const env = fakeEnv(fakes);
  const t = await makeTestEngine({ env });
  const s = t.engine.services;
  const dir = t.tempDir('movies');
  // Posters with real pictures make the chain realistic; a movie without any art would end early.
  const withArt = fakes.catalogue.movies.filter((m) => m.posterPath !== null);
  const movies = withArt.slice(0, options.movies ?? 2).map((m) => writeMovie(dir, m));
  const lib = await s.library.addLibrary({ path: dir });
  const root = lib.path;
  for (const m of movies) m.folder = path.join(root, m.name);
  await s.settings.set('automation.level', options.level ?? 'publish');
  // The schedule is tested on its own; here it would only add noise.
  for (const key of ['schedule.rescanHours', 'schedule.verifyHours', 'schedule.gcHours'] as const) await s.settings.set(key, 0);
  const hosts = () => Object.values(fakes.stats.byHost).reduce((a, b) => a + b, 0);
  return {
    ...t,
    s,
    fakes,
    root,
    libraryId: lib.id,
    movies,
    env,
    providerRequests: hosts,
    files: (folder) => readdirSync(folder).sort(),
    async itemIdOf(folder) {
      const row = await s.db.selectFrom('items').select('id').where('folder', '=', folder).where('state', '!=', 'missing').executeTakeFirst();
      if (!row) throw new Error(`no item in ${folder}`);
      return row.id;
    },
    async cleanup() {
      await t.cleanup();
      await fakes.close();
    },
  };
}

function safe(title: string): string {
  return title.replace(/[<>:"/\\|?*]/g, '').trim();
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
