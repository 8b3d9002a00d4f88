import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { bytes, canMount, filesUnder, picture, startImageServer, type ImageServer } from './cache-fixtures.ts';

/*
 * Disk full and read-only filesystems, for real where the test may mount a tiny tmpfs (root in a
 * container or CI), else a folder without write permission. Either way: a clear io_error, the
 * download recorded as failed with the reason, and no file anywhere under the cache.
 */

const isRoot = process.getuid?.() === 0;

let server: ImageServer;
let poster: Buffer;
beforeAll(async () => {
  poster = await picture('disk-poster', 1000, 1500);
  server = await startImageServer({ '/poster.jpg': bytes(poster) });
});
afterAll(async () => server.close());

let t: TestEngine | undefined;
let mounted: string | undefined;
afterEach(async () => {
  if (mounted) execFileSync('umount', [mounted], { stdio: 'ignore' });
  mounted = undefined;
  await t?.cleanup();
  t = undefined;
});

async function engineWithCacheOn(options: string | 'no-write'): Promise<TestEngine> {
  t = await makeTestEngine();
  const cacheDir = t.engine.services.paths.cache;
  mkdirSync(cacheDir, { recursive: true });
  if (options === 'no-write') {
    chmodSync(cacheDir, 0o555);
  } else {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', cacheDir], { stdio: 'ignore' });
    mounted = cacheDir;
  }
  return t;
}

async function expectCleanFailure(e: TestEngine, reason: RegExp) {
  const url = server.url('/poster.jpg');
  const err = await e.engine.services.cache
    .ingestUrl(url, { provider: 'tmdb', area: 'assets' })
    .catch((x: unknown) => x);
  expect(err).toMatchObject({ code: 'io_error', message: expect.stringMatching(reason) });
  const download = await e.engine.services.db.selectFrom('downloads').selectAll().executeTakeFirstOrThrow();
  expect(download.state).toBe('failed');
  expect(download.error).toMatch(reason);
  expect(await e.engine.services.db.selectFrom('blobs').selectAll().execute()).toEqual([]);
  expect(filesUnder(e.engine.services.paths.cache)).toEqual([]);
}

describe('a cache that cannot be written', () => {
  it.runIf(canMount)('disk full: refused with the reason, nothing left behind, works once there is room', async () => {
    const e = await engineWithCacheOn('size=64k');
    await expectCleanFailure(e, /disk is full/);
    // Room again (the tmpfs is replaced by the real disk): the same download succeeds.
    execFileSync('umount', [mounted!], { stdio: 'ignore' });
    mounted = undefined;
    const blob = await e.engine.services.cache.ingestUrl(server.url('/poster.jpg'), {
      provider: 'tmdb',
      area: 'assets',
    });
    expect(await e.engine.services.cache.pathOf(blob.sha256)).not.toBeNull();
  });

  it.runIf(canMount)(
    'disk full after the image, before its thumbnail: the image is stored, the thumbnail made later',
    async () => {
      // Room for the image (its temp file's blocks, renamed into place) and one page more: not
      // for its thumbnail (about 8 KB, two pages) as well.
      const room = Math.ceil(poster.length / 4096) * 4096 + 4096;
      const e = await engineWithCacheOn(`size=${room}`);
      const cache = e.engine.services.cache;
      const blob = await cache.ingestUrl(server.url('/poster.jpg'), { provider: 'tmdb', area: 'assets' });
      expect(filesUnder(e.engine.services.paths.cache)).toEqual([
        path.join('assets', blob.sha256.slice(0, 2), blob.sha256.slice(2, 4), `${blob.sha256}.jpg`),
      ]);
      // Still no room for a thumbnail: the UI is given the full image rather than nothing.
      expect(await cache.thumbnailPath(blob.sha256, 'thumb')).toBe(await cache.pathOf(blob.sha256));
      expect(filesUnder(e.engine.services.paths.cache)).toHaveLength(1);
    },
  );

  it.runIf(canMount)('read-only filesystem: refused with the reason', async () => {
    const e = await engineWithCacheOn('size=1m');
    execFileSync('mount', ['-o', 'remount,ro', mounted!], { stdio: 'ignore' });
    await expectCleanFailure(e, /read-only/);
  });

  it.runIf(!isRoot)('cache folder without write permission: refused with the reason', async () => {
    const e = await engineWithCacheOn('no-write');
    await expectCleanFailure(e, /permission denied/);
    chmodSync(e.engine.services.paths.cache, 0o755);
  });

  it('a file in the way of a cache folder: refused with the reason', async () => {
    t = await makeTestEngine();
    mkdirSync(t.engine.services.paths.cache, { recursive: true });
    writeFileSync(t.engine.services.paths.tmp, 'not a folder');
    const err = await t.engine.services.cache
      .ingestUrl(server.url('/poster.jpg'), { provider: 'tmdb', area: 'assets' })
      .catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'io_error' });
    expect(filesUnder(t.engine.services.paths.cache)).toEqual(['tmp']);
  });
});
