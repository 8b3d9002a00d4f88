import { createHash } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AssetType } from '../../shared/asset-types.ts';
import type { NewCandidate } from '../../main/core/db/schema.ts';
import type { Services } from '../../main/core/services.ts';
import { insertLibrary, insertMovie } from '../helpers/seed.ts';

/*
 * Fixtures for the selection tests: a tiny real HTTP image host, and items, candidates and
 * original files written straight into the database (the state a scan and an enrichment leave).
 */

export interface ImageHost {
  base: string;
  /** Serves `bytes` at `/<name>`; returns the full URL. */
  put(name: string, bytes: Buffer, type?: string): string;
  /** Answers `/<name>` with this status and no image. */
  fail(name: string, status: number): string;
  hits(name: string): number;
  close(): Promise<void>;
}

export async function startImageHost(): Promise<ImageHost> {
  const files = new Map<string, { bytes: Buffer; type: string } | { status: number }>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]!);
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const f = files.get(name);
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else if ('status' in f) {
      res.writeHead(f.status, { 'content-type': 'text/html' }).end('<html>nope</html>');
    } else {
      res.writeHead(200, { 'content-type': f.type, 'content-length': f.bytes.length }).end(f.bytes);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    put(name, bytes, type = 'image/jpeg') {
      files.set(name, { bytes, type });
      return `${base}/${name}`;
    },
    fail(name, status) {
      files.set(name, { status });
      return `${base}/${name}`;
    },
    hits: (name) => hits.get(name) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let libraryCounter = 0;

/** A movie item in a fresh library (monitored unless told otherwise). */
export async function seedItem(
  s: Services,
  root: string,
  options: { title?: string; monitored?: boolean; tmdbId?: number; year?: number } = {},
): Promise<{ itemId: number; folder: string }> {
  const now = s.clock.now();
  const title = options.title ?? 'Fake Movie';
  const libPath = path.join(root, `lib${++libraryCounter}`);
  const folder = path.join(libPath, `${title.replace(/[\\/:]/g, ' ')} (${options.year ?? 2001})`);
  mkdirSync(folder, { recursive: true });
  const libraryId = await insertLibrary(s.db, now, { path: libPath });
  const itemId = await insertMovie(s.db, now, libraryId, {
    folder,
    basename: path.basename(folder),
    title,
    year: options.year ?? 2001,
    tmdbId: options.tmdbId ?? 1001,
    monitored: options.monitored !== false,
    state: 'enriched',
    enrichedAt: now,
  });
  return { itemId, folder };
}

export type CandidateSeed = Partial<NewCandidate> & { asset_type: AssetType; url: string };

let imageCounter = 0;

/** A candidate row as enrichment writes it. */
export async function addCandidate(s: Services, itemId: number, seed: CandidateSeed): Promise<number> {
  const now = s.clock.now();
  const row = await s.db
    .insertInto('candidates')
    .values({
      item_id: itemId,
      provider: 'tmdb',
      provider_image_id: `img-${++imageCounter}`,
      preview_url: null,
      width: null,
      height: null,
      language: null,
      vote_average: null,
      vote_count: null,
      likes: null,
      extra: null,
      seen_at: now,
      created_at: now,
      ...seed,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A file the user already had in the item's folder, as the scanner records it (row + 'original' slot). */
export async function addOriginal(
  s: Services,
  itemId: number,
  folder: string,
  type: AssetType,
  bytes: Buffer,
  options: { rank?: number; width?: number; height?: number; slot?: boolean } = {},
): Promise<number> {
  const file = path.join(folder, `${path.basename(folder)}-${type}${options.rank ? options.rank : ''}.jpg`);
  writeFileSync(file, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const now = s.clock.now();
  const row = await s.db
    .insertInto('library_files')
    .values({
      item_id: itemId,
      path: file,
      role: 'art',
      asset_type: type,
      rank: options.rank ?? 0,
      origin: 'original',
      sha256: sha,
      bytes: bytes.length,
      width: options.width ?? null,
      height: options.height ?? null,
      mtime: Math.floor(statSync(file).mtimeMs),
      seen_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (options.slot !== false) {
    await s.db
      .insertInto('slots')
      .values({
        item_id: itemId,
        asset_type: type,
        rank: options.rank ?? 0,
        blob_sha: sha,
        candidate_id: null,
        library_file_id: row.id,
        chosen_by: 'original',
        locked: 0,
        updated_at: now,
      })
      .execute();
  }
  return row.id;
}
