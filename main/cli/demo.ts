import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors.ts';
import { inProcessClient } from '../core/api/in-process-client.ts';
import { createEngine, type Engine } from '../core/engine.ts';

/**
 * `--demo`: the whole flow without API keys. The fake TMDB and Fanart.tv servers from the test
 * suite, a generated movie library whose titles are in their catalogue, and a fresh data folder,
 * all in one temporary folder that is removed when the demo stops. Status reports `demo: true`
 * and the UI labels itself as a demo.
 */
export interface Demo {
  engine: Engine;
  /** The temporary folder holding the data folder and the library. */
  root: string;
  libraryPath: string;
  libraryId: number;
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Movies in the sample library (default 36). */
  movieCount?: number;
  /** Seed of the fake catalogue, so every demo shows the same movies. */
  seed?: number;
  /** Progress lines for the console. */
  log?: (line: string) => void;
  /** Keep the temporary folder after close (for looking at what was published). */
  keep?: boolean;
}

interface DemoMovie {
  title: string;
  year: number;
  tmdbId: number;
  imdbId: string;
}

interface FakesModule {
  startFakeProviders(options: { seed?: number; movieCount?: number; latencyMs?: number }): Promise<{
    tmdbApiUrl: string;
    fanartApiUrl: string;
    tmdbApiKey: string;
    fanartApiKey: string;
    catalogue: { movies: DemoMovie[] };
    close(): Promise<void>;
  }>;
}

interface GeneratorModule {
  generateLibrary(
    root: string,
    options: {
      movies: number;
      seed?: number;
      nasty?: boolean;
      extras?: boolean;
      nfoFraction?: number;
      artFraction?: number;
      catalogue?: readonly DemoMovie[];
    },
  ): Promise<unknown>;
}

/**
 * The library the scanner's tests use (scripts/generate-library.ts): release names, collections,
 * NFOs, some artwork already in place, extras to skip; titles from the fake catalogue so every
 * movie can be identified. Hostile names are left out: a demo shows the flow, not the edge cases.
 * Without the generator (a packaged app) a plain folder per movie is written.
 */
async function writeDemoLibrary(dir: string, movies: readonly DemoMovie[]): Promise<void> {
  let generator: GeneratorModule | null = null;
  try {
    generator = (await import('../../scripts/generate-library.ts')) as GeneratorModule;
  } catch {
    generator = null;
  }
  if (generator)
    await generator.generateLibrary(dir, { movies: movies.length, seed: 7, nasty: false, catalogue: movies });
  else writeSampleLibrary(dir, movies);
}

/** Loads the fake providers; they ship with a source checkout, not with a packaged app. */
async function loadFakes(): Promise<FakesModule> {
  try {
    return (await import('../../test/fakes/index.ts')) as FakesModule;
  } catch (err) {
    throw new ApiError(
      'internal',
      `The demo needs the fake providers of a source checkout (test/fakes): ${(err as Error).message}`,
    );
  }
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? (() => {});
  const movieCount = options.movieCount ?? 36;
  const root = mkdtempSync(path.join(os.tmpdir(), 'posterity-demo-'));
  const cleanup: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  };
  try {
    if (!options.keep) cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const fakes = await (await loadFakes()).startFakeProviders({ seed: options.seed ?? 7, movieCount, latencyMs: 40 });
    cleanup.push(() => fakes.close());
    log(`Fake TMDB at ${fakes.tmdbApiUrl}, fake Fanart.tv at ${fakes.fanartApiUrl}`);

    const libraryPath = path.join(root, 'Movies');
    await writeDemoLibrary(libraryPath, fakes.catalogue.movies);
    log(`Sample library of ${fakes.catalogue.movies.length} movies in ${libraryPath}`);

    // An empty environment: a user's real keys or URLs never leak into the demo.
    const engine = await createEngine({ dataDir: path.join(root, 'data'), env: {}, demo: true, consoleLevel: 'warn' });
    cleanup.push(() => engine.close());
    const client = inProcessClient(engine.dispatch);
    const settings: Array<[string, unknown]> = [
      ['tmdb.baseUrl', fakes.tmdbApiUrl],
      ['tmdb.apiKey', fakes.tmdbApiKey],
      ['fanart.baseUrl', fakes.fanartApiUrl],
      ['fanart.apiKey', fakes.fanartApiKey],
      ['ui.firstRunDone', true],
    ];
    for (const [key, value] of settings) await client.call('config-set', { key, value });
    const library = await client.call('library-add', { path: libraryPath, kind: 'movies', name: 'Demo movies' });
    const scan = await client.call('scan', { libraryId: library.id });
    log(`Scanned: ${scan.added} movies found`);
    // Artwork is found and chosen in the background, as automation does for a real library; the
    // grid fills in while the user watches (Activity shows the jobs).
    const items = await client.call('items-list', { libraryId: library.id, limit: 10_000 });
    if (items.items.length > 0)
      await client.call('jobs-enqueue', { kind: 'enrich-item', itemIds: items.items.map((i) => i.id), chain: true });
    return { engine, root, libraryPath, libraryId: library.id, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * One folder per movie, `Title (Year)/Title (Year).mkv`, like Radarr lays them out. The video
 * files are tiny stand-ins; a few movies share a folder to show the basename-only naming.
 */
export function writeSampleLibrary(dir: string, movies: ReadonlyArray<{ title: string; year: number }>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  movies.forEach((movie, i) => {
    const name = `${safeFileName(movie.title)} (${movie.year})`;
    // Every ninth movie lives in a shared "Collection" folder instead of its own.
    const folder = i % 9 === 8 ? path.join(dir, 'Collection') : path.join(dir, name);
    mkdirSync(folder, { recursive: true });
    const video = path.join(folder, `${name}.mkv`);
    writeFileSync(video, `Posterity demo stand-in for ${movie.title} (${movie.year})\n`);
    written.push(video);
  });
  return written;
}

/** Characters Windows, macOS and Linux file systems all accept. */
export function safeFileName(title: string): string {
  return title
    .replace(/[<>:"/\\|?*]/g, ' ')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/[. ]+$/, '')
    .trim();
}
