import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SETTINGS, type SettingKey, type SettingValue } from '../../shared/settings.ts';
import { fixedClock } from '../../main/core/clock.ts';
import { openDatabase, type OpenedDatabase } from '../../main/core/db/database.ts';
import { createLogger } from '../../main/core/log.ts';
import { createHttpClient } from '../../main/core/providers/http-client.ts';
import { HttpError, type HttpClient } from '../../main/core/providers/http.ts';

/** A tiny local server whose behaviour each test scripts per request. */
interface TestServer {
  url: string;
  hits: string[];
  handle: (req: IncomingMessage, res: ServerResponse, n: number) => void;
  close(): Promise<void>;
}

async function startServer(): Promise<TestServer> {
  const ts: TestServer = {
    url: '',
    hits: [],
    handle: (_req, res) => json(res, 200, { ok: true }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    ts.hits.push(req.url ?? '');
    ts.handle(req, res, ts.hits.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ts.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ts.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return ts;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

describe('provider HTTP client against a local server', () => {
  let server: TestServer;
  let db: OpenedDatabase;
  let dir: string;
  let http: HttpClient;
  let overrides: Partial<Record<SettingKey, unknown>>;
  const clock = fixedClock(Date.UTC(2026, 0, 15));

  const settings = {
    get: <K extends SettingKey>(key: K): SettingValue<K> =>
      (overrides[key] ?? SETTINGS[key].default) as SettingValue<K>,
  };

  beforeEach(async () => {
    server = await startServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-http-'));
    db = await openDatabase(path.join(dir, 'db.sqlite'));
    overrides = { 'tmdb.requestsPerSecond': 200, 'providers.maxRetries': 3, 'providers.timeoutSeconds': 5 };
    http = createHttpClient({
      settings,
      clock,
      log: createLogger({ consoleLevel: 'silent' }),
      db: db.db,
      retry: FAST_RETRY,
    });
  });

  afterEach(async () => {
    await http.close();
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries server errors and answers with the eventual success', async () => {
    server.handle = (_req, res, n) => (n < 3 ? json(res, 503, { status_code: 46 }) : json(res, 200, { id: 1 }));
    const res = await http.getJson(`${server.url}/movie/1`, { budget: 'tmdb' });
    expect(res).toMatchObject({ status: 200, body: { id: 1 }, fromCache: false });
    expect(server.hits).toHaveLength(3);
    expect(http.stats().tmdb).toMatchObject({ requests: 3, retries: 2, failures: 0 });
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    server.handle = (_req, res, n) =>
      n === 1
        ? json(
            res,
            429,
            { status_code: 25, status_message: 'Your request count (41) is over the allowed limit of 40.' },
            { 'retry-after': '0' },
          )
        : json(res, 200, { id: 2 });
    const res = await http.getJson(`${server.url}/movie/2`, { budget: 'tmdb' });
    expect(res.status).toBe(200);
    expect(http.stats().tmdb).toMatchObject({ rateLimited: 1, retries: 1, failures: 0 });
  });

  it('gives the final error status back after the last retry, HTML pages included', async () => {
    overrides['providers.maxRetries'] = 1;
    server.handle = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    };
    const res = await http.getJson(`${server.url}/movie/3`, { budget: 'tmdb' });
    expect(res.status).toBe(502);
    expect(res.body).toBeUndefined();
    expect(res.text).toContain('Bad gateway');
    expect(server.hits).toHaveLength(2);
    expect(http.stats().tmdb.failures).toBe(1);
  });

  it('does not wait for a Retry-After longer than it is willing to', async () => {
    server.handle = (_req, res) => json(res, 429, { status_code: 25 }, { 'retry-after': '3600' });
    const res = await http.getJson(`${server.url}/movie/4`, { budget: 'tmdb' });
    expect(res.status).toBe(429);
    expect(server.hits).toHaveLength(1);
  });

  it('does not retry a client error such as 401 or 404', async () => {
    server.handle = (_req, res) =>
      json(res, 401, { success: false, status_code: 7, status_message: 'Invalid API key' });
    const res = await http.getJson(`${server.url}/movie/5?api_key=secret-key-123`, {
      budget: 'tmdb',
      cacheTtlMs: 60_000,
    });
    expect(res.status).toBe(401);
    expect(server.hits).toHaveLength(1);
    const rows = await db.db.selectFrom('provider_cache').selectAll().execute();
    expect(rows).toHaveLength(0); // a refusal is never cached
  });

  it('times out a request that never answers, retries it, then fails with a timeout', async () => {
    overrides['providers.maxRetries'] = 1;
    server.handle = () => {}; // never answers
    const err = await http
      .getJson(`${server.url}/movie/6`, { budget: 'tmdb', timeoutMs: 150 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('timeout');
    expect(server.hits).toHaveLength(2);
  });

  it('retries a body that breaks off half way', async () => {
    server.handle = (_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"id": 7, "tit');
        res.socket?.destroy();
      } else json(res, 200, { id: 7, title: 'Seven' });
    };
    const res = await http.getJson(`${server.url}/movie/7`, { budget: 'tmdb' });
    expect(res.body).toEqual({ id: 7, title: 'Seven' });
    expect(server.hits).toHaveLength(2);
  });

  it('returns malformed JSON as a body-less answer with the text for the error message', async () => {
    server.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": 8, ');
    };
    const res = await http.getJson(`${server.url}/movie/8`, { budget: 'tmdb', cacheTtlMs: 60_000 });
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(res.text).toContain('"id": 8');
    expect(await db.db.selectFrom('provider_cache').selectAll().execute()).toHaveLength(0);
  });

  it('refuses answers larger than the cap without retrying', async () => {
    server.handle = (_req, res) => json(res, 200, { blob: 'x'.repeat(5000) });
    const err = await http.getJson(`${server.url}/big`, { budget: 'tmdb', maxBytes: 1000 }).catch((e: unknown) => e);
    expect((err as HttpError).code).toBe('too_large');
    expect(server.hits).toHaveLength(1);

    server.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no length: counted while reading
      res.end(JSON.stringify({ blob: 'y'.repeat(5000) }));
    };
    const err2 = await http.getJson(`${server.url}/big2`, { budget: 'tmdb', maxBytes: 1000 }).catch((e: unknown) => e);
    expect((err2 as HttpError).code).toBe('too_large');
  });

  it('caps downloads: a declared size over the cap fails at once, an undeclared one mid-stream', async () => {
    server.handle = (req, res) => {
      const body = Buffer.alloc(10_000, 1);
      if (req.url === '/declared') res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
      else res.writeHead(200, { 'content-type': 'image/png' });
      res.end(body);
    };
    await expect(http.download(`${server.url}/declared`, { budget: 'images', maxBytes: 4000 })).rejects.toMatchObject({
      code: 'too_large',
    });
    const res = await http.download(`${server.url}/streamed`, { budget: 'images', maxBytes: 4000 });
    const read = async () => {
      for await (const _chunk of res.body) {
        // drain
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'too_large' });

    const ok = await http.download(`${server.url}/declared`, { budget: 'images', maxBytes: 20_000 });
    let bytes = 0;
    for await (const chunk of ok.body) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(10_000);
  });

  it('caches answers without the API key in the key, and asks again when forced or stale', async () => {
    server.handle = (_req, res, n) => json(res, 200, { n });
    const url = `${server.url}/movie/9?language=en&api_key=secret-key-123`;
    const a = await http.getJson(url, { budget: 'tmdb', cacheTtlMs: 60_000 });
    const b = await http.getJson(`${server.url}/movie/9?api_key=another-key-456&language=en`, {
      budget: 'tmdb',
      cacheTtlMs: 60_000,
    });
    expect(a).toMatchObject({ body: { n: 1 }, fromCache: false });
    expect(b).toMatchObject({ body: { n: 1 }, fromCache: true });
    const rows = await db.db.selectFrom('provider_cache').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/secret-key|another-key/);

    const forced = await http.getJson(url, { budget: 'tmdb', cacheTtlMs: 60_000, forceRefresh: true });
    expect(forced.body).toEqual({ n: 2 });

    clock.advance(1000);
    const fresh = await http.getJson(url, { budget: 'tmdb', cacheTtlMs: 60_000, freshAfter: clock.now() });
    expect(fresh.body).toEqual({ n: 3 });
    const again = await http.getJson(url, { budget: 'tmdb', cacheTtlMs: 60_000, freshAfter: clock.now() });
    expect(again).toMatchObject({ body: { n: 3 }, fromCache: true });

    clock.advance(60_000);
    const stale = await http.getJson(url, { budget: 'tmdb', cacheTtlMs: 60_000 });
    expect(stale).toMatchObject({ body: { n: 4 }, fromCache: false });
    expect(server.hits).toHaveLength(4);
  });

  it('lets the caller refuse to cache an answer of the wrong shape', async () => {
    server.handle = (_req, res) => json(res, 200, { id: 'not-a-number' });
    const ask = () =>
      http.getJson(`${server.url}/movie/10`, {
        budget: 'tmdb',
        cacheTtlMs: 60_000,
        cacheable: (r) => typeof (r.body as { id?: unknown }).id === 'number',
      });
    await ask();
    await ask();
    expect(server.hits).toHaveLength(2);
  });

  it('coalesces identical requests in flight into one', async () => {
    server.handle = (_req, res) => setTimeout(() => json(res, 200, { id: 11 }), 50);
    const url = `${server.url}/movie/11`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => http.getJson(url, { budget: 'tmdb' })));
    expect(answers.every((a) => (a.body as { id: number }).id === 11)).toBe(true);
    expect(server.hits).toHaveLength(1);
    expect(http.stats().tmdb.coalesced).toBe(5);
  });

  it('a caller that cancels leaves the others of a coalesced request unharmed', async () => {
    server.handle = (_req, res) => setTimeout(() => json(res, 200, { id: 12 }), 80);
    const url = `${server.url}/movie/12`;
    const ac = new AbortController();
    const cancelled = http.getJson(url, { budget: 'tmdb', signal: ac.signal });
    const kept = http.getJson(url, { budget: 'tmdb' });
    ac.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect((await kept).body).toEqual({ id: 12 });
  });

  it('keeps API keys out of error messages', async () => {
    overrides['providers.maxRetries'] = 0;
    await server.close();
    const err = await http
      .getJson(`${server.url}/movie/13?api_key=secret-key-123`, { budget: 'tmdb' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('network');
    expect((err as Error).message).not.toContain('secret-key-123');
    expect((err as Error).message).toContain('api_key=***');
  });

  it('paces a rate-limited budget first come, first served', async () => {
    overrides['tmdb.requestsPerSecond'] = 50;
    server.handle = (_req, res) => json(res, 200, {});
    await Promise.all(Array.from({ length: 20 }, (_, i) => http.getJson(`${server.url}/p/${i}`, { budget: 'tmdb' })));
    expect(server.hits).toHaveLength(20);
    // Requests leave one per token, in the order they were asked for.
    expect(server.hits.slice(0, 3)).toEqual(['/p/0', '/p/1', '/p/2']);
  });
});
