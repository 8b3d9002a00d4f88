import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newToken, startHttpServer, type RunningServer } from '../../main/server/http-server.ts';
import { imageRoute } from '../../main/server/image-route.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { picture } from './cache-fixtures.ts';

let t: TestEngine;
let server: RunningServer;
let token: string;
let sha: string;
let original: Buffer;

beforeAll(async () => {
  t = await makeTestEngine();
  token = newToken();
  server = await startHttpServer({
    dispatch: t.engine.dispatch,
    events: t.engine.services.events,
    log: t.engine.services.log,
    token,
    port: 0,
    routes: [imageRoute(t.engine.services.cache, token)],
  });
  original = await picture('route-poster', 800, 1200);
  const file = path.join(t.tempDir('in'), 'p.jpg');
  writeFileSync(file, original);
  sha = (await t.engine.services.cache.ingestFile(file, { provider: 'upload' })).sha256;
});
afterAll(async () => {
  await server.close();
  await t.cleanup();
});

const get = (p: string, init?: RequestInit) => fetch(`${server.url}${p}`, init);

describe('GET /img/<sha256>/<thumb|full>', () => {
  it('serves the thumbnail and the full image, cacheable for ever', async () => {
    const thumb = await get(`/img/${sha}/thumb?token=${token}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('cache-control')).toContain('immutable');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 342 });

    const full = await get(`/img/${sha}/full`, { headers: { authorization: `Bearer ${token}` } });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await full.arrayBuffer()).equals(original)).toBe(true);

    const again = await get(`/img/${sha}/full?token=${token}`, { headers: { 'if-none-match': full.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const head = await get(`/img/${sha}/full?token=${token}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(original.length);
  });

  it.each([
    ['no token', `/img/SHA/thumb`, 401],
    ['a wrong token', `/img/SHA/thumb?token=nope`, 401],
    ['a hash that is not 64 hex', `/img/abc123/thumb?token=TOKEN`, 400],
    ['an upper-case hash', `/img/UPPER/thumb?token=TOKEN`, 400],
    ['a path escape', `/img/..%2F..%2Fposterity.db/full?token=TOKEN`, 400],
    ['an extra segment', `/img/SHA/thumb/x?token=TOKEN`, 400],
    ['an unknown size', `/img/SHA/huge?token=TOKEN`, 404],
    ['an unknown hash', `/img/${'0'.repeat(64)}/full?token=TOKEN`, 404],
  ])('refuses %s', async (_name, p, status) => {
    const url = p.replace('SHA', sha).replace('UPPER', sha.toUpperCase()).replace('TOKEN', token);
    const res = await get(url);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('refuses writes and leaves other paths to the rest of the server', async () => {
    expect((await get(`/img/${sha}/full?token=${token}`, { method: 'POST' })).status).toBe(405);
    expect((await get(`/elsewhere?token=${token}`)).status).toBe(404);
  });
});
