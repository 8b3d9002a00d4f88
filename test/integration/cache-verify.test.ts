import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { bytes, filesUnder, makeItem, picture, startImageServer, type ImageServer } from './cache-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: ImageServer;
let poster: Buffer;
let other: Buffer;
beforeAll(async () => {
  poster = await picture('verify-poster', 900, 1350);
  other = await picture('verify-other', 900, 1350);
  server = await startImageServer();
});
afterAll(async () => server.close());

let t: TestEngine;
beforeEach(async () => {
  t = await makeTestEngine();
  await t.engine.services.settings.set('providers.maxRetries', 0);
  server.route('/poster.jpg', bytes(poster));
  server.hits.clear();
});
afterEach(async () => t.cleanup());

const cache = () => t.engine.services.cache;

async function downloaded() {
  const blob = await cache().ingestUrl(server.url('/poster.jpg'), { provider: 'tmdb', area: 'assets' });
  return { blob, file: (await cache().pathOf(blob.sha256))! };
}

describe('cache verify', () => {
  it('reports nothing on a healthy cache and stamps every blob as verified', async () => {
    const { blob } = await downloaded();
    t.clock.advance(1000);
    const r = await cache().verify({ repair: false });
    expect(r).toMatchObject({ checked: 1, ok: 1, problems: [], thumbnailsMissing: 0 });
    const row = await t.engine.services.db.selectFrom('blobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sha256: blob.sha256, verified_at: t.clock.now() });
  });

  it('only reports a corrupt file without --repair; with it, quarantines the file and downloads it again', async () => {
    const { blob, file } = await downloaded();
    const damaged = Buffer.from(poster);
    damaged.fill(0, 2000, 4000); // bit rot in the middle
    writeFileSync(file, damaged);

    const report = await cache().verify({ repair: false });
    expect(report.problems).toEqual([
      {
        sha256: blob.sha256,
        area: 'assets',
        problem: 'corrupt',
        outcome: 'reported',
        detail: expect.stringContaining('does not match'),
        usedBy: [],
      },
    ]);
    expect(readFileSync(file).equals(damaged)).toBe(true);

    const repaired = await cache().verify({ repair: true });
    expect(repaired.problems).toEqual([
      expect.objectContaining({ problem: 'corrupt', outcome: 'repaired', detail: 'downloaded again from tmdb' }),
    ]);
    expect(sha(readFileSync(file))).toBe(blob.sha256);
    expect(filesUnder(t.engine.services.paths.quarantine)).toEqual([`${blob.sha256}.jpg`]);
    expect(readFileSync(path.join(t.engine.services.paths.quarantine, `${blob.sha256}.jpg`)).equals(damaged)).toBe(true);
    expect(server.hits.get('/poster.jpg')).toBe(2);
    expect((await cache().verify({ repair: false })).problems).toEqual([]);
  });

  it('restores a missing file from a library copy before asking the provider', async () => {
    const { blob, file } = await downloaded();
    const itemId = await makeItem(t);
    const libDir = path.join(t.tempDir('lib'), 'Heat (1995)');
    mkdirSync(libDir, { recursive: true });
    const published = path.join(libDir, 'Heat-poster.jpg');
    copyFileSync(file, published);
    await t.engine.services.db
      .insertInto('library_files')
      .values({ item_id: itemId, path: published, role: 'art', asset_type: 'poster', rank: 0, origin: 'published', sha256: blob.sha256, bytes: poster.length, width: 900, height: 1350, mtime: 0, published_at: 0, seen_at: 0 })
      .execute();
    unlinkSync(file);

    const r = await cache().verify({ repair: true });
    expect(r.problems).toEqual([
      expect.objectContaining({ problem: 'missing', outcome: 'repaired', detail: `restored from the library file ${published}` }),
    ]);
    expect(sha(readFileSync(file))).toBe(blob.sha256);
    expect(server.hits.get('/poster.jpg')).toBe(1);
  });

  it('keeps a blob quarantined and says why when no copy or source can give it back, then recovers later', async () => {
    const { blob, file } = await downloaded();
    writeFileSync(file, 'garbage');
    server.route('/poster.jpg', bytes(Buffer.from('gone'), 'text/plain', 404));

    const r = await cache().verify({ repair: true });
    expect(r.problems).toEqual([expect.objectContaining({ outcome: 'unrecoverable', detail: expect.stringContaining('HTTP 404') })]);
    expect(await cache().pathOf(blob.sha256)).toBeNull();
    expect((await t.engine.services.db.selectFrom('blobs').select('state').executeTakeFirstOrThrow()).state).toBe('quarantined');
    expect(existsSync(file)).toBe(false);

    // The provider now serves a different picture at that URL: not the same blob, still reported.
    server.route('/poster.jpg', bytes(other));
    const again = await cache().verify({ repair: true });
    expect(again.problems).toEqual([expect.objectContaining({ outcome: 'unrecoverable', detail: expect.stringContaining('different bytes') })]);

    server.route('/poster.jpg', bytes(poster));
    const fixed = await cache().verify({ repair: true });
    expect(fixed.problems).toEqual([expect.objectContaining({ outcome: 'repaired' })]);
    expect(await cache().pathOf(blob.sha256)).toBe(file);
  });

  it('rebuilds missing thumbnails with --repair', async () => {
    const { blob } = await downloaded();
    const thumb = (await cache().thumbnailPath(blob.sha256, 'thumb'))!;
    rmSync(thumb);
    expect(await cache().verify({ repair: false })).toMatchObject({ thumbnailsMissing: 1, thumbnailsRebuilt: 0 });
    expect(await cache().verify({ repair: true })).toMatchObject({ thumbnailsMissing: 1, thumbnailsRebuilt: 1 });
    expect(existsSync(thumb)).toBe(true);
  });

  it('reports progress and can be cancelled', async () => {
    await downloaded();
    const seen: number[] = [];
    await cache().verify({ repair: false, onProgress: (p) => seen.push(p.done) });
    expect(seen.at(-1)).toBe(1);
    const controller = new AbortController();
    controller.abort();
    await expect(cache().verify({ repair: false, signal: controller.signal })).rejects.toThrow();
  });
});
