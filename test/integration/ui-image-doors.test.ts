import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { newToken, startHttpServer, type RunningServer } from '../../main/server/http-server.ts';
import { imageRoute } from '../../main/server/image-route.ts';
import { uploadRoute } from '../../main/server/upload-route.ts';
import { jpeg, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The browser UI's two image doors: pictures shown (`/img`) and pictures given (`/upload`). */
describe('image doors of the browser UI', () => {
  let f: ScanFixture | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    await f?.cleanup();
  });

  const serve = async (fixture: ScanFixture) => {
    const token = newToken();
    const s = fixture.engine.services;
    server = await startHttpServer({
      dispatch: fixture.engine.dispatch,
      events: s.events,
      log: s.log,
      token,
      port: 0,
      routes: [
        imageRoute(s.cache, token),
        uploadRoute({ dispatch: fixture.engine.dispatch, token, tmpDir: s.paths.tmp, log: s.log }),
      ],
    });
    const url = server.url;
    return (p: string, init?: RequestInit) =>
      fetch(`${url}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init?.headers } });
  };

  it("shows the library's own pictures, which the cache does not hold", async () => {
    const poster = await jpeg(800, 1200, 3);
    const small = await jpeg(300, 450, 4);
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: 1000 },
      'Heat (1995)/poster.jpg': poster,
      'Heat (1995)/Heat-landscape.jpg': small,
    });
    await f.scanOnly();
    const get = await serve(f);

    const thumb = await get(`/img/${sha(poster)}/thumb`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({ width: 342 });
    const full = await get(`/img/${sha(poster)}/full`);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await full.arrayBuffer()).equals(poster)).toBe(true);
    // Small enough to be its own thumbnail.
    const own = await get(`/img/${sha(small)}/thumb`);
    expect(Buffer.from(await own.arrayBuffer()).equals(small)).toBe(true);
    // Nothing of the user's was copied into the cache to show it.
    const cache = f.engine.services.paths.cache;
    const stored = readdirSync(cache, { recursive: true }).map(String);
    expect(stored.filter((n) => n.endsWith('.jpg'))).toEqual([]);
    expect(stored.filter((n) => n.endsWith('-thumb.webp'))).toHaveLength(1);
  });

  it('never serves a changed original under its old hash', async () => {
    const poster = await jpeg(800, 1200, 5);
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 }, 'Heat (1995)/poster.jpg': poster });
    await f.scanOnly();
    const get = await serve(f);
    writeFileSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'), await jpeg(800, 1200, 6));
    expect((await get(`/img/${sha(poster)}/full`)).status).toBe(404);
    expect((await get(`/img/${sha(poster)}/thumb`)).status).toBe(404);
  });

  it("cleans up the thumbnail of an original once the library no longer has it, and only then", async () => {
    const poster = await jpeg(800, 1200, 8);
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 }, 'Heat (1995)/poster.jpg': poster });
    await f.scanOnly();
    const get = await serve(f);
    expect((await get(`/img/${sha(poster)}/thumb`)).status).toBe(200);
    const thumbs = () =>
      readdirSync(f!.engine.services.paths.thumbs, { recursive: true })
        .map(String)
        .filter((n) => n.endsWith('-thumb.webp'));
    expect(thumbs()).toHaveLength(1);
    const cache = f.engine.services.cache;
    expect((await cache.gc({ dryRun: false })).orphanThumbnails.files).toBe(0);
    expect(thumbs()).toHaveLength(1);

    const replacement = await jpeg(800, 1200, 9);
    writeFileSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'), replacement);
    await f.scanOnly();
    expect((await cache.gc({ dryRun: true })).orphanThumbnails.files).toBe(1);
    expect(thumbs()).toHaveLength(1);
    expect((await cache.gc({ dryRun: false })).orphanThumbnails).toMatchObject({ files: 1 });
    expect(thumbs()).toEqual([]);
    // The new poster's thumbnail is made when it is asked for.
    expect((await get(`/img/${sha(replacement)}/thumb`)).status).toBe(200);
  });

  it("names the user's file when an upload is refused, never a temp file", async () => {
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 } });
    await f.scan();
    const item = await f.byFolder('Heat (1995)');
    const post = await serve(f);
    const upload = (name: string, body: Buffer) =>
      post(`/upload?itemId=${item.id}&type=poster&name=${encodeURIComponent(name)}`, { method: 'POST', body });

    const html = await upload('fake.jpg', Buffer.from('<!doctype html><html><body>Not found</body></html>'));
    expect(html.status).toBe(400);
    const refused = ((await html.json()) as { error: { message: string } }).error.message;
    expect(refused).toMatch(/^fake\.jpg was refused: .*HTML/);
    expect(refused).not.toContain(f.engine.services.paths.tmp);

    const empty = await upload('nothing.png', Buffer.alloc(0));
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe('nothing.png is empty (0 bytes)');

    const good = await upload('mine.jpg', await jpeg(1000, 1500, 7));
    expect(good.status).toBe(200);
    const slot = (await f.detail(item.id)).slots.find((s) => s.assetType === 'poster')!;
    expect(slot).toMatchObject({ chosenBy: 'user', locked: true });
  });
});
