import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { renderPicture, type PictureFormat } from '../fakes/images.ts';
import type { TestEngine } from '../helpers/engine.ts';

/** A real photographic-looking image (the fakes' renderer), deterministic per name. */
export function picture(name: string, width: number, height: number, format: PictureFormat = 'jpeg'): Promise<Buffer> {
  const hex = [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(12, '0');
  const kind = format === 'png' || format === 'svg' ? 'logo' : 'poster';
  return renderPicture(`${kind}.n.${hex.slice(0, 12)}`, width, height, format);
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ImageServer {
  url(p: string): string;
  /** Requests seen per path. */
  hits: Map<string, number>;
  route(p: string, handler: Handler): void;
  close(): Promise<void>;
}

/** A tiny real HTTP server whose routes the test decides (bad inputs need exact control). */
export async function startImageServer(routes: Record<string, Handler> = {}): Promise<ImageServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const handler = table.get(p);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not found</body></html>');
      return;
    }
    Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    hits,
    route: (p, handler) => table.set(p, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves fixed bytes with a chosen Content-Type. */
export function bytes(body: Buffer, contentType = 'image/jpeg', status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': body.length }).end(body);
  };
}

/** Every file under a folder (relative paths), for "nothing appeared" assertions. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** Inserts a library and a movie item directly (the library domain is not under test here). */
export async function makeItem(t: TestEngine, title = 'Heat'): Promise<number> {
  const db = t.engine.services.db;
  const now = t.clock.now();
  const root = t.tempDir('lib');
  const lib = await db
    .insertInto('libraries')
    .values({ path: root, kind: 'movies', name: 'Movies', naming_style: null, publish_mode: null, created_at: now, last_scan_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const item = await db
    .insertInto('items')
    .values({
      library_id: lib.id,
      parent_id: null,
      kind: 'movie',
      folder: path.join(root, title),
      video_path: path.join(root, title, `${title}.mkv`),
      basename: title,
      layout: 'own-folder',
      title,
      year: 1995,
      sort_title: null,
      tmdb_id: null,
      imdb_id: null,
      tvdb_id: null,
      state: 'new',
      match_choices: null,
      error: null,
      video_size: null,
      video_mtime: null,
      folder_signature: null,
      created_at: now,
      updated_at: now,
      scanned_at: null,
      enriched_at: null,
      enrich_after: null,
      published_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return item.id;
}

/** Inserts a candidate for an item (the enrich domain is not under test here). */
export async function makeCandidate(t: TestEngine, itemId: number, url: string, provider = 'tmdb'): Promise<number> {
  const now = t.clock.now();
  const row = await t.engine.services.db
    .insertInto('candidates')
    .values({
      item_id: itemId,
      asset_type: 'poster',
      provider,
      provider_image_id: url,
      url,
      preview_url: null,
      width: null,
      height: null,
      language: null,
      vote_average: null,
      vote_count: null,
      likes: null,
      extra: null,
      score: null,
      score_breakdown: null,
      preview_sha: null,
      phash: null,
      hash_error: null,
      cluster_id: null,
      blob_sha: null,
      download_error: null,
      seen_at: now,
      gone_at: null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Whether this test process may mount a tmpfs (root on Linux, as in CI containers): then disk
 * full, read-only and cross-filesystem cases run for real.
 */
export const canMount: boolean = (() => {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  const probe = path.join('/tmp', `posterity-mount-probe-${process.pid}`);
  try {
    mkdirSync(probe, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    try {
      rmdirSync(probe);
    } catch {
      // left for the OS to clean
    }
  }
})();

/** Mounts a tmpfs of `size` at `dir` (which must exist); returns the unmount. */
export function mountTmpfs(dir: string, options: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  return () => execFileSync('umount', [dir], { stdio: 'ignore' });
}
