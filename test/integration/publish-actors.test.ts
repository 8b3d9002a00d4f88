import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makePublishFixture, pictureBytes, sha256, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
let server: Server | undefined;
afterEach(async () => {
  await f?.cleanup();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('actor pictures', () => {
  it('downloads cast pictures into the cache, publishes .actors/First_Last.jpg, points the NFO at them; failures are warnings', async () => {
    const weaver = await pictureBytes(70, { width: 185, height: 278 });
    const hits: string[] = [];
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/w185/weaver.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end(weaver);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    f = await makePublishFixture();
    await f.client.call('config-set', { key: 'providers.maxRetries', value: 0 });
    const m = await f.addMovie({
      folder: 'Alien (1979)',
      basename: 'Alien (1979)',
      tmdbId: 348,
      fields: {
        title: 'Alien',
        cast: [
          { name: 'Sigourney Weaver', role: 'Ripley', order: 0, profileUrl: `${base}/w185/weaver.jpg`, tmdbId: 10205 },
          { name: 'Tom Skerritt', role: 'Dallas', order: 1, profileUrl: `${base}/w185/missing.jpg`, tmdbId: 4139 },
          { name: 'John Hurt', role: 'Kane', order: 2, profileUrl: null, tmdbId: 5049 },
        ],
      },
    });
    // A dry run downloads nothing, so it cannot plan the pictures; it says so.
    const dry = await f.client.call('publish', { itemIds: [m.id], dryRun: true });
    expect(dry.plan!.some((op) => op.path?.includes('.actors'))).toBe(false);
    expect(dry.notes).toContain(
      '2 actor pictures are not downloaded yet and not in this plan: a real publish downloads them and writes them into .actors/',
    );
    expect(hits).toEqual([]);
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.reason)).toEqual([
      expect.stringMatching(/^Actor picture of Tom Skerritt could not be downloaded/),
    ]);
    expect(f.files(m.folder)).toEqual(['.actors/Sigourney_Weaver.jpg', 'Alien (1979).nfo']);
    expect(sha256(readFileSync(path.join(m.folder, '.actors/Sigourney_Weaver.jpg')))).toBe(sha256(weaver));
    const nfo = readFileSync(path.join(m.folder, 'Alien (1979).nfo'), 'utf8');
    expect(nfo).toContain('<name>Sigourney Weaver</name>');
    expect(nfo).toContain('<thumb>.actors/Sigourney_Weaver.jpg</thumb>');
    expect(nfo).not.toContain('Tom_Skerritt');

    // The picture is reused from the cache, and a failed download is not retried on every publish.
    const again = await f.client.call('publish', { itemIds: [m.id] });
    expect(again).toMatchObject({ written: 0, unchanged: 2, warnings: [] });
    expect(hits.filter((h) => h === '/w185/weaver.jpg')).toHaveLength(1);
  });
});
