import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { bombPng } from '../fakes/images.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { bytes, filesUnder, makeCandidate, makeItem, picture, startImageServer, type ImageServer } from './cache-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: ImageServer;
let poster: Buffer;
let logoPng: Buffer;
let logoSvg: Buffer;
let small: Buffer;

beforeAll(async () => {
  poster = await picture('poster', 1000, 1500);
  logoPng = await picture('logo', 800, 310, 'png');
  logoSvg = await picture('logo-svg', 800, 310, 'svg');
  small = await picture('small', 300, 450);
  server = await startImageServer({
    '/tmdb/poster.jpg': bytes(poster),
    '/fanart/same-poster.jpg': bytes(poster),
    '/logo.png': bytes(logoPng, 'image/png'),
    '/logo.svg': bytes(logoSvg, 'image/svg+xml'),
    '/small.jpg': bytes(small),
    // Declared as PNG but the bytes are JPEG: the real format decides the extension.
    '/lies.png': bytes(poster, 'image/png'),
    '/octet': bytes(poster, 'application/octet-stream'),
    '/text-plain.jpg': bytes(poster, 'text/plain'),
  });
});
afterAll(async () => server.close());

let t: TestEngine;
beforeEach(async () => {
  t = await makeTestEngine();
});
afterEach(async () => t.cleanup());

const cache = () => t.engine.services.cache;
const db = () => t.engine.services.db;
const assets = () => t.engine.services.paths.assets;

describe('ingestUrl', () => {
  it('stores a download content-addressed, with dimensions, perceptual hash, thumbnail and provenance', async () => {
    const blob = await cache().ingestUrl(server.url('/tmdb/poster.jpg'), { provider: 'tmdb', area: 'assets' });
    const digest = sha(poster);
    expect(blob).toMatchObject({ sha256: digest, ext: 'jpg', mime: 'image/jpeg', width: 1000, height: 1500, area: 'assets', state: 'available' });
    expect(blob.phash).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(assets(), digest.slice(0, 2), digest.slice(2, 4), `${digest}.jpg`);
    expect(await cache().pathOf(digest)).toBe(file);
    expect(readFileSync(file).equals(poster)).toBe(true);

    const thumb = await cache().thumbnailPath(digest, 'thumb');
    expect(thumb).toBe(path.join(t.engine.services.paths.thumbs, digest.slice(0, 2), digest.slice(2, 4), `${digest}-thumb.webp`));
    const meta = await sharp(thumb!).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 342 });
    expect(await cache().thumbnailPath(digest, 'full')).toBe(file);

    const download = await db().selectFrom('downloads').selectAll().executeTakeFirstOrThrow();
    expect(download).toMatchObject({ state: 'available', attempts: 1, blob_sha: digest, error: null, provider: 'tmdb' });
    const sources = await db().selectFrom('blob_sources').selectAll().execute();
    expect(sources).toEqual([expect.objectContaining({ provider: 'tmdb', source: server.url('/tmdb/poster.jpg') })]);
    expect(filesUnder(t.engine.services.paths.tmp)).toEqual([]);
  });

  it('stores the same bytes from TMDB and Fanart.tv once, keeping both provenances', async () => {
    const a = await cache().ingestUrl(server.url('/tmdb/poster.jpg'), { provider: 'tmdb', area: 'assets' });
    const b = await cache().ingestUrl(server.url('/fanart/same-poster.jpg'), { provider: 'fanart', area: 'assets' });
    expect(b.sha256).toBe(a.sha256);
    expect(filesUnder(assets())).toHaveLength(1);
    expect(await db().selectFrom('blobs').selectAll().execute()).toHaveLength(1);
    const sources = await db().selectFrom('blob_sources').select(['provider', 'source']).orderBy('provider').execute();
    expect(sources.map((s) => s.provider)).toEqual(['fanart', 'tmdb']);
  });

  it('does not download a URL again once it is stored, and shares one download between concurrent callers', async () => {
    const url = server.url('/small.jpg');
    const [a, b] = await Promise.all([
      cache().ingestUrl(url, { provider: 'tmdb', area: 'previews' }),
      cache().ingestUrl(url, { provider: 'tmdb', area: 'previews' }),
    ]);
    expect(a.sha256).toBe(b.sha256);
    await cache().ingestUrl(url, { provider: 'tmdb', area: 'previews' });
    expect(server.hits.get('/small.jpg')).toBe(1);
  });

  it('serves a small image as its own thumbnail instead of making one', async () => {
    const blob = await cache().ingestUrl(server.url('/small.jpg'), { provider: 'tmdb', area: 'previews' });
    expect(blob.area).toBe('previews');
    const file = await cache().pathOf(blob.sha256);
    expect(file).toContain(`${path.sep}previews${path.sep}`);
    expect(await cache().thumbnailPath(blob.sha256, 'thumb')).toBe(file);
    expect(filesUnder(t.engine.services.paths.thumbs)).toEqual([]);
  });

  it('makes a skipped thumbnail on first request', async () => {
    const blob = await cache().ingestUrl(server.url('/tmdb/poster.jpg'), { provider: 'tmdb', area: 'assets', thumbnails: false });
    expect(filesUnder(t.engine.services.paths.thumbs)).toEqual([]);
    const [a, b] = await Promise.all([cache().thumbnailPath(blob.sha256, 'thumb'), cache().thumbnailPath(blob.sha256, 'thumb')]);
    expect(a).toBe(b);
    expect(a).toMatch(/-thumb\.webp$/);
    expect(filesUnder(t.engine.services.paths.thumbs)).toHaveLength(1);
  });

  it('moves a preview up to assets when the same bytes are chosen as a full image', async () => {
    const preview = await cache().ingestUrl(server.url('/tmdb/poster.jpg'), { provider: 'tmdb', area: 'previews' });
    expect(preview.area).toBe('previews');
    const full = await cache().ingestUrl(server.url('/fanart/same-poster.jpg'), { provider: 'fanart', area: 'assets' });
    expect(full).toMatchObject({ sha256: preview.sha256, area: 'assets' });
    expect(filesUnder(t.engine.services.paths.previews)).toEqual([]);
    expect(filesUnder(assets())).toHaveLength(1);
  });

  it.each([
    ['a JPEG declared as PNG', '/lies.png'],
    ['a JPEG served as application/octet-stream', '/octet'],
    ['a JPEG served as text/plain', '/text-plain.jpg'],
  ])('takes the extension from the real format: %s', async (_name, p) => {
    const blob = await cache().ingestUrl(server.url(p), { provider: 'tmdb', area: 'assets' });
    expect(blob).toMatchObject({ ext: 'jpg', mime: 'image/jpeg' });
    expect(await cache().pathOf(blob.sha256)).toMatch(/\.jpg$/);
  });

  it('keeps PNG transparency and rasterises SVG logos to PNG', async () => {
    const png = await cache().ingestUrl(server.url('/logo.png'), { provider: 'fanart', area: 'assets' });
    expect(png).toMatchObject({ ext: 'png', width: 800, height: 310 });
    const svg = await cache().ingestUrl(server.url('/logo.svg'), { provider: 'tmdb', area: 'assets' });
    expect(svg).toMatchObject({ ext: 'png', mime: 'image/png', width: 2000 });
    expect(svg.sha256).not.toBe(sha(logoSvg)); // addressed by the PNG that is stored
    const stored = readFileSync((await cache().pathOf(svg.sha256))!);
    expect(sha(stored)).toBe(svg.sha256);
    expect((await sharp(stored).metadata()).hasAlpha).toBe(true);
    expect(filesUnder(t.engine.services.paths.tmp)).toEqual([]);
  });

  it('notes the stored image on its candidate', async () => {
    const itemId = await makeItem(t);
    const url = server.url('/tmdb/poster.jpg');
    const candidateId = await makeCandidate(t, itemId, url);
    const full = await cache().ingestUrl(url, { provider: 'tmdb', area: 'assets', candidateId });
    const preview = await cache().ingestUrl(server.url('/small.jpg'), { provider: 'tmdb', area: 'previews', candidateId });
    const row = await db().selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ blob_sha: full.sha256, preview_sha: preview.sha256, download_error: null });
  });

  it('records a download outside any transaction another caller holds open, so its rollback cannot undo it', async () => {
    const url = server.url('/small.jpg');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const other = db()
      .transaction()
      .execute(async (trx) => {
        await trx.selectFrom('blobs').selectAll().execute();
        await held;
        throw new Error('rolled back');
      })
      .catch((err: Error) => err.message);
    const ingest = cache().ingestUrl(url, { provider: 'tmdb', area: 'previews' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await other).toBe('rolled back');
    const blob = await ingest;
    const download = await db().selectFrom('downloads').selectAll().where('url', '=', url).executeTakeFirst();
    expect(download).toMatchObject({ state: 'available', attempts: 1, blob_sha: blob.sha256 });
    expect(await cache().pathOf(blob.sha256)).not.toBeNull();
  });
});

