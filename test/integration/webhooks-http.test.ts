import { mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, newToken, type RunningServer } from '../../main/server/http-server.ts';
import { parseListenAddress, startWebhookListener } from '../../main/server/webhook-listener.ts';
import { webhookRoute } from '../../main/server/webhooks.ts';
import { UPGRADE_DELETE_GRACE_MS } from '../../main/core/jobs/arr-events.ts';
import { PRIORITY } from '../../main/core/jobs/kinds.ts';
import { arrFixture, withRoot } from '../fixtures/arr/load.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/*
 * The webhook door over real HTTP, with the workers stopped so the queue can be inspected: what
 * each *arr event leads to, and how bad input is refused.
 */

/** What the door answers: an outcome, or an error. */
interface WebhookAnswer {
  status?: string;
  event?: string;
  reason?: string;
  jobIds?: number[];
  error?: { code: string; message: string };
}

interface Door extends TestEngine {
  server: RunningServer;
  secret: string;
  movies: string;
  tv: string;
  post(source: string, body: unknown, init?: { query?: string; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: WebhookAnswer }>;
  queued(): Promise<{ id: number; kind: string; payload: Record<string, unknown>; priority: number; run_after: number; library_id: number | null }[]>;
  log(): string;
}

let d: Door | undefined;
afterEach(async () => {
  await d?.server.close();
  await d?.cleanup();
  d = undefined;
});

async function door(): Promise<Door> {
  const t = await makeTestEngine();
  const s = t.engine.services;
  const base = t.tempDir('media');
  mkdirSync(path.join(base, 'movies', 'The Matrix (1999)'), { recursive: true });
  mkdirSync(path.join(base, 'tv', 'Severance'), { recursive: true });
  const movies = (await s.library.addLibrary({ path: path.join(base, 'movies') })).path;
  const tv = (await s.library.addLibrary({ path: path.join(base, 'tv'), kind: 'tv' })).path;
  await s.settings.set('paths.mappings', [
    { from: '/movies', to: movies },
    { from: '/tv', to: tv },
  ]);
  const server = await startHttpServer({ dispatch: t.engine.dispatch, events: s.events, log: s.log, token: newToken(), port: 0, routes: [webhookRoute(s)] });
  const secret = await s.jobs.webhookSecret();
  return {
    ...t,
    server,
    secret,
    movies,
    tv,
    async post(source, body, init = {}) {
      const res = await fetch(`${server.url}/webhooks/${source}${init.query ?? `?secret=${encodeURIComponent(secret)}`}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: init.raw ?? JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as WebhookAnswer };
    },
    async queued() {
      const rows = await s.db.selectFrom('jobs').selectAll().where('state', '=', 'queued').orderBy('id').execute();
      return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
    },
    log: () => readFileSync(path.join(t.dataDir, 'logs', 'posterity.log'), 'utf8'),
  };
}

describe('the Radarr/Sonarr webhook door', () => {
  it('has a secret from the first use, and refuses a wrong or missing one with 401', async () => {
    d = await door();
    expect(d.secret.length).toBeGreaterThanOrEqual(24);
    expect(d.engine.services.settings.get('webhook.secret')).toBe(d.secret);
    const body = arrFixture('radarr-test');
    expect((await d.post('radarr', body, { query: '' })).status).toBe(401);
    expect((await d.post('radarr', body, { query: '?secret=nope' })).status).toBe(401);
    expect((await d.post('radarr', body, { query: '', headers: { 'x-posterity-secret': `${d.secret}x` } })).status).toBe(401);
    // Query, header, or the password of Radarr's Basic auth fields.
    expect((await d.post('radarr', body)).status).toBe(200);
    expect((await d.post('radarr', body, { query: '', headers: { 'x-posterity-secret': d.secret } })).status).toBe(200);
    const basic = Buffer.from(`radarr:${d.secret}`).toString('base64');
    expect((await d.post('radarr', body, { query: '', headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    expect(d.log()).toContain('wrong secret');
    expect(d.log()).not.toContain(d.secret);
  });

  it('answers Test with 200, logs Health, and ignores Grab with 202', async () => {
    d = await door();
    expect(await d.post('radarr', arrFixture('radarr-test'))).toMatchObject({ status: 200, body: { status: 'ok', event: 'Test' } });
    expect(await d.post('sonarr', arrFixture('sonarr-test'))).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await d.post('radarr', arrFixture('radarr-health'))).toMatchObject({ status: 200, body: { status: 'logged' } });
    expect(d.log()).toContain('Indexers unavailable');
    expect(await d.post('radarr', arrFixture('radarr-grab'))).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect(await d.queued()).toEqual([]);
  });

  it('refuses a body that is not JSON or not a webhook with 400, and other methods with 405', async () => {
    d = await door();
    expect((await d.post('radarr', null, { raw: '{"eventType": "Download", ' })).status).toBe(400);
    expect((await d.post('radarr', null, { raw: '' })).status).toBe(400);
    expect(await d.post('radarr', { movie: { title: 'x' } })).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    const get = await fetch(`${d.server.url}/webhooks/radarr?secret=${d.secret}`);
    expect(get.status).toBe(405);
    expect((await fetch(`${d.server.url}/webhooks/lidarr`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(await d.queued()).toEqual([]);
  });

  it('ignores a movie outside every library or unknown to us with 202 and a log line', async () => {
    d = await door();
    const outside = withRoot(arrFixture('radarr-download'), '/movies', '/elsewhere');
    expect(await d.post('radarr', outside)).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect(d.log()).toMatch(/Ignored Download for The Matrix \(1999\): .*outside every library/);
    // Deleting a movie we never knew: nothing to do.
    expect(await d.post('radarr', arrFixture('radarr-moviedelete'))).toMatchObject({ status: 202, body: { status: 'ignored', reason: expect.stringContaining('unknown movie') } });
    expect(await d.post('radarr', { eventType: 'Download', movie: { title: 'No Path' } })).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect(await d.queued()).toEqual([]);
  });

  it('queues a rescan that restores the art for Download, upgrade or not, and for Rename', async () => {
    d = await door();
    const folder = path.join(d.movies, 'The Matrix (1999)');
    for (const name of ['radarr-download', 'radarr-download-upgrade', 'radarr-rename']) {
      expect(await d.post('radarr', arrFixture(name))).toMatchObject({ status: 202, body: { status: 'queued' } });
    }
    const q = await d.queued();
    expect(q).toHaveLength(1); // three events about one movie: one scan
    expect(q[0]).toMatchObject({ kind: 'scan-folder', priority: PRIORITY.webhook, payload: { folder, restore: true } });
    const lib = await d.engine.services.db.selectFrom('libraries').select('id').where('path', '=', d.movies).executeTakeFirstOrThrow();
    expect(q[0]!.library_id).toBe(lib.id);
  });

  it('waits for the Download after an upgrade delete, and runs at once when it arrives', async () => {
    d = await door();
    const now = d.clock.now();
    const del = await d.post('radarr', arrFixture('radarr-moviefiledelete-upgrade'));
    expect(del).toMatchObject({ status: 202, body: { status: 'queued' } });
    expect((await d.queued())[0]!.run_after).toBe(now + UPGRADE_DELETE_GRACE_MS);
    const dl = await d.post('radarr', arrFixture('radarr-download-upgrade'));
    expect(dl.body.jobIds).toEqual(del.body.jobIds);
    expect((await d.queued())[0]!.run_after).toBe(now);
    // A file deleted by hand: rescan at once.
    const manual = await d.post('radarr', withRoot(arrFixture('radarr-moviefiledelete-manual'), '/movies', '/movies/sub'));
    expect(manual).toMatchObject({ status: 202, body: { status: 'queued' } });
    expect((await d.queued()).map((j) => j.run_after)).toEqual([now, now]);
  });

  it('takes Sonarr series folders the same way', async () => {
    d = await door();
    expect(await d.post('sonarr', arrFixture('sonarr-download'))).toMatchObject({ status: 202, body: { status: 'queued' } });
    expect(await d.post('sonarr', arrFixture('sonarr-episodefiledelete-upgrade'))).toMatchObject({ status: 202 });
    const q = await d.queued();
    expect(q).toHaveLength(1);
    expect(q[0]!.payload.folder).toBe(path.join(d.tv, 'Severance'));
  });

  it('coalesces a storm of 500 webhooks into one scan per movie and loses none', async () => {
    d = await door();
    const names = Array.from({ length: 50 }, (_, i) => `Movie ${i} (20${String(i).padStart(2, '0')})`);
    for (const n of names) mkdirSync(path.join(d.movies, n));
    const kinds = ['radarr-download', 'radarr-download-upgrade', 'radarr-rename', 'radarr-moviefiledelete-manual'];
    const bodies = Array.from({ length: 500 }, (_, i) => {
      const n = names[i % names.length]!;
      return JSON.parse(JSON.stringify(arrFixture(kinds[i % kinds.length]!)).split('The Matrix (1999)').join(n)) as unknown;
    });
    const results = await Promise.all(bodies.map((b) => d!.post('radarr', b)));
    expect(results.every((r) => r.status === 202 && r.body.status === 'queued')).toBe(true);
    const q = await d.queued();
    expect(q).toHaveLength(50);
    expect(new Set(q.map((j) => j.payload.folder))).toEqual(new Set(names.map((n) => path.join(d!.movies, n))));
    expect(q.every((j) => j.payload.restore === true)).toBe(true);
  });
});

describe('the webhook-only listener for a Radarr that cannot reach loopback', () => {
  /** A raw request, so the Host header can say what a container on the LAN would send. */
  const send = (url: string, method: string, host: string, body = '') =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(url, { method, headers: { host, 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers webhooks from any Host with the secret, and serves neither the API nor the UI', async () => {
    d = await door();
    const s = d.engine.services;
    const lan = await startWebhookListener({ address: parseListenAddress('127.0.0.1:0'), route: webhookRoute(s), log: s.log });
    try {
      const test = JSON.stringify(arrFixture('radarr-test'));
      const host = '192.168.1.20:8791';
      expect((await send(`${lan.url}/webhooks/radarr?secret=${d.secret}`, 'POST', host, test)).status).toBe(200);
      expect((await send(`${lan.url}/webhooks/radarr?secret=wrong`, 'POST', host, test)).status).toBe(401);
      expect((await send(`${lan.url}/api/items-list`, 'POST', host, '{}')).status).toBe(404);
      expect((await send(`${lan.url}/`, 'GET', host)).status).toBe(404);
      // The main door keeps refusing a Host that is not loopback.
      expect((await send(`${d.server.url}/webhooks/radarr?secret=${d.secret}`, 'POST', host, test)).status).toBe(421);
    } finally {
      await lan.close();
    }
  });

  it('reads HOST:PORT, [v6]:PORT and a bare port, and refuses anything else clearly', () => {
    expect(parseListenAddress('0.0.0.0:8791')).toEqual({ host: '0.0.0.0', port: 8791 });
    expect(parseListenAddress('[::]:8791')).toEqual({ host: '::', port: 8791 });
    expect(parseListenAddress('8791')).toEqual({ host: '0.0.0.0', port: 8791 });
    expect(() => parseListenAddress('radarr')).toThrow(/HOST:PORT/);
    expect(() => parseListenAddress('0.0.0.0:99999')).toThrow(/HOST:PORT/);
  });
});
