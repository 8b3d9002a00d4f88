import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { bombPng } from '../fakes/images.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { bytes, filesUnder, makeCandidate, makeItem, picture, startImageServer, type Handler, type ImageServer } from './cache-fixtures.ts';

const MB = 1024 * 1024;

/** Streams `total` bytes of JPEG-looking garbage, honouring back-pressure, stopping when the client hangs up. */
function huge(total: number, declareLength: boolean): Handler {
  return async (req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', ...(declareLength ? { 'content-length': total } : {}) });
    let closed = false;
    const hungUp = once(res, 'close').then(() => (closed = true));
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    chunk[0] = 0xff;
    chunk[1] = 0xd8;
    chunk[2] = 0xff;
    for (let sent = 0; sent < total && !closed; sent += chunk.length) {
      if (!res.write(chunk)) await Promise.race([new Promise((r) => res.once('drain', r)), hungUp]);
    }
    if (!closed) res.end();
    void req;
  };
}

let server: ImageServer;
let poster: Buffer;

beforeAll(async () => {
  poster = await picture('bad-input-poster', 800, 1200);
  const truncated = poster.subarray(0, Math.floor(poster.length * 0.6));
  const png = await picture('bad-input-logo', 400, 200, 'png');
  server = await startImageServer({
    '/html': bytes(Buffer.from('<!DOCTYPE html><html><head><title>Cloudflare</title></head><body>Checking your browser</body></html>'), 'image/jpeg'),
    '/json': bytes(Buffer.from('{"status_code":34,"status_message":"The resource you requested could not be found."}'), 'image/png'),
    '/empty': bytes(Buffer.alloc(0)),
    '/truncated.jpg': bytes(truncated),
    '/truncated.png': bytes(png.subarray(0, Math.floor(png.length * 0.7)), 'image/png'),
    '/bomb.png': bytes(bombPng(), 'image/png'),
    '/gif': bytes(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif'),
    '/evil.svg': bytes(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100"><image xlink:href="file:///etc/passwd" width="100" height="100"/></svg>'), 'image/svg+xml'),
    '/entities.svg': bytes(Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&b;</text></svg>'), 'image/svg+xml'),
    '/huge-declared': huge(200 * MB, true),
    '/huge-chunked': huge(200 * MB, false),
    '/cut-off': (_req, res) => {
      // Promises the whole poster, sends half, then drops the connection.
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': poster.length });
      res.write(poster.subarray(0, poster.length >> 1), () => res.destroy());
    },
    '/server-error': bytes(Buffer.from('oops'), 'text/plain', 500),
  });
});
afterAll(async () => server.close());

let t: TestEngine;
beforeEach(async () => {
  t = await makeTestEngine();
  // No retries: each case is about what is refused, not how often it is asked.
  await t.engine.services.settings.set('providers.maxRetries', 0);
});
afterEach(async () => t.cleanup());

describe('the validation gate refuses bad downloads with a reason and stores nothing', () => {
  it.each([
    ['HTML served as an image', '/html', 'an HTML page served as an image'],
    ['JSON served as an image', '/json', 'a JSON document served as an image'],
    ['zero bytes', '/empty', 'empty body (0 bytes)'],
    ['a truncated JPEG', '/truncated.jpg', 'premature end of JPEG'],
    ['a truncated PNG', '/truncated.png', 'does not decode'],
    ['a 32000×18839 decompression bomb', '/bomb.png', 'declares 32000×18839 pixels'],
    ['a GIF', '/gif', 'a GIF image'],
    ['an SVG that reads a local file', '/evil.svg', 'refers to outside files or URLs'],
    ['an SVG with XML entities', '/entities.svg', 'entity expansion'],
    ['a 200 MB response (declared)', '/huge-declared', 'larger than 50 MB'],
    ['a 200 MB response (streamed)', '/huge-chunked', 'larger than 50 MB'],
    ['a connection cut mid-body', '/cut-off', 'could not be downloaded'],
    ['HTTP 404', '/missing.jpg', 'HTTP 404'],
    ['HTTP 500', '/server-error', 'HTTP 500'],
  ])('%s', async (_name, p, reason) => {
    const itemId = await makeItem(t);
    const url = server.url(p);
    const candidateId = await makeCandidate(t, itemId, url);
    const err = await t.engine.services.cache
      .ingestUrl(url, { provider: 'tmdb', area: 'assets', candidateId })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('provider_error');
    expect((err as ApiError).message).toContain(reason);

    const db = t.engine.services.db;
    const download = await db.selectFrom('downloads').selectAll().where('url', '=', url).executeTakeFirstOrThrow();
    expect(download).toMatchObject({ state: 'failed', attempts: 1, blob_sha: null });
    expect(download.error).toContain(reason);
    const candidate = await db.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirstOrThrow();
    expect(candidate.download_error).toContain(reason);
    expect(candidate.blob_sha).toBeNull();

    // No partial or invalid file anywhere in the cache, not even a temp file.
    expect(filesUnder(t.engine.services.paths.cache)).toEqual([]);
    expect(await db.selectFrom('blobs').selectAll().execute()).toEqual([]);
  });

  it('counts attempts and clears the failure once the source is fixed', async () => {
    const p = '/flaky.jpg';
    server.route(p, bytes(Buffer.from('<html>maintenance</html>'), 'image/jpeg'));
    const url = server.url(p);
    const cache = t.engine.services.cache;
    await expect(cache.ingestUrl(url, { provider: 'fanart', area: 'assets' })).rejects.toThrow(/HTML page/);
    await expect(cache.ingestUrl(url, { provider: 'fanart', area: 'assets' })).rejects.toThrow(/HTML page/);
    server.route(p, bytes(poster));
    const blob = await cache.ingestUrl(url, { provider: 'fanart', area: 'assets' });
    const download = await t.engine.services.db.selectFrom('downloads').selectAll().executeTakeFirstOrThrow();
    expect(download).toMatchObject({ state: 'available', attempts: 3, error: null, blob_sha: blob.sha256 });
  });

  it('reports a cancelled download as cancelled, not as a bad image', async () => {
    const controller = new AbortController();
    const p = '/slow.jpg';
    server.route(p, (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': poster.length });
      res.write(poster.subarray(0, 1000));
      controller.abort();
    });
    const err = await t.engine.services.cache
      .ingestUrl(server.url(p), { provider: 'tmdb', area: 'assets', signal: controller.signal })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'cancelled' });
    expect(filesUnder(t.engine.services.paths.cache)).toEqual([]);
  });
});