describe('ingestFile', () => {
  it('copies a local image into the cache, leaving the original alone', async () => {
    const file = path.join(t.tempDir('in'), 'my poster.jpeg');
    writeFileSync(file, poster);
    const blob = await cache().ingestFile(file, { provider: 'upload' });
    expect(blob).toMatchObject({ sha256: sha(poster), ext: 'jpg', area: 'assets' });
    expect(existsSync(file)).toBe(true);
    const sources = await db().selectFrom('blob_sources').selectAll().execute();
    expect(sources).toEqual([expect.objectContaining({ provider: 'upload', source: file })]);
  });

  it('refuses a missing file and a file that is not an image, storing nothing', async () => {
    const dir = t.tempDir('in');
    await expect(cache().ingestFile(path.join(dir, 'nope.jpg'), { provider: 'upload' })).rejects.toMatchObject({ code: 'not_found' });
    const html = path.join(dir, 'poster.jpg');
    writeFileSync(html, '<!DOCTYPE html><html><body>Login</body></html>');
    const err = await cache().ingestFile(html, { provider: 'upload' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'bad_request', message: expect.stringContaining('an HTML page served as an image') });
    const bomb = path.join(dir, 'logo.png');
    writeFileSync(bomb, bombPng());
    await expect(cache().ingestFile(bomb, { provider: 'upload' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('32000×18839'),
    });
    expect(filesUnder(t.engine.services.paths.cache)).toEqual([]);
  });
});
